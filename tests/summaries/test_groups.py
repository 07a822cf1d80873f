"""By-group rows: the diagram's clusters, stem and head; they sum to the totals."""

from __future__ import annotations

import pytest

from netviz.ir import Cluster, Graph
from netviz.summaries.groups import group_rows
from netviz.summaries.table import GroupRow, SummaryTable
from netviz.registry import list_models
from tests.summaries.conftest import row


def _graph(*clusters: tuple[str, tuple[str, ...]]) -> Graph:
    return Graph(
        name="m",
        nodes=(),
        edges=(),
        clusters=tuple(
            Cluster(id=blocks[0], group=0, index=i, blocks=blocks, node_ids=(), title=title,
                    repeat=len(blocks))
            for i, (title, blocks) in enumerate(clusters)
        ),
    )


def _table() -> SummaryTable:
    rows = (
        row(0, "", "Net", leaf=False, output_shape=(10,), finish=9, params=1, trainable_params=1),
        row(1, "conv", "Conv2d", params=10, trainable_params=10, mult_adds=100, finish=0,
            output_shape=(4, 8, 8)),
        row(2, "stage", "Sequential", leaf=False, container=True, finish=6),
        row(3, "stage.0", "Block", leaf=False, finish=2, output_shape=(8, 4, 4)),
        row(4, "stage.0.conv", "Conv2d", params=20, trainable_params=20, mult_adds=200, finish=1),
        row(5, "stage.1", "Block", leaf=False, finish=4, output_shape=(8, 4, 4)),
        row(6, "stage.1.conv", "Conv2d", params=30, trainable_params=30, mult_adds=300, finish=3),
        row(7, "stage.10", "Block", leaf=False, finish=6, output_shape=(8, 4, 4)),
        row(8, "stage.10.conv", "Conv2d", params=40, trainable_params=0, mult_adds=400, finish=5),
        row(9, "fc", "Linear", params=5, trainable_params=5, mult_adds=5, finish=7,
            output_shape=(10,)),
    )
    return SummaryTable("m", "Net", ((3, 8, 8),), rows, 106, 66, 1005, 0, 0, 0)


def test_rows_follow_the_clusters() -> None:
    graph = _graph(("Group 0 Projection", ("stage.0",)), ("Group 0 x (N - 1) = 2", ("stage.1", "stage.10")))
    groups = group_rows(_table(), graph)
    assert groups == (
        GroupRow("Stem", 0, 11, 11, 100, (4, 8, 8)),  # includes the root's own parameter
        GroupRow("Group 0 Projection", 1, 20, 20, 200, (8, 4, 4)),
        GroupRow("Group 0 x (N - 1) = 2", 2, 70, 30, 700, (8, 4, 4)),
        GroupRow("Head", 0, 5, 5, 5, (10,)),
    )
    assert sum(g.params for g in groups) == 106
    assert sum(g.mult_adds for g in groups) == 1005


def test_prefix_match_is_by_path_component() -> None:
    # "stage.1" must not claim "stage.10"
    graph = _graph(("A", ("stage.0",)), ("B", ("stage.1",)))
    groups = group_rows(_table(), graph)
    assert [(g.title, g.params) for g in groups] == [("Stem", 11), ("A", 20), ("B", 30), ("Head", 45)]


def test_no_clusters_gives_one_model_row() -> None:
    groups = group_rows(_table(), _graph())
    assert groups == (GroupRow("Model", 0, 106, 66, 1005, (10,)),)


def test_a_cluster_for_the_whole_model() -> None:
    groups = group_rows(_table(), _graph(("Block", ("",))))
    assert groups == (GroupRow("Block", 1, 106, 66, 1005, (10,)),)


def test_untitled_cluster_gets_a_title() -> None:
    graph = Graph("m", (), (), (Cluster("stage.0", 3, 0, ("stage.0",), (), ""),))
    assert group_rows(_table(), graph)[1].title == "Group 3"


@pytest.mark.parametrize("name", list_models())
def test_group_rows_sum_to_the_totals(table_of, groups_of, name: str) -> None:
    table, groups = table_of(name), groups_of(name)
    assert sum(g.params for g in groups) == table.total_params
    assert sum(g.trainable_params for g in groups) == table.trainable_params
    assert sum(g.mult_adds for g in groups) == table.mult_adds
    assert all(g.output_shape is not None for g in groups)


def test_wrn28_2_groups_match_the_diagram(groups_of) -> None:
    groups = groups_of("wrn28_2")
    assert [(g.title, g.blocks, g.params) for g in groups] == [
        ("Stem", 0, 432),
        ("Group 0 Projection", 1, 14_432),
        ("Group 0 x (N - 1) = 3", 3, 55_680),
        ("Group 1 Projection", 1, 57_536),
        ("Group 1 x (N - 1) = 3", 3, 221_952),
        ("Group 2 Projection", 1, 229_760),
        ("Group 2 x (N - 1) = 3", 3, 886_272),
        ("Head", 0, 1_546),
    ]
    assert [g.output_shape for g in groups][-2:] == [(128, 8, 8), (10,)]
