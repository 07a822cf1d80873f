"""The public Python API: one function per thing netviz makes.

Every function takes a model *spec*: a registered name (``"wrn28_2"``), a
``"package.module:attr"`` or ``"path/to/file.py:attr"`` string, or an
``nn.Module`` instance; and optional input shapes without the batch dimension.

Example:
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
    from netviz.cache import TraceRequest
    from netviz.registry import LoadedModel
    from netviz.transforms import NotationOptions

Spec = Any  # str | torch.nn.Module; kept loose so this module never imports torch
Direction = Literal["TB", "LR"]
Theme = Literal["light", "dark"]

DIAGRAM_FORMATS = ("svg", "png", "pdf", "dot", "mmd", "txt")
"""Formats ``render`` produces; ``txt`` is the pseudocode listing."""


def load_model(spec: Spec, input_shapes: Sequence[Shape] | None = None) -> LoadedModel:
    """Resolve ``spec`` to a model built on the meta device (no weights allocated).

    Raises:
        UnknownModelError: ``spec`` names no registered model.
        ModelSpecError: ``spec`` is a module or file spec that cannot be loaded.
    """
    from netviz.registry import load_model as _load

    return _load(spec, input_shapes)


def trace(spec: Spec, input_shapes: Sequence[Shape] | None = None) -> Graph:
    """Trace a model into the raw IR graph (every op, no fusion or folding).

    A model traced before whose source files are unchanged comes from netviz's
    cache, without importing torch (see [`netviz.cache`][netviz.cache]).
    """
    from netviz.cache import TraceRequest, cached_trace

    return cached_trace(TraceRequest.of(spec, input_shapes), _trace_uncached)


def _trace_uncached(request: TraceRequest) -> tuple[Graph, Any]:
    """Load and trace the model of ``request``; returns the graph and the model."""
    from netviz.tracing import trace_model

    loaded = load_model(request.spec, request.input_shapes)
    graph = trace_model(loaded.module, loaded.input_shapes, name=loaded.name, rebuild=loaded.build)
    return graph, loaded.module


def _notation(spec: Spec, input_shapes: Sequence[Shape] | None, options: NotationOptions) -> Graph:
    """The notation graph of a model (cached like [`trace`][netviz.api.trace])."""
    from netviz.cache import TraceRequest, cached_notation

    return cached_notation(TraceRequest.of(spec, input_shapes), options, _trace_uncached)


def diagram(
    spec: Spec,
    input_shapes: Sequence[Shape] | None = None,
    *,
    fold: bool = True,
    shapes: bool = False,
) -> Graph:
    """Trace a model and turn it into the notation graph the renderers draw.

    Args:
        spec: Model spec (see module docs).
        input_shapes: Input shapes without batch dimension; default: the registered ones.
        fold: Fold runs of identical blocks into one ``x (N - 1)`` cluster.
        shapes: Show spatial sizes in data nodes (``32C 16x16``).
    """
    from netviz.transforms import NotationOptions

    return _notation(spec, input_shapes, NotationOptions(fold=fold, shapes=shapes))


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
) -> bytes:
    """Render a model's diagram in one of [`DIAGRAM_FORMATS`][netviz.api.DIAGRAM_FORMATS].

    ``svg``, ``png`` and ``pdf`` need the Graphviz ``dot`` binary; ``dot``,
    ``mmd`` and ``txt`` are pure Python.

    Raises:
        FormatError: ``fmt`` is not a diagram format.
        GraphvizNotFoundError: a binary format was asked for and ``dot`` is missing.
    """
    from netviz.errors import FormatError

    if fmt not in DIAGRAM_FORMATS:
        raise FormatError(f"unknown format {fmt!r}; choose one of: {', '.join(DIAGRAM_FORMATS)}")
    if fmt == "txt":
        return pseudocode(spec, input_shapes).encode("utf-8")
    from netviz.renderers import render_binary, render_dot, render_mermaid

    graph = diagram(spec, input_shapes, fold=fold, shapes=shapes)
    if fmt == "mmd":
        return render_mermaid(graph, direction=direction, theme=theme, legend=legend).encode()
    dot = render_dot(graph, direction=direction, theme=theme, legend=legend)
    if fmt == "dot":
        return dot.encode("utf-8")
    return render_binary(dot, fmt)


def pseudocode(spec: Spec, input_shapes: Sequence[Shape] | None = None) -> str:
    """The seed's pseudocode listing of a model: every block, tabs for nesting."""
    from netviz.renderers import render_pseudocode
    from netviz.transforms import NotationOptions

    return render_pseudocode(_notation(spec, input_shapes, NotationOptions.listing()))


def summary(
    spec: Spec,
    fmt: str = "text",
    *,
    input_shapes: Sequence[Shape] | None = None,
    depth: int = 3,
    by_group: bool = False,
    caption: str | None = None,
    label: str | None = None,
) -> str:
    """A torchinfo-based summary table in ``text``, ``markdown``, ``latex``,
    ``csv``, ``json`` or ``torchsummary`` form.

    Args:
        spec: Model spec (see module docs).
        fmt: Output format.
        input_shapes: Input shapes without batch dimension.
        depth: Module nesting depth of the rows.
        by_group: One row per diagram group instead of per layer.
        caption: LaTeX only: wrap the tabular in a ``table`` with this caption.
        label: LaTeX only: ``\\label`` of that table.
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
    )


def plot(
    spec: Spec,
    kind: str = "params",
    fmt: str = "svg",
    *,
    input_shapes: Sequence[Shape] | None = None,
) -> bytes:
    """A matplotlib chart of a model: ``params`` or ``macs`` per group, or ``shapes``."""
    from netviz.summaries.plot import plot_model

    return plot_model(spec, kind, fmt, input_shapes=input_shapes)
