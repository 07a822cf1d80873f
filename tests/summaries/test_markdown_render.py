"""The Markdown table renders as one HTML table with Python-Markdown (what MkDocs uses)."""

from __future__ import annotations

import pytest

from netviz.summaries import format_table
from netviz.summaries.table import SummaryTable
from tests.markdown_table import TableCells, markdown_cells

EXTENSIONS = ["tables", "attr_list", "md_in_html", "pymdownx.inlinehilite", "pymdownx.superfences"]


def _render(text: str) -> TableCells:
    return markdown_cells(text, EXTENSIONS)


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
