"""``netviz.summary`` returns a ``Summary``: the same text as before, an HTML table in Jupyter."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path

import pytest

import netviz
from netviz.errors import FormatError
from netviz.summaries import format_table
from netviz.summaries.summary import Summary
from netviz.summaries.table import GroupRow, SummaryTable


def test_str_is_exactly_the_text_table(table_of: Callable[[str], SummaryTable]) -> None:
    made = netviz.summary("wrn28_2")
    assert isinstance(made, Summary) and isinstance(made, str)
    assert str(made) == format_table(table_of("wrn28_2"), "text")
    assert type(str(made)) is str
    assert (Path(__file__).parents[1] / "golden" / "summary" / "wrn28_2.txt").read_text() == made


def test_other_formats_stay_strings_of_that_format(table_of: Callable[[str], SummaryTable]) -> None:
    markdown = netviz.summary("wrn28_2", "markdown", depth=1)
    assert markdown == format_table(table_of("wrn28_2"), "markdown", depth=1)
    assert markdown.splitlines()[0].startswith("| Layer")  # str methods work as before
    assert markdown.fmt == "markdown" and markdown.depth == 1


def test_the_other_formats_are_at_hand(
    table_of: Callable[[str], SummaryTable], groups_of: Callable[[str], tuple[GroupRow, ...]]
) -> None:
    table, groups = table_of("wrn28_2"), groups_of("wrn28_2")
    made = Summary(table, "latex", groups=groups, caption="WRN", label="tab:wrn")
    assert made == made.latex == format_table(table, "latex", groups=groups, caption="WRN", label="tab:wrn")
    assert made.markdown == format_table(table, "markdown", groups=groups)
    assert made.csv == format_table(table, "csv", groups=groups)
    assert made.json == format_table(table, "json", groups=groups)
    assert made.to("text") == made.text == format_table(table, "text", groups=groups)
    assert made.to("latex", caption="Other").count("\\caption{Other}") == 1


def test_jupyter_gets_an_html_table_with_every_name_escaped(tricky_table: SummaryTable) -> None:
    made = Summary(tricky_table, depth=2)
    html = made._repr_html_()
    assert html.startswith('<table class="netviz-summary">')
    assert "<caption>my_net%1 (Net_&amp;%$#), input 3x8x8</caption>" in html
    assert "<td>Seq~^\\&lt;&gt;|</td>" in html and "<code>body.c#d</code>" in html
    assert "<th>Total</th>" in html and ">1,158</th>" in html
    assert "<tr>" in html and html.count("<tr>") == 1 + len(tricky_table.rows) + 2  # + total, trainable
    for bad in ("<>", "&%", "Net_&%"):
        assert bad not in html


def test_ipython_plain_text_is_the_table_itself(tricky_table: SummaryTable) -> None:
    made = Summary(tricky_table)
    seen: list[str] = []

    class Printer:
        def text(self, value: str) -> None:
            seen.append(value)

    made._repr_pretty_(Printer(), False)
    assert seen == [str(made)]


def test_save_picks_the_format_from_the_suffix(tricky_table: SummaryTable, tmp_path: Path) -> None:
    made = Summary(tricky_table)
    made.save(tmp_path / "s.tex")
    made.save(tmp_path / "s.md")
    made.save(tmp_path / "s.txt", "torchsummary")
    assert (tmp_path / "s.tex").read_text() == format_table(tricky_table, "latex")
    assert (tmp_path / "s.md").read_text() == format_table(tricky_table, "markdown")
    assert (tmp_path / "s.txt").read_text() == format_table(tricky_table, "torchsummary")
    with pytest.raises(FormatError):
        made.save(tmp_path / "s.xyz")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.md", "s.tex", "s.txt"]


def test_a_summary_pickles(tricky_table: SummaryTable) -> None:
    made = Summary(tricky_table, "markdown", depth=1)
    again = pickle.loads(pickle.dumps(made))
    assert type(again) is Summary and again == made
    assert (again.table, again.fmt, again.depth) == (tricky_table, "markdown", 1)
