"""The Markdown table renders as one HTML table with Python-Markdown (what MkDocs uses)."""

from __future__ import annotations

from html.parser import HTMLParser

import markdown
import pytest

from netviz.summaries import format_table
from netviz.summaries.table import SummaryTable

EXTENSIONS = ["tables", "attr_list", "md_in_html", "pymdownx.inlinehilite", "pymdownx.superfences"]


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.tables = 0
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
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


def _render(text: str) -> _Cells:
    parser = _Cells()
    parser.feed(markdown.markdown(text, extensions=EXTENSIONS))
    return parser


def test_special_characters_render_literally(tricky_table: SummaryTable) -> None:
    cells = _render(format_table(tricky_table, "markdown", depth=2))
    assert cells.tables == 1
    assert [len(r) for r in cells.rows] == [6] * 9  # header, 6 layers, total, trainable
    assert cells.rows[1][:2] == ["my_net%1", "Net_&%$#"]
    assert cells.rows[2][0] == "stem_{1}"
    assert cells.rows[3][1] == "Seq~^\\<>|"
    assert cells.rows[-2][4:] == ["1,158", "70,962"]


@pytest.mark.parametrize("name", ["wrn28_2", "resnet18"])
def test_model_tables_render(table_of, name: str) -> None:
    table = table_of(name)
    cells = _render(format_table(table, "markdown"))
    assert cells.tables == 1
    assert {len(r) for r in cells.rows} == {6}
    assert cells.rows[-1][4] == f"{table.total_params:,}"
