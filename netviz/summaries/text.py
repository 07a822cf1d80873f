"""Plain-text summary: an aligned table with totals and size estimates."""

from __future__ import annotations

from netviz.summaries.table import SummaryTable
from netviz.summaries.view import Cell, Label, Sheet, macs_total, megabytes, shape_text, thousands
from netviz.text import short_count

_GAP = "  "


def render_text(sheet: Sheet, table: SummaryTable) -> str:
    """Render ``sheet`` as an aligned plain-text table, followed by totals and sizes."""
    header = [c.title for c in sheet.columns]
    body = [[_cell(c) for c in row] for row in sheet.rows]
    totals = [[_cell(c, blank=True) for c in row] for row in (sheet.total, *sheet.extra)]
    widths = [
        max(len(line[i]) for line in (header, *body, *totals)) for i in range(len(header))
    ]
    numeric = [c.numeric for c in sheet.columns]

    def line(cells: list[str]) -> str:
        parts = [
            cell.rjust(width) if right else cell.ljust(width)
            for cell, width, right in zip(cells, widths, numeric)
        ]
        return _GAP.join(parts).rstrip()

    width = sum(widths) + len(_GAP) * (len(widths) - 1)
    heavy, light = "=" * width, "-" * width
    out = [sheet.title, heavy, line(header), heavy]
    out += [line(cells) for cells in body]
    out += [light, *(line(cells) for cells in totals), heavy]
    out += [
        f"Total params: {thousands(table.total_params)}",
        f"Trainable params: {thousands(table.trainable_params)}",
        f"Non-trainable params: {thousands(table.non_trainable_params)}",
        *([f"Params the traced forward did not reach: {thousands(table.unreached_params)}"]
          if table.unreached_params else []),
        f"Total mult-adds: {_text(macs_total(table))} ({short_count(table.mult_adds)})"
        + (f", a lower bound (data-dependent: {', '.join(table.data_dependent)})"
           if table.lower_bound else ""),
        light,
        f"Input size (MB): {megabytes(table.input_bytes)}",
        f"Forward/backward pass size (MB): {megabytes(table.forward_backward_bytes)}",
        f"Params size (MB): {megabytes(table.param_bytes)}",
        f"Estimated total size (MB): {megabytes(table.total_bytes)}",
        heavy,
    ]
    return "\n".join(out) + "\n"


def _cell(value: Cell, blank: bool = False) -> str:
    if isinstance(value, Label):
        return "  " * value.depth + value.short
    if value is None:
        return "" if blank else "--"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return thousands(value)
    if isinstance(value, tuple):
        return shape_text(value)
    return value


def _text(value: int | str) -> str:
    return thousands(value) if isinstance(value, int) else value
