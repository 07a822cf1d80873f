"""The public Python API: one function per thing netviz makes.

Every function takes a model *spec*: a registered name (``"wrn28_2"``), a
``"package.module:attr"`` or ``"path/to/file.py:attr"`` string, or an
``nn.Module`` instance; and optional input shapes without the batch dimension.

Examples:
    >>> import netviz
    >>> svg = netviz.render("wrn28_2", "svg")
    >>> print(netviz.pseudocode("wrn28_2").splitlines()[0])
    Conv torch.Size([16, 3, 3, 3]) Stride 1 Pad 1
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from netviz.ir import Graph, Shape

if TYPE_CHECKING:
    from netviz.registry import LoadedModel

Spec = Any  # str | torch.nn.Module; kept loose so this module never imports torch
Direction = Literal["TB", "LR"]
Theme = Literal["light", "dark", "paper"]

DIAGRAM_FORMATS = ("svg", "png", "pdf", "tex", "tikz", "dot", "mmd", "txt")
"""Formats ``render`` produces; ``tex`` and ``tikz`` are TikZ (a document, the picture
alone), ``txt`` is the pseudocode listing."""


def load_model(
    spec: Spec,
    input_shapes: Sequence[Shape] | None = None,
    *,
    input_dtypes: Sequence[str] | None = None,
) -> LoadedModel:
    """Resolve ``spec`` to a model built on the meta device (no weights allocated).

    Raises:
        UnknownModelError: ``spec`` names no registered model.
        ModelSpecError: ``spec`` is a module or file spec that cannot be loaded.
    """
    from netviz.registry import load_model as _load

    return _load(spec, input_shapes, input_dtypes=input_dtypes)


def trace(
    spec: Spec,
    input_shapes: Sequence[Shape] | None = None,
    *,
    input_dtypes: Sequence[str] | None = None,
    train: bool = False,
) -> Graph:
    """Trace a model into the raw IR graph (every op, no fusion or folding).

    Args:
        spec: Model spec (see module docs).
        input_shapes: Input shapes without batch dimension; default: the registered ones.
        input_dtypes: Dtype name per input (``["int64"]`` for token ids); default: the
            registered ones, else the model's floating dtype.
        train: Trace the training-mode graph (default: eval mode, what inference runs).
    """
    from netviz.tracing import trace_model

    loaded = load_model(spec, input_shapes, input_dtypes=input_dtypes)
    return trace_model(loaded.module, loaded.input_shapes, name=loaded.name, rebuild=loaded.build,
                       input_dtypes=loaded.input_dtypes, train=train)


def diagram(
    spec: Spec,
    input_shapes: Sequence[Shape] | None = None,
    *,
    fold: bool = True,
    shapes: bool = False,
    input_dtypes: Sequence[str] | None = None,
    train: bool = False,
) -> Graph:
    """Trace a model and turn it into the notation graph the renderers draw.

    Args:
        spec: Model spec (see module docs).
        input_shapes: Input shapes without batch dimension; default: the registered ones.
        fold: Fold runs of identical blocks into one ``x (N - 1)`` cluster.
        shapes: Show the other sizes in data nodes (``32C 16x16``, ``768D 197``).
        input_dtypes: Dtype name per input (see [`trace`][netviz.api.trace]).
        train: Draw the training-mode graph.
    """
    from netviz.transforms import NotationOptions, to_notation

    raw = trace(spec, input_shapes, input_dtypes=input_dtypes, train=train)
    return to_notation(raw, NotationOptions(fold=fold, shapes=shapes))


def render(
    spec: Spec,
    fmt: str = "svg",
    *,
    input_shapes: Sequence[Shape] | None = None,
    fold: bool = True,
    shapes: bool = False,
    legend: bool = False,
    direction: Direction = "TB",
    theme: Theme = "light",
    input_dtypes: Sequence[str] | None = None,
    train: bool = False,
    dpi: int | None = None,
    annotate: str | Sequence[str] | None = None,
    width: str | None = None,
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

    Raises:
        FormatError: ``fmt`` is not a diagram format.
        UsageError: a bad ``dpi`` (outside [`DPI_RANGE`][netviz.output.DPI_RANGE]),
            a ``dpi`` for another format than ``png``, an unknown annotation, an
            annotation of the ``txt`` listing, or a ``width`` that is not a positive
            length or is given for a text format; checked before tracing.
        GraphvizNotFoundError: a format needing Graphviz was asked for and ``dot`` is missing.
    """
    from netviz.errors import FormatError, UsageError
    from netviz.transforms.annotate import parse_annotations

    if fmt not in DIAGRAM_FORMATS:
        raise FormatError(f"unknown format {fmt!r}; choose one of: {', '.join(DIAGRAM_FORMATS)}")
    annotations = parse_annotations(annotate)
    if fmt == "txt":
        if dpi is not None or width is not None or annotations:
            option = "dpi" if dpi is not None else "width" if width is not None else "annotate"
            raise UsageError(f"{option} applies to figures, not the txt listing")
        return pseudocode(spec, input_shapes, input_dtypes=input_dtypes, train=train).encode()
    from netviz.renderers.figure import check_figure_options, draw_figure

    size = check_figure_options(fmt, dpi=dpi, width=width)
    graph = diagram(spec, input_shapes, fold=fold, shapes=shapes, input_dtypes=input_dtypes,
                    train=train)
    if annotations:
        graph = _annotated(graph, spec, annotations, input_shapes=input_shapes,
                          input_dtypes=input_dtypes, train=train)
    return draw_figure(graph, fmt, direction=direction, theme=theme, legend=legend, dpi=dpi,
                       width=size)


def _annotated(
    graph: Graph,
    spec: Spec,
    annotations: Sequence[str],
    *,
    input_shapes: Sequence[Shape] | None = None,
    input_dtypes: Sequence[str] | None = None,
    train: bool = False,
) -> Graph:
    """``graph`` (the diagram of ``spec``) with the counts of its by-group summary
    under its cluster titles and the model's totals as its caption (see
    [`annotate`][netviz.transforms.annotate.annotate])."""
    from netviz.summaries import collect_table
    from netviz.summaries.groups import cluster_counts
    from netviz.transforms.annotate import annotate

    table = collect_table(spec, input_shapes, input_dtypes=input_dtypes, train=train)
    clusters, total = cluster_counts(table, graph)
    return annotate(graph, clusters, total, annotations)


def pseudocode(
    spec: Spec,
    input_shapes: Sequence[Shape] | None = None,
    *,
    input_dtypes: Sequence[str] | None = None,
    train: bool = False,
) -> str:
    """The seed's pseudocode listing of a model: every block, tabs for nesting."""
    from netviz.renderers import render_pseudocode
    from netviz.transforms import NotationOptions, to_notation

    raw = trace(spec, input_shapes, input_dtypes=input_dtypes, train=train)
    graph = to_notation(raw, NotationOptions.listing())
    return render_pseudocode(graph)


def summary(
    spec: Spec,
    fmt: str = "text",
    *,
    input_shapes: Sequence[Shape] | None = None,
    depth: int = 3,
    by_group: bool = False,
    caption: str | None = None,
    label: str | None = None,
    input_dtypes: Sequence[str] | None = None,
    train: bool = False,
) -> str:
    """A summary table in ``text``, ``markdown``, ``latex``, ``csv``, ``json`` or
    ``torchsummary`` form: shapes and parameters from torchinfo, MACs from netviz's trace.

    Args:
        spec: Model spec (see module docs).
        fmt: Output format.
        input_shapes: Input shapes without batch dimension.
        depth: Module nesting depth of the rows.
        by_group: One row per diagram group instead of per layer.
        caption: LaTeX only: wrap the tabular in a ``table`` with this caption.
        label: LaTeX only: ``\\label`` of that table.
        input_dtypes: Dtype name per input (see [`trace`][netviz.api.trace]).
        train: Summarize the training-mode forward.
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
    )


def plot(
    spec: Spec,
    kind: str = "params",
    fmt: str = "svg",
    *,
    input_shapes: Sequence[Shape] | None = None,
    input_dtypes: Sequence[str] | None = None,
    train: bool = False,
) -> bytes:
    """A matplotlib chart of a model: ``params`` or ``macs`` per group, or ``shapes``."""
    from netviz.summaries.plot import plot_model

    return plot_model(spec, kind, fmt, input_shapes=input_shapes, input_dtypes=input_dtypes,
                      train=train)
