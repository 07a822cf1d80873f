"""Render Markdown with Python-Markdown (what MkDocs uses) and collect its table cells."""

from __future__ import annotations

from collections.abc import Sequence
from html.parser import HTMLParser


class TableCells(HTMLParser):
    """The tags seen, the number of tables, and the text of every cell, row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.tags: set[str] = set()
        self.tables = 0
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:  # type: ignore[type-arg]
        self.tags.add(tag)
        if tag == "table":
            self.tables += 1
        elif tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def markdown_cells(text: str, extensions: Sequence[str] = ("tables",)) -> TableCells:
    """Render ``text`` and parse the resulting HTML's tables."""
    import markdown

    cells = TableCells()
    cells.feed(markdown.markdown(text, extensions=list(extensions)))
    return cells
