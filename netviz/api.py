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
    from netviz.registry import LoadedModel

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
    """Trace a model into the raw IR graph (every op, no fusion or folding)."""
    from netviz.tracing import trace_model

    loaded = load_model(spec, input_shapes)
    return trace_model(loaded.module, loaded.input_shapes, name=loaded.name, rebuild=loaded.build)


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
    from netviz.transforms import NotationOptions, to_notation

    return to_notation(trace(spec, input_shapes), NotationOptions(fold=fold, shapes=shapes))


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
    dpi: int | None = None,
) -> bytes:
    """Render a model's diagram in one of [`DIAGRAM_FORMATS`][netviz.api.DIAGRAM_FORMATS].

    ``svg``, ``png`` and ``pdf`` need the Graphviz ``dot`` binary; ``dot``,
    ``mmd`` and ``txt`` are pure Python. ``dpi`` sets a PNG's resolution (default
    [`PNG_DPI`][netviz.output.PNG_DPI], sharp on a 2x screen).

    Raises:
        FormatError: ``fmt`` is not a diagram format.
        UsageError: a bad ``dpi`` (outside [`DPI_RANGE`][netviz.output.DPI_RANGE])
            or a ``dpi`` for another format than ``png``; checked before tracing.
        GraphvizNotFoundError: a binary format was asked for and ``dot`` is missing.
    """
    from netviz.errors import FormatError, UsageError

    if fmt not in DIAGRAM_FORMATS:
        raise FormatError(f"unknown format {fmt!r}; choose one of: {', '.join(DIAGRAM_FORMATS)}")
    if dpi is not None:
        from netviz.output import check_dpi

        if fmt != "png":
            raise UsageError(f"dpi applies to PNG output only, not {fmt}")
        check_dpi(dpi)
    if fmt == "txt":
        return pseudocode(spec, input_shapes).encode("utf-8")
    from netviz.renderers import render_binary, render_dot, render_mermaid

    graph = diagram(spec, input_shapes, fold=fold, shapes=shapes)
    if fmt == "mmd":
        return render_mermaid(graph, direction=direction, theme=theme, legend=legend).encode()
    dot = render_dot(graph, direction=direction, theme=theme, legend=legend)
    if fmt == "dot":
        return dot.encode("utf-8")
    return render_binary(dot, fmt, dpi=dpi)


def pseudocode(spec: Spec, input_shapes: Sequence[Shape] | None = None) -> str:
    """The seed's pseudocode listing of a model: every block, tabs for nesting."""
    from netviz.renderers import render_pseudocode
    from netviz.transforms import NotationOptions, to_notation

    graph = to_notation(trace(spec, input_shapes), NotationOptions.listing())
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
