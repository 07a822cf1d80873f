"""matplotlib charts of a model: parameters or mult-adds per diagram group, and shapes.

Charts are drawn on a bare ``matplotlib.figure.Figure`` (no pyplot, no global
backend switch) with fixed fonts, a fixed SVG hash salt and no dates in the
metadata, so the same model gives the same bytes every time. Colours are
neutral on an opaque white background: readable in print, in grey scale and on
a dark page alike.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import Any

from netviz.errors import FormatError, UsageError
from netviz.ir import Shape
from netviz.summaries.table import GroupRow, SummaryTable
from netviz.vocabulary import CHART_KINDS, CHART_SUFFIXES

KINDS = CHART_KINDS
"""Chart kinds: parameters per group, mult-adds per group, shapes through the network."""

FORMATS = tuple(dict.fromkeys(CHART_SUFFIXES.values()))
"""Chart file formats."""

_INK = "#222222"
_GRID = "#c8c8c8"
_BAR = "#3b6ea8"
_BAR_EDGE = "#1f3f66"
_OUTER = "#8c8c8c"  # stem and head bars
_SECOND = "#b5521b"
_RC: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 9.0,
    "svg.fonttype": "path",
    "svg.hashsalt": "netviz",
    "pdf.fonttype": 42,
    "path.simplify": False,
    "text.color": _INK,
    "axes.edgecolor": _INK,
    "axes.labelcolor": _INK,
    "xtick.color": _INK,
    "ytick.color": _INK,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
}
_METADATA: dict[str, dict[str, Any]] = {
    "svg": {"Date": None, "Creator": "netviz"},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": "netviz", "Producer": "netviz"},
    "png": {"Software": "netviz"},
}


def check_plot_options(kind: str, fmt: str) -> None:
    """Validate the chart kind and file format.

    Raises:
        UsageError: Unknown kind.
        FormatError: Unknown format.
    """
    if kind not in KINDS:
        raise UsageError(f"unknown chart kind {kind!r}; choose one of: {', '.join(KINDS)}")
    if fmt not in FORMATS:
        raise FormatError(f"unknown chart format {fmt!r}; choose one of: {', '.join(FORMATS)}")


def plot_model(
    spec: Any,
    kind: str = "params",
    fmt: str = "svg",
    *,
    input_shapes: Sequence[Shape] | None = None,
    input_dtypes: Sequence[str] | None = None,
    train: bool = False,
    inputs: Any = None,
    trust_remote_code: bool = False,
) -> bytes:
    """Chart a model: ``params`` or ``macs`` per diagram group, or ``shapes``.

    Raises:
        UsageError: Unknown kind.
        FormatError: Unknown format.
    """
    from netviz.summaries.tables import collect_table, diagram_groups

    check_plot_options(kind, fmt)
    model = {"input_dtypes": input_dtypes, "train": train, "inputs": inputs,
             "trust_remote_code": trust_remote_code}
    table = collect_table(spec, input_shapes, **model)
    if kind == "shapes":
        return plot_shapes(table, fmt)
    groups = diagram_groups(spec, input_shapes, table, **model)
    return plot_groups(table, groups, kind, fmt)


def plot_groups(table: SummaryTable, groups: Sequence[GroupRow], kind: str, fmt: str) -> bytes:
    """A horizontal bar per group (network order, top to bottom), labelled with its value."""
    check_plot_options(kind, fmt)
    values = [g.params if kind == "params" else g.mult_adds for g in groups]
    total = table.total_params if kind == "params" else table.mult_adds
    what = "Parameters" if kind == "params" else "Mult-adds"
    with _style():
        fig = _figure(7.0, 1.3 + 0.38 * max(len(groups), 1))
        ax = fig.add_subplot()
        ys = list(range(len(groups)))
        colors = [_BAR if g.blocks else _OUTER for g in groups]
        ax.barh(ys, values, color=colors, edgecolor=_BAR_EDGE, linewidth=0.6, height=0.62)
        ax.set_yticks(ys, [g.title for g in groups])
        ax.invert_yaxis()
        peak = max(values, default=0) or 1
        ax.set_xlim(0, peak * 1.22)
        for y, value in zip(ys, values):
            ax.text(value + peak * 0.01, y, _short(value), va="center", ha="left", fontsize=8)
        ax.xaxis.set_major_formatter(_formatter())
        ax.grid(axis="x", color=_GRID, linewidth=0.6)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.set_xlabel(what)
        _title(fig, f"{table.model}: {what.lower()} per group (total {total:,})")
        return _save(fig, fmt)


def plot_shapes(table: SummaryTable, fmt: str) -> bytes:
    """Feature width (left axis) and positions per feature (right axis, log scale) after
    each layer call."""
    points = _shape_points(table)
    with _style():
        fig = _figure(7.5, 3.6)
        ax = fig.add_subplot()
        xs = list(range(1, len(points) + 1))
        widths = [w for w, _ in points]
        positions = [p for _, p in points]
        ax.step(xs, widths, where="post", color=_BAR, linewidth=1.8,
                label="feature width (C, D)")
        ax.set_ylabel("feature width", color=_BAR)
        ax.set_xlabel("layer (execution order)")
        ax.set_xlim(0.5, max(len(points), 1) + 0.5)
        ax.grid(axis="y", color=_GRID, linewidth=0.6)
        ax.set_axisbelow(True)
        right = ax.twinx()
        right.step(xs, positions, where="post", color=_SECOND, linewidth=1.6,
                   linestyle=(0, (5, 2)), label="positions (H x W, tokens)")
        right.set_yscale("log", base=2)
        right.set_ylabel("positions (elements per feature)", color=_SECOND)
        right.yaxis.set_major_formatter(_formatter(integer=True))
        handles = ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
        ax.legend(handles=handles, loc="upper center", frameon=False, ncols=2,
                  bbox_to_anchor=(0.5, -0.18))
        inputs = ", ".join("x".join(map(str, s)) for s in table.input_shapes)
        _title(fig, f"{table.model}: shapes through the network (input {inputs})")
        return _save(fig, fmt)


def _shape_points(table: SummaryTable) -> list[tuple[int, int]]:
    """(feature width, elements per feature) after every leaf layer call, in call order.

    The width is the dimension the layer's ops act on (its row's ``feature_axis``:
    channels of ``NCHW`` images, ``D`` of ``(N, D)`` tokens and channels-last tensors);
    the first dimension when the trace does not say.
    """
    points = []
    for row in table.rows:
        if row.leaf and row.executed and row.output_shape:
            width = row.width if row.width is not None else row.output_shape[0]
            points.append((width, math.prod(row.output_shape) // width if width else 0))
    return points


def _style() -> Any:
    import matplotlib

    return matplotlib.rc_context(_RC)  # type: ignore[arg-type]  # stubs list every rc key


def _figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def _title(fig: Any, text: str) -> None:
    """The chart's title at the figure's left edge, wrapped to its width: long group
    titles push the axes right, and a title over the axes would run off the page."""
    fig.suptitle(text, x=0.01, ha="left", wrap=True)


def _save(fig: Any, fmt: str) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=150 if fmt == "png" else 100, metadata=_METADATA[fmt])
    return buffer.getvalue()


def _formatter(integer: bool = False) -> Any:
    from matplotlib.ticker import FuncFormatter

    if integer:
        return FuncFormatter(lambda value, _pos: f"{value:,.0f}")
    return FuncFormatter(lambda value, _pos: _short(value))


def _short(value: float) -> str:
    """``1467610`` -> ``"1.47M"``, ``4096`` -> ``"4.1k"``, ``12`` -> ``"12"``."""
    for scale, unit in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= scale:
            text = f"{value / scale:.3g}"
            return f"{text}{unit}"
    return f"{value:.4g}"
