"""Depth-limited rows: each column sums to the totals at every depth."""

from __future__ import annotations

import pytest

from netviz.summaries.table import SummaryTable
from netviz.summaries.view import shape_text, shown_rows, subtree_ends, thousands
from tests.summaries.conftest import row


def test_subtree_ends(tricky_table: SummaryTable) -> None:
    assert subtree_ends(tricky_table.rows) == [6, 2, 5, 4, 5, 6]


def test_collapsed_rows_stand_for_their_subtree(tricky_table: SummaryTable) -> None:
    at0 = shown_rows(tricky_table, 0)
    assert [(s.row.path, s.params, s.mult_adds, s.collapsed) for s in at0] == [
        ("", 1158, 70962, True)
    ]
    at1 = shown_rows(tricky_table, 1)
    assert [(s.row.path, s.params, s.trainable_params, s.collapsed) for s in at1] == [
        ("", 0, 0, False),
        ("stem_{1}", 108, 108, True),
        ("body", 1000, 0, True),
        ("fc", 50, 50, True),
    ]
    at2 = shown_rows(tricky_table, 2)
    assert [s.row.path for s in at2] == [r.path for r in tricky_table.rows]
    assert at2[2].params == 0 and not at2[2].collapsed


@pytest.mark.parametrize("name", ["wrn28_2", "resnet18", "mdnc_bottleneck2d_ex2"])
def test_columns_sum_to_totals_at_every_depth(table_of, name: str) -> None:
    table = table_of(name)
    deepest = max(r.depth for r in table.rows)
    for depth in range(deepest + 2):
        shown = shown_rows(table, depth)
        assert sum(s.params for s in shown) == table.total_params, depth
        assert sum(s.trainable_params for s in shown) == table.trainable_params, depth
        assert sum(s.mult_adds for s in shown) == table.mult_adds, depth
        assert all(s.row.depth <= depth for s in shown)


def test_helpers() -> None:
    assert thousands(1467610) == "1,467,610"
    assert shape_text((16, 32, 32)) == "16x32x32"
    assert shape_text((16, 32, 32), "$\\times$") == "16$\\times$32$\\times$32"
    assert shape_text(()) == "scalar"
    assert row(0, "a.b", "X").depth == 2
