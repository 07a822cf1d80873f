"""``render --annotate`` writes the numbers of ``summary --by-group``, model by model.

The figure's numbers come through ``netviz.render`` (its own trace and torchinfo pass);
the table's through the summary pipeline (the session's cached by-group rows). Each
cluster title's second line is read back as numbers and compared with the row of the
same title: parameters exactly, MACs to the two decimals printed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

import netviz
from netviz.registry import list_models
from netviz.summaries.table import GroupRow, SummaryTable
from tests.renderers.dot_parse import cluster_titles, parse_dot

MODELS = sorted(set(list_models()) | {"wrn28_2", "resnet18", "resnet50",
                                      "mdnc_bottleneck2d_ex1", "mdnc_bottleneck2d_ex2"})
_UNITS = {"": 1, "M": 10**6, "G": 10**9}
_LINE = re.compile(
    r"(?P<params>[\d,]+) params · (?P<macs>[\d,.]+) ?(?P<unit>[MG]?) MACs(?P<how> each| in all)?"
)


def _read(line: str) -> tuple[int, float, int, str]:
    """``(params, macs, precision of macs, how)`` from ``18,560 params · 18.87 M MACs each``."""
    found = _LINE.fullmatch(line)
    assert found, line
    unit = _UNITS[found["unit"]]
    macs = float(found["macs"].replace(",", "")) * unit
    step = unit // 100 if unit > 1 else 0  # two decimals of M or G; exact without a unit
    return int(found["params"].replace(",", "")), macs, step, (found["how"] or "").strip()


def _close(shown: float, exact: int, step: int, times: int = 1) -> bool:
    return abs(shown * times - exact) <= step * times / 2 + 1e-6 * exact


@pytest.mark.parametrize("model", MODELS)
def test_titles_and_caption_are_the_by_group_summary(
    model: str,
    table_of: Callable[[str], SummaryTable],
    groups_of: Callable[[str], tuple[GroupRow, ...]],
) -> None:
    dot = parse_dot(netviz.render(model, "dot", annotate=["params", "macs"]).decode())
    rows = {row.title: row for row in groups_of(model)}
    titles = [title.removesuffix("\\l").split("\\l") for title in cluster_titles(dot)]
    assert all(len(lines) == 2 for lines in titles)  # a single-block model has none
    assert {first for first, _ in titles} <= set(rows)
    for first, second in titles:
        row = rows[first]
        params, macs, step, how = _read(second)
        times = row.blocks if how == "each" else 1
        assert how == ("each" if row.blocks > 1 and how != "in all" else how)
        assert params * times == row.params, (first, second, row)
        assert _close(macs, row.mult_adds, step, times), (first, second, row)

    table = table_of(model)
    params, macs, step, how = _read(dot.graph["label"])
    assert how == "" and params == table.total_params
    assert _close(macs, table.mult_adds, step)


def test_wrn28_2_by_hand() -> None:
    """WRN-28-2 against counts written here: a folded block of group 0 is two 3x3 32→32
    convolutions (2 x 9,216 weights, 2 x 9,437,184 MACs on 32x32) and two BatchNorm(32)
    (2 x 64 parameters); the model has 1,467,610 parameters."""
    dot = parse_dot(netviz.render("wrn28_2", "dot", annotate="params,macs").decode())
    assert cluster_titles(dot)[1] == "Group 0 x (N - 1) = 3\\l18,560 params · 18.87 M MACs each\\l"
    assert dot.graph["label"].startswith("1,467,610 params · ")
    only_params = parse_dot(netviz.render("wrn28_2", "dot", annotate="params").decode())
    assert cluster_titles(only_params)[1] == "Group 0 x (N - 1) = 3\\l18,560 params each\\l"
    assert only_params.graph["label"] == "1,467,610 params"
