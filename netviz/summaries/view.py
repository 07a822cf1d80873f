"""What a summary shows: depth-limited rows and a format-neutral [`Sheet`][netviz.summaries.view.Sheet].

Pure functions over [`SummaryTable`][netviz.summaries.table.SummaryTable]. A row
whose children are hidden (it sits at the maximum depth) shows the parameters
and mult-adds of its whole subtree; a row whose children are shown shows only
its own, so each column always sums to the model's total. With ``subtotals``
(the LaTeX table) every row shows its whole subtree: a block row shows what its
layers add up to. Subtree sums add up each row's *own* numbers, whichever rows
carry them (a block may own parameters or mult-adds besides its layers').
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Union

from netviz.ir import Shape
from netviz.summaries.table import GroupRow, LayerRow, SummaryTable
from netviz.text import one_line


@dataclass(frozen=True)
class ShownRow:
    """A [`LayerRow`][netviz.summaries.table.LayerRow] as shown at some depth.

    Attributes:
        row: The layer row.
        params: Parameters this row accounts for (its subtree's if ``collapsed``).
        trainable_params: The trainable part of ``params``.
        mult_adds: Mult-adds this row accounts for (its subtree's if ``collapsed``).
        collapsed: Whether the row stands for its whole subtree.
    """

    row: LayerRow
    params: int
    trainable_params: int
    mult_adds: int
    collapsed: bool


def shown_rows(table: SummaryTable, depth: int) -> tuple[ShownRow, ...]:
    """The rows of ``table`` down to ``depth`` (0 = the model alone), with their totals."""
    rows = table.rows
    ends = subtree_ends(rows)
    shown = []
    for i, row in enumerate(rows):
        if row.depth > depth:
            continue
        collapsed = row.depth == depth or ends[i] == i + 1
        part = rows[i : ends[i]] if collapsed else rows[i : i + 1]
        shown.append(
            ShownRow(
                row=row,
                params=sum(r.params for r in part),
                trainable_params=sum(r.trainable_params for r in part),
                mult_adds=sum(r.mult_adds for r in part),
                collapsed=collapsed,
            )
        )
    return tuple(shown)


def subtree_ends(rows: Sequence[LayerRow]) -> list[int]:
    """For each row, the index just past its subtree (following rows that are deeper)."""
    ends = [len(rows)] * len(rows)
    open_rows: list[int] = []
    for i, row in enumerate(rows):
        while open_rows and rows[open_rows[-1]].depth >= row.depth:
            ends[open_rows.pop()] = i
        open_rows.append(i)
    return ends


@dataclass(frozen=True)
class Label:
    """The first cell of a sheet row.

    Attributes:
        text: Full text: the module path (the model name for the root), or a title.
        short: Short text for indented layouts: the last path component.
        depth: Nesting depth, for indentation.
        code: Whether ``text`` is a name in code, a module path or the model's name
            (typeset as code where possible).
    """

    text: str
    short: str
    depth: int = 0
    code: bool = False


Cell = Union[Label, str, int, Shape, None]
"""A sheet cell: a label, text, a count, a shape or kernel (a tuple), or ``None`` (``--``)."""


@dataclass(frozen=True)
class Column:
    """A sheet column: its title and whether it holds numbers (right-aligned)."""

    title: str
    numeric: bool = False


@dataclass(frozen=True)
class Sheet:
    """A format-neutral table: what text, Markdown and LaTeX all draw.

    Attributes:
        title: One line naming the model and input (``"wrn28_2 (WideResNet), input 3x32x32"``).
        columns: The columns.
        rows: Cells per row; the first cell of each row is a ``Label``.
        total: The totals row, same columns.
        extra: Further summary rows such as ``Trainable`` (only when it differs).
    """

    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    total: tuple[Cell, ...]
    extra: tuple[tuple[Cell, ...], ...] = ()


LAYER_COLUMNS = (
    Column("Layer"),
    Column("Type"),
    Column("Output shape"),
    Column("Kernel"),
    Column("Params", numeric=True),
    Column("Mult-adds", numeric=True),
)
GROUP_COLUMNS = (
    Column("Group"),
    Column("Blocks", numeric=True),
    Column("Output shape"),
    Column("Params", numeric=True),
    Column("Mult-adds", numeric=True),
)


def layer_sheet(table: SummaryTable, depth: int, *, subtotals: bool = False) -> Sheet:
    """A per-layer sheet of ``table`` down to ``depth``.

    Args:
        table: The collected table.
        depth: Deepest module level shown (0 = the model alone).
        subtotals: Every row shows its whole subtree's parameters and mult-adds
            (a block row: its layers' sum), not only its own.
    """
    ends = subtree_ends(table.rows)

    def numbers(s: ShownRow) -> tuple[int, int]:
        if not subtotals or s.collapsed:
            return s.params, s.mult_adds
        part = table.rows[s.row.index : ends[s.row.index]]
        return sum(r.params for r in part), sum(r.mult_adds for r in part)

    rows = tuple(
        (
            Label(
                text=one_line(s.row.path or table.model),
                short=one_line(s.row.name if s.row.path else table.model),
                depth=s.row.depth,
                code=True,  # a module path, or the model's name
            ),
            one_line(s.row.type),
            s.row.output_shape,
            s.row.kernel,
            *(n or None for n in numbers(s)),
        )
        for s in shown_rows(table, depth)
    )
    total = (Label("Total", "Total"), None, None, None, table.total_params, macs_total(table))
    extra: tuple[tuple[Cell, ...], ...] = ()
    if table.non_trainable_params:
        extra = ((Label("Trainable", "Trainable"), None, None, None, table.trainable_params, None),)
    return Sheet(title(table), LAYER_COLUMNS, rows, total, extra)


def group_sheet(table: SummaryTable, groups: Sequence[GroupRow]) -> Sheet:
    """A sheet with one row per diagram group."""
    rows = tuple(
        (
            Label(g.title, g.title),
            g.blocks or None,
            g.output_shape,
            g.params or None,
            g.mult_adds or None,
        )
        for g in groups
    )
    total = (Label("Total", "Total"), sum(g.blocks for g in groups) or None, None,
             table.total_params, macs_total(table))
    extra: tuple[tuple[Cell, ...], ...] = ()
    if table.non_trainable_params:
        extra = ((Label("Trainable", "Trainable"), None, None, table.trainable_params, None),)
    return Sheet(title(table, "by diagram group"), GROUP_COLUMNS, rows, total, extra)


def title(table: SummaryTable, suffix: str = "") -> str:
    """``"wrn28_2 (WideResNet), input 3x32x32"`` plus an optional suffix."""
    inputs = ", ".join(shape_text(s) for s in table.input_shapes)
    text = one_line(f"{table.model} ({table.model_type}), input {inputs}")
    return f"{text}, {suffix}" if suffix else text


def value_text(value: Cell, blank: bool, escape: Callable[[str], str], times: str = "x") -> str:
    """A cell other than a label as a format's text.

    ``None`` is ``--`` (nothing in a totals row, ``blank``), counts get thousands
    separators, shapes and kernels are joined with ``times``, text goes through ``escape``.
    """
    if value is None:
        return "" if blank else "--"
    if isinstance(value, int) and not isinstance(value, bool):
        return thousands(value)
    if isinstance(value, tuple):
        return shape_text(value, times)
    return escape(str(value))


def macs_total(table: SummaryTable) -> int | str:
    """The total mult-adds of a sheet: a count, or ``"≥ 1,234"`` when it is a lower bound."""
    return f"≥ {thousands(table.mult_adds)}" if table.lower_bound else table.mult_adds


def thousands(value: int) -> str:
    """``1467610`` -> ``"1,467,610"``."""
    return f"{value:,}"


def shape_text(shape: Shape, times: str = "x") -> str:
    """``(16, 32, 32)`` -> ``"16x32x32"``; ``()`` -> ``"scalar"``."""
    return times.join(str(d) for d in shape) if shape else "scalar"


def megabytes(n_bytes: int) -> str:
    """Bytes as decimal megabytes with two decimals, as torchinfo prints them."""
    return f"{n_bytes / 1e6:0.2f}"
