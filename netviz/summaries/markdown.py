"""Markdown summary: a GitHub / MkDocs (Material) pipe table with a totals row."""

from __future__ import annotations

from netviz.summaries.view import Cell, Label, Sheet, value_text

_BACKSLASHED = set("\\`*_[]|")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def render_markdown(sheet: Sheet) -> str:
    """Render ``sheet`` as a Markdown table; module paths become code spans."""
    header = "| " + " | ".join(c.title for c in sheet.columns) + " |"
    rule = "|" + "|".join("---:" if c.numeric else ":---" for c in sheet.columns) + "|"
    lines = [header, rule]
    lines += [_row(row) for row in sheet.rows]
    lines += [_row(row, bold=True) for row in (sheet.total, *sheet.extra)]
    return "\n".join(lines) + "\n"


def escape(text: str) -> str:
    """Escape what Markdown would read as markup (backslashes; entities for ``& < >``,
    which Python-Markdown, unlike GitHub, does not unescape after a backslash)."""
    return "".join(
        _ENTITIES.get(ch) or ("\\" + ch if ch in _BACKSLASHED else ch) for ch in text
    )


def _row(cells: tuple[Cell, ...], bold: bool = False) -> str:
    texts = [_cell(c, blank=bold) for c in cells]
    if bold:
        texts = [f"**{t}**" if t else t for t in texts]
    return "| " + " | ".join(texts) + " |"


def _cell(value: Cell, blank: bool = False) -> str:
    if isinstance(value, Label):
        # a pipe cannot be escaped inside a code span in every Markdown (Python-Markdown
        # shows the backslash), so such paths are escaped plain text instead
        if value.code and not set(value.text) & set("|`"):
            return "`" + value.text + "`"
        return escape(value.text)
    return value_text(value, blank, escape)
