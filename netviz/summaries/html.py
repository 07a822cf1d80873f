"""HTML summary: the table Jupyter shows for a [`Summary`][netviz.summaries.summary.Summary]."""

from __future__ import annotations

from html import escape

from netviz.summaries.view import Cell, Label, Sheet, value_text

_RIGHT = ' style="text-align: right"'


def render_html(sheet: Sheet) -> str:
    """Render ``sheet`` as an HTML ``<table>``; every name is escaped, paths are code."""
    right = [c.numeric for c in sheet.columns]
    head = "".join(f"<th{_RIGHT if r else ''}>{escape(c.title)}</th>"
                   for c, r in zip(sheet.columns, right))
    body = "".join(_row(row, right) for row in sheet.rows)
    foot = "".join(_row(row, right, total=True) for row in (sheet.total, *sheet.extra))
    return (
        f'<table class="netviz-summary">\n<caption>{escape(sheet.title)}</caption>\n'
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody>\n"
        f"<tfoot>\n{foot}</tfoot>\n</table>\n"
    )


def _row(cells: tuple[Cell, ...], right: list[bool], total: bool = False) -> str:
    tag = "th" if total else "td"
    parts = [f"<{tag}{_RIGHT if r else ''}>{_cell(c, total)}</{tag}>" for c, r in zip(cells, right)]
    return "<tr>" + "".join(parts) + "</tr>\n"


def _cell(value: Cell, blank: bool) -> str:
    if isinstance(value, Label):
        return f"<code>{escape(value.text)}</code>" if value.code else escape(value.text)
    return value_text(value, blank, escape)
