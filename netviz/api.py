"""The public Python API: one function per thing netviz makes.

Every function takes a model *spec* (see [`Spec`][netviz.api.Spec]): a registered
name (``"wrn28_2"``), a ``"package.module:attr"`` or ``"path/to/file.py:attr"``
string, a transformers model (``"hf:GPT2LMHeadModel"``, a checkpoint folder), or an
``nn.Module`` instance; optional input shapes without the batch dimension, fed
positionally; and optional keyword inputs (``inputs={"input_ids": "64:int64"}``, see
[`netviz.inputs`][netviz.inputs]). [`diagram`][netviz.api.diagram] returns a
[`Diagram`][netviz.diagrams.Diagram] and [`summary`][netviz.api.summary] a
[`Summary`][netviz.summaries.summary.Summary]; both display in Jupyter.

Examples:
    >>> import netviz
    >>> svg = netviz.render("wrn28_2", "svg")
    >>> print(netviz.pseudocode("wrn28_2").splitlines()[0])
    Conv torch.Size([16, 3, 3, 3]) Stride 1 Pad 1
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Optional, Union

from netviz.inputs import InputValue, NamedInput
from netviz.vocabulary import DEFAULT_DIRECTION, DEFAULT_THEME, Direction, Theme
from netviz.vocabulary import DIAGRAM_FORMATS as FORMATS
from netviz.ir import Graph, Shape

if TYPE_CHECKING:
    import torch
    from typing_extensions import TypeIs

    from netviz.diagrams import Diagram
    from netviz.diffs import Diff
    from netviz.registry import LoadedModel
    from netviz.renderers.fit import PrintBox
    from netviz.summaries.summary import Summary

Spec = Union[str, "torch.nn.Module"]
"""A model: a registered name (``"wrn28_2"``), ``"package.module:attr"``,
``"path/to/file.py:attr"``, ``"hf:CLASS"`` (a transformers class with its default
configuration, ``"hf:LlamaModel(num_hidden_layers=2)"``), a transformers checkpoint
folder or its ``config.json``, or an ``nn.Module`` instance. (torch is imported for
type checkers only, so importing this module stays fast.)"""

Inputs = Optional[Union[Mapping[str, InputValue], Sequence[Union[NamedInput, str]]]]
"""Keyword inputs: ``{"input_ids": (64,), "decoder_input_ids": "16:int64"}`` (a shape, or
``"D1,D2[:DTYPE]"``), or the CLI's texts ``["input_ids=64:int64"]``; each replaces the
model's own input of that name or is fed besides them (see [`netviz.inputs`][netviz.inputs])."""

DIAGRAM_FORMATS = FORMATS
"""Formats ``render`` produces; ``txt`` is the pseudocode listing."""


def load_model(
    spec: Spec,
    input_shapes: Sequence[Shape] | None = None,
    *,
    input_dtypes: Sequence[str] | None = None,
    inputs: Inputs = None,
    trust_remote_code: bool = False,
) -> LoadedModel:
    """Resolve ``spec`` to a model built on the meta device (no weights allocated).

    ``inputs`` and ``trust_remote_code`` are as for [`trace`][netviz.api.trace].

    Raises:
        UnknownModelError: ``spec`` names no registered model.
        ModelSpecError: ``spec`` is a module or file spec that cannot be loaded.
    """
    from netviz.registry import load_model as _load

    return _load(spec, input_shapes, input_dtypes=input_dtypes, inputs=inputs,
                 trust_remote_code=trust_remote_code)


def trace(
    spec: Spec,
    input_shapes: Sequence[Shape] | None = None,
    *,
    input_dtypes: Sequence[str] | None = None,
    train: bool = False,
    inputs: Inputs = None,
    trust_remote_code: bool = False,
) -> Graph:
    """Trace a model into the raw IR graph (every op, no fusion or folding).

    A model traced before whose source files are unchanged comes from netviz's
    cache, without importing torch (see [`netviz.cache`][netviz.cache]).

    Args:
        spec: Model spec (see module docs).
        input_shapes: Input shapes without batch dimension; default: the registered ones.
        input_dtypes: Dtype name per input (``["int64"]`` for token ids); default: the
            registered ones, else the model's floating dtype.
        train: Trace the training-mode graph (default: eval mode, what inference runs).
        inputs: Keyword inputs (see [`Inputs`][netviz.api.Inputs]); a transformers model
            needs none: netviz makes those its forward expects.
        trust_remote_code: Let a transformers checkpoint folder's own modeling code run
            (its ``config.json`` names it in ``auto_map``); without it such a folder is
            refused.
    """
    from netviz import traced

    return traced.trace(spec, input_shapes, input_dtypes=input_dtypes, train=train,
                        inputs=inputs, trust_remote_code=trust_remote_code)


def diagram(
    spec: Spec,
    input_shapes: Sequence[Shape] | None = None,
    *,
    fold: bool = True,
    shapes: bool = False,
    legend: bool = False,
    direction: Direction | None = None,
    theme: Theme = "light",
    input_dtypes: Sequence[str] | None = None,
    train: bool = False,
    inputs: Inputs = None,
    trust_remote_code: bool = False,
    depth: int | None = None,
    fit: str | None = None,
) -> Diagram:
    """Trace a model and turn it into its [`Diagram`][netviz.diagrams.Diagram].

    The diagram shows as SVG in Jupyter, gives ``.dot``, ``.mermaid``,
    ``.pseudocode`` and ``.svg``, saves any format with ``.save(path)``, and keeps
    the notation graph (plain data) at ``.graph``.

    Args:
        spec: Model spec (see module docs).
        input_shapes: Input shapes without batch dimension; default: the registered ones.
        fold: Fold runs of identical blocks into one ``x (N - 1)`` cluster.
        shapes: Show the other sizes in data nodes (``32C 16x16``, ``768D 197``).
        legend: Draw a legend of the shapes and marks used.
        direction: Layout direction, ``TB`` or ``LR`` (default ``TB``; with ``fit``,
            the one that fits best).
        theme: ``light``, ``dark`` or ``paper``.
        input_dtypes: Dtype name per input (see [`trace`][netviz.api.trace]).
        train: Draw the training-mode graph.
        depth: Draw each module of this level of the module tree (0: the model,
            1: its children...) as one box: its class and the widths entering and
            leaving it (see [`collapse_depth`][netviz.transforms.depth.collapse_depth]);
            ``None``: every op.
        fit: A box on paper, ``"17cmx23cm"``: draw the figure so that it fits with every
            label 6 pt or more (see [`fit_figure`][netviz.renderers.fit.fit_figure]); the
            diagram's ``fit`` says what was chosen, and a
            [`FitReport`][netviz.errors.FitReport] warning says it too (a
            [`FitWarning`][netviz.errors.FitWarning] when nothing fits).
        inputs: Keyword inputs (see [`trace`][netviz.api.trace]).
        trust_remote_code: Let a checkpoint folder's own code run (see [`trace`][netviz.api.trace]).

    Raises:
        UsageError: a bad ``depth``, ``direction`` or ``fit``, checked before tracing.
    """
    from netviz.diagrams import Diagram
    from netviz.fitting import check_detail, fit_reported, trace_levels

    depth, box = check_detail(depth, fit, direction)
    traced = trace(spec, input_shapes, input_dtypes=input_dtypes, train=train, inputs=inputs,
                   trust_remote_code=trust_remote_code)
    if box is None:
        return Diagram.of(traced, fold=fold, shapes=shapes, depth=depth, legend=legend,
                          direction=direction or DEFAULT_DIRECTION, theme=theme)
    levels = trace_levels(traced, fold=fold, shapes=shapes, depth=depth)
    fitted = fit_reported(levels, box, direction, theme, legend)
    return Diagram(fitted.graph, traced, legend=legend, direction=fitted.direction,  # type: ignore[arg-type]
                   theme=theme, fit=fitted)


def render(
    spec: Spec | Diagram | Graph,
    fmt: str = "svg",
    *,
    input_shapes: Sequence[Shape] | None = None,
    fold: bool = True,
    shapes: bool = False,
    legend: bool = False,
    direction: Direction | None = None,
    theme: Theme = "light",
    input_dtypes: Sequence[str] | None = None,
    train: bool = False,
    dpi: int | None = None,
    annotate: str | Sequence[str] | None = None,
    width: str | None = None,
    inputs: Inputs = None,
    trust_remote_code: bool = False,
    depth: int | None = None,
    fit: str | None = None,
) -> bytes:
    """Render a model's diagram in one of [`DIAGRAM_FORMATS`][netviz.api.DIAGRAM_FORMATS].

    ``svg``, ``png``, ``pdf`` and the TikZ formats (``tex``: a LaTeX document whose
    page is the figure, ``tikz``: the ``tikzpicture`` alone) need the Graphviz ``dot``
    binary; ``dot``, ``mmd`` and ``txt`` are pure Python. ``input_dtypes`` and
    ``train`` are as for [`trace`][netviz.api.trace]. ``dpi`` sets a PNG's resolution
    (default [`PNG_DPI`][netviz.output.PNG_DPI], sharp on a 2x screen).

    Args:
        spec: Model spec (see module docs).
        fmt: Output format.
        input_shapes: Input shapes without batch dimension; default: the registered ones.
        fold: Fold runs of identical blocks into one ``x (N - 1)`` cluster.
        shapes: Show the other sizes in data nodes.
        legend: Add a legend of the marks and shapes used.
        direction: ``TB`` or ``LR``.
        theme: ``light``, ``dark``, or ``paper`` (print: black, fine lines, dashed clusters).
        input_dtypes: Dtype name per input.
        train: Draw the training-mode graph.
        dpi: PNG only: pixels per inch.
        annotate: ``"params"``, ``"macs"``, both (``"params,macs"`` or a list): each
            cluster's counts under its title and the model's totals as a caption, the
            numbers of ``summary(..., by_group=True)``.
        width: Scale an ``svg``, ``png``, ``pdf``, ``tex`` or ``tikz`` figure to this
            width (``"8.5cm"``; cm, mm, in, pt); a ``LabelSizeWarning`` says when its
            labels get under 6 pt.
        inputs: Keyword inputs (see [`trace`][netviz.api.trace]).
        trust_remote_code: Let a checkpoint folder's own code run (see [`trace`][netviz.api.trace]).
        depth: Draw each module of this level of the module tree as one box (see
            [`diagram`][netviz.api.diagram]).
        fit: A box on paper (``"17cmx23cm"``) the ``svg``, ``png``, ``pdf``, ``tex``,
            ``tikz`` or ``dot`` figure is drawn to fit, every label 6 pt or more: the
            direction (unless given), wrapping the chain of blocks into columns or
            rows side by side, long labels on two lines, folding, then ``depth`` as a
            last resort. A [`FitReport`][netviz.errors.FitReport] warning says what
            was chosen (a [`FitWarning`][netviz.errors.FitWarning]: nothing fits).

    ``spec`` may also be a [`Diagram`][netviz.diagrams.Diagram] (drawn as it is;
    ``legend``, ``direction`` and ``theme`` left at their defaults keep its own) or
    an IR [`Graph`][netviz.ir.Graph] from [`trace`][netviz.api.trace] or
    ``Diagram.graph``; ``depth`` and ``fit`` need the model or its trace, not a
    ``Diagram``.

    Raises:
        FormatError: ``fmt`` is not a diagram format.
        UsageError: a bad ``dpi`` (outside [`DPI_RANGE`][netviz.output.DPI_RANGE]),
            a ``dpi`` for another format than ``png``, an unknown annotation, an
            annotation of the ``txt`` listing or of a ``Diagram``/``Graph`` (its counts
            need the model), a ``width`` that is not a positive length or is given
            for a text format, a ``depth`` that is not a whole number >= 0, a ``fit``
            that is not ``WIDTHxHEIGHT`` or is given for a format without a size or
            with a ``width``; checked before tracing.
        GraphvizNotFoundError: a format needing Graphviz was asked for and ``dot`` is missing.
        ModelSpecError: ``spec`` is of a type netviz cannot draw.
    """
    from netviz.errors import FormatError, UsageError

    if fmt not in DIAGRAM_FORMATS:
        raise FormatError(f"unknown format {fmt!r}; choose one of: {', '.join(DIAGRAM_FORMATS)}")
    annotations: tuple[str, ...] = ()
    if annotate is not None:  # the transform that writes counts: imported when asked for
        from netviz.transforms.annotate import parse_annotations

        annotations = parse_annotations(annotate)
    depth, box = _checked_detail(depth, fit, direction)
    if fmt == "txt":
        given = {"dpi": dpi, "width": width, "annotate": annotations or None, "depth": depth,
                 "fit": box}
        for option, value in given.items():
            if value is not None:
                raise UsageError(f"{option} applies to figures, not the txt listing")
        if _is_drawing(spec):
            return _drawn(spec, fold, shapes, legend, direction, theme).render("txt")
        return pseudocode(spec, input_shapes, input_dtypes=input_dtypes, train=train,
                          inputs=inputs, trust_remote_code=trust_remote_code).encode()
    from netviz.renderers.figure import check_figure_options, draw_figure, draw_fitted

    size = check_figure_options(fmt, dpi=dpi, width=width, fit=box)
    if _is_drawing(spec):
        if annotations:
            raise UsageError("annotate needs the model (its counts come from its summary): "
                             "pass the model spec, not a Diagram or Graph")
        if not isinstance(spec, Graph) and (depth is not None or box is not None):
            raise UsageError("depth and fit apply when the diagram is made: "
                             "netviz.diagram(model, depth=..., fit=...)")
        if isinstance(spec, Graph) and (depth is not None or box is not None):
            from netviz.fitting import render_trace

            return render_trace(spec, fmt, fold=fold, shapes=shapes, legend=legend,
                                 direction=direction, theme=theme, dpi=dpi, depth=depth,
                                 box=box, size=size)
        drawn = _drawn(spec, fold, shapes, legend, direction, theme)
        if drawn.fit is not None and size is None:  # drawn as it was fitted
            return drawn.render(fmt, dpi=dpi)
        return draw_figure(drawn.graph, fmt, direction=drawn.direction, theme=drawn.theme,
                           legend=drawn.legend, dpi=dpi, width=size)
    from netviz import traced
    from netviz.transforms import NotationOptions

    options = NotationOptions(fold=fold, shapes=shapes, depth=depth)
    if box is None and not annotations and size is None:  # the figure alone: cached whole
        style = {"format": fmt, "direction": direction or DEFAULT_DIRECTION, "theme": theme,
                 "legend": legend, "dpi": dpi}
        return traced.figure(
            spec, input_shapes, options, style,
            lambda graph: draw_figure(graph, fmt, direction=direction or DEFAULT_DIRECTION,
                                      theme=theme, legend=legend, dpi=dpi),
            input_dtypes, train, inputs, trust_remote_code,
            drawing=lambda: _dot_started(fmt, dpi))
    if box is None:
        graph = _annotator(spec, annotations, input_shapes=input_shapes,
                           input_dtypes=input_dtypes, train=train, inputs=inputs,
                           trust_remote_code=trust_remote_code)(
            traced.notation(spec, input_shapes, options, input_dtypes, train, inputs,
                            trust_remote_code))
        return draw_figure(graph, fmt, direction=direction or DEFAULT_DIRECTION, theme=theme,
                           legend=legend, dpi=dpi, width=size)
    from netviz.transforms.depth import detail_levels

    asked = traced.notation(spec, input_shapes, options, input_dtypes, train, inputs,
                            trust_remote_code)
    annotated = _annotator(spec, annotations, input_shapes=input_shapes,
                           input_dtypes=input_dtypes, train=train, inputs=inputs,
                           trust_remote_code=trust_remote_code)
    levels = ((name, annotated(asked if not name else traced.notation(
        spec, input_shapes, level, input_dtypes, train, inputs, trust_remote_code)))
        for name, level in detail_levels(asked, options))
    from netviz.fitting import fit_reported

    return draw_fitted(fit_reported(levels, box, direction, theme, legend), fmt, dpi=dpi)


def _checked_detail(
    depth: int | None, fit: str | None, direction: str | None
) -> tuple[int | None, PrintBox | None]:
    """[`check_detail`][netviz.fitting.check_detail], imported when one of its options is
    given (most renders give none, and then there is nothing to check)."""
    if depth is None and fit is None and direction is None:
        return None, None
    from netviz.fitting import check_detail

    return check_detail(depth, fit, direction)


def _dot_started(fmt: str, dpi: int | None) -> AbstractContextManager[None]:
    """Starts the ``dot`` drawing the figure will run while the model is traced (see
    [`dot_started`][netviz.renderers.binary.dot_started]); entered only when the figure is
    not cached."""
    from netviz.renderers.binary import dot_started

    return dot_started(fmt, dpi=dpi)


def _is_drawing(spec: object) -> TypeIs[Diagram | Graph]:
    """Whether ``spec`` is drawn as it is: a [`Graph`][netviz.ir.Graph] or a
    [`Diagram`][netviz.diagrams.Diagram] (whose module a model spec never needs)."""
    if isinstance(spec, (str, Graph)):
        return isinstance(spec, Graph)
    from netviz.diagrams import Diagram

    return isinstance(spec, Diagram)


def _annotator(
    spec: Spec,
    annotations: Sequence[str],
    *,
    input_shapes: Sequence[Shape] | None = None,
    input_dtypes: Sequence[str] | None = None,
    train: bool = False,
    inputs: Inputs = None,
    trust_remote_code: bool = False,
) -> Callable[[Graph], Graph]:
    """Annotates any diagram of ``spec`` with the counts of its by-group summary (under
    its cluster titles, the model's totals as its caption; see
    [`annotate`][netviz.transforms.annotate.annotate]), collecting the summary once, when
    first needed; does nothing without ``annotations``."""
    if not annotations:
        return lambda graph: graph
    from functools import cache

    from netviz.summaries.groups import cluster_counts
    from netviz.transforms.annotate import annotate

    @cache
    def table() -> Any:
        from netviz.summaries import collect_table

        return collect_table(spec, input_shapes, input_dtypes=input_dtypes, train=train,
                             inputs=inputs, trust_remote_code=trust_remote_code)

    def annotated(graph: Graph) -> Graph:
        clusters, total = cluster_counts(table(), graph)
        return annotate(graph, clusters, total, annotations)

    return annotated


def _drawn(
    drawn: Diagram | Graph, fold: bool, shapes: bool, legend: bool, direction: Direction | None,
    theme: Theme,
) -> Diagram:
    """A diagram or graph given to ``render``, with the style ``render`` was given."""
    from netviz.diagrams import Diagram

    if isinstance(drawn, Graph):
        return Diagram.of(drawn, fold=fold, shapes=shapes, legend=legend,
                          direction=direction or DEFAULT_DIRECTION, theme=theme)
    return drawn.styled(legend=legend or None,
                        direction=None if direction in (None, DEFAULT_DIRECTION) else direction,
                        theme=None if theme == DEFAULT_THEME else theme)


def diff(
    a: Spec | Diagram | Graph,
    b: Spec | Diagram | Graph,
    input_shapes: Sequence[Shape] | None = None,
    *,
    input_shapes_b: Sequence[Shape] | None = None,
    input_dtypes: Sequence[str] | None = None,
    input_dtypes_b: Sequence[str] | None = None,
    train: bool = False,
    fold: bool = True,
    shapes: bool = False,
    legend: bool = True,
    direction: Direction = "TB",
    theme: Theme = "light",
    inputs: Inputs = None,
    trust_remote_code: bool = False,
) -> Diff:
    """What changed from model ``a`` to model ``b``: B's diagram with the differences
    marked, and the text form (see [`Diff`][netviz.diffs.Diff]).

    The two notation graphs are matched along their folded structure (stage to stage,
    block to block, op to op; see [`netviz.transforms.diff`][netviz.transforms.diff]):
    ops and blocks only B has are drawn emphasised, those only A had as faint dashed
    ghosts at their place, changed labels and titles as ``old → new``
    (``x (N - 1) = 5 → 22``). Each model is traced as ``render`` traces it (from the
    cache when unchanged).

    Args:
        a: Model A, compared from: a spec (see module docs), a
            [`Diagram`][netviz.diagrams.Diagram], or a traced or notation
            [`Graph`][netviz.ir.Graph].
        b: Model B, compared to (the figure is B's).
        input_shapes: Input shapes without batch dimension, of A, and of B too unless
            ``input_shapes_b`` is given; default: the registered ones.
        input_shapes_b: B's input shapes, when they differ from A's.
        input_dtypes: Dtype name per input (see [`trace`][netviz.api.trace]), of A and,
            unless ``input_dtypes_b`` is given, of B.
        input_dtypes_b: B's input dtypes, when they differ from A's.
        train: Compare the training-mode graphs.
        fold: Compare folded graphs (a deeper stage is one changed count); ``False``:
            every block, so B's extra blocks are each added.
        shapes: Show the other sizes in data nodes (a changed resolution shows).
        legend: Draw the legend, which explains the diff's marks.
        direction: ``TB`` or ``LR``.
        theme: ``light``, ``dark`` or ``paper`` (print: the marks are weights, dashes
            and words, never colour alone).
        inputs: Keyword inputs of both models (see [`trace`][netviz.api.trace]).
        trust_remote_code: Let a checkpoint folder's own code run, for either model (see
            [`trace`][netviz.api.trace]).
    """
    from netviz.diagrams import Diagram
    from netviz.diffs import Diff
    from netviz.transforms.diff import compare

    def notation(spec: Spec | Diagram | Graph, shapes_of: Sequence[Shape] | None,
                 dtypes_of: Sequence[str] | None) -> Graph:
        if isinstance(spec, Diagram):
            return spec.graph
        if isinstance(spec, Graph):
            return Diagram.of(spec, fold=fold, shapes=shapes).graph
        from netviz.transforms import NotationOptions

        from netviz import traced

        return traced.notation(spec, shapes_of, NotationOptions(fold=fold, shapes=shapes),
                               dtypes_of, train, inputs, trust_remote_code)

    before = notation(a, input_shapes, input_dtypes)
    after = notation(b, input_shapes_b if input_shapes_b is not None else input_shapes,
                     input_dtypes_b if input_dtypes_b is not None else input_dtypes)
    return Diff(compare(before, after), legend=legend, direction=direction, theme=theme)


def pseudocode(
    spec: Spec,
    input_shapes: Sequence[Shape] | None = None,
    *,
    input_dtypes: Sequence[str] | None = None,
    train: bool = False,
    inputs: Inputs = None,
    trust_remote_code: bool = False,
) -> str:
    """The seed's pseudocode listing of a model: every block, tabs for nesting.

    ``input_dtypes``, ``train``, ``inputs`` and ``trust_remote_code`` are as for
    [`trace`][netviz.api.trace].
    """
    from netviz import traced
    from netviz.renderers import render_pseudocode
    from netviz.transforms import NotationOptions

    return render_pseudocode(
        traced.notation(spec, input_shapes, NotationOptions.listing(), input_dtypes, train,
                        inputs, trust_remote_code))


def summary(
    spec: Spec,
    fmt: str = "text",
    *,
    input_shapes: Sequence[Shape] | None = None,
    depth: int | None = None,
    by_group: bool | None = None,
    caption: str | None = None,
    label: str | None = None,
    input_dtypes: Sequence[str] | None = None,
    train: bool = False,
    inputs: Inputs = None,
    trust_remote_code: bool = False,
) -> Summary:
    """A summary table in ``text``, ``markdown``, ``latex``, ``csv``, ``json`` or
    ``torchsummary`` form: shapes and parameters from torchinfo, MACs from netviz's trace.

    The result is a [`Summary`][netviz.summaries.summary.Summary]: the text in
    ``fmt``, a ``str`` as before (``print`` it, write it, compare it), which
    Jupyter shows as an HTML table and which gives the other formats
    (``.to("latex")``, ``.markdown``, ``.save(path)``).

    Args:
        spec: Model spec (see module docs).
        fmt: Output format.
        input_shapes: Input shapes without batch dimension.
        depth: Module nesting depth of the rows (default 3).
        by_group: One row per diagram group instead of per layer; default: per group
            for ``latex`` unless ``depth`` is given (so the table fits a page), else
            per layer.
        caption: LaTeX only: wrap the tabular in a ``table`` with this caption.
        label: LaTeX only: ``\\label`` of that table.
        input_dtypes: Dtype name per input (see [`trace`][netviz.api.trace]).
        train: Summarize the training-mode forward.
        inputs: Keyword inputs (see [`trace`][netviz.api.trace]).
        trust_remote_code: Let a checkpoint folder's own code run (see [`trace`][netviz.api.trace]).
    """
    from netviz.summaries import summarize

    return summarize(
        spec,
        fmt,
        input_shapes=input_shapes,
        depth=depth,
        by_group=by_group,
        caption=caption,
        label=label,
        input_dtypes=input_dtypes,
        train=train,
        inputs=inputs,
        trust_remote_code=trust_remote_code,
    )


def plot(
    spec: Spec,
    kind: str = "params",
    fmt: str = "svg",
    *,
    input_shapes: Sequence[Shape] | None = None,
    input_dtypes: Sequence[str] | None = None,
    train: bool = False,
    inputs: Inputs = None,
    trust_remote_code: bool = False,
) -> bytes:
    """A matplotlib chart of a model: ``params`` or ``macs`` per group, or ``shapes``.

    ``input_dtypes``, ``train``, ``inputs`` and ``trust_remote_code`` are as for
    [`trace`][netviz.api.trace].
    """
    from netviz.summaries.plot import plot_model

    return plot_model(spec, kind, fmt, input_shapes=input_shapes, input_dtypes=input_dtypes,
                      train=train, inputs=inputs, trust_remote_code=trust_remote_code)
