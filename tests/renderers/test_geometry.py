"""Layout quality on the laid-out geometry (``dot -Tjson``), on hand-built graphs that
reproduce each known defect: an edge through a folded cluster's title, ResNet-50's
shortcut conv wedged between the main-path convs, a deep figure drifting right."""

from __future__ import annotations

import pytest

from netviz.ir import Graph
from netviz.renderers import render_binary, render_dot
from tests.geometry import (
    Box,
    alignment_problems,
    edge_crossing,
    json_text_positions,
    overlaps,
    read_figure,
    svg_text_positions,
)
from tests.renderers.graphs import bottleneck_resnet, parallel_with_block
from tests.renderers.nasty import nasty_graph

pytestmark = pytest.mark.needs_dot


@pytest.fixture(scope="module")
def resnet50_like() -> Graph:
    return bottleneck_resnet("resnet50_like", [3, 4, 6, 3])


def test_the_json_geometry_is_the_svgs(wrn: Graph) -> None:
    source = render_dot(wrn, legend=True)
    assert svg_text_positions(render_binary(source, "svg")) == json_text_positions(source)


@pytest.mark.parametrize("legend", [False, True])
@pytest.mark.parametrize("direction", ["TB", "LR"])
def test_no_edge_crosses_a_title_or_a_label(wrn: Graph, direction: str, legend: bool) -> None:
    """Folded clusters are narrow: the entering edge used to run through the title."""
    assert overlaps(read_figure(render_dot(wrn, direction=direction, legend=legend))) == []


@pytest.mark.parametrize("direction", ["TB", "LR"])
def test_every_glyph_and_every_nasty_label_lays_out_cleanly(all_marks: Graph,
                                                            direction: str) -> None:
    """Labelled glyphs (in the figure and the legend) and labels of every odd kind."""
    for graph in (all_marks, nasty_graph()):
        figure = read_figure(render_dot(graph, direction=direction, legend=True))
        assert overlaps(figure) == []
        assert alignment_problems(graph, figure, direction) == []


@pytest.mark.parametrize("direction", ["TB", "LR"])
def test_bottleneck_blocks_are_clean(resnet50_like: Graph, direction: str) -> None:
    figure = read_figure(render_dot(resnet50_like, direction=direction, legend=True))
    assert overlaps(figure) == []
    assert alignment_problems(resnet50_like, figure, direction) == []


@pytest.mark.parametrize("direction", ["TB", "LR"])
def test_a_block_beside_the_spine_is_its_own_column(direction: str) -> None:
    graph = parallel_with_block()
    figure = read_figure(render_dot(graph, direction=direction, legend=True))
    assert overlaps(figure) == []
    assert alignment_problems(graph, figure, direction) == []


def test_a_deep_model_is_one_straight_column(wrn: Graph) -> None:
    deep = bottleneck_resnet("deep", [3, 8, 36, 3, 2, 2])
    for graph in (wrn, deep):
        assert alignment_problems(graph, read_figure(render_dot(graph))) == []


# --- the checks themselves can fail ----------------------------------------------------

TITLE_CROSSED = """digraph { labeljust=l; a;
  subgraph cluster_0 { label="Group 0 x (N - 1) = 3"; b [label="32C"] } a -> b }"""
PINNED = ("-Kneato", "-n")  # nodes where their ``pos`` says, edges as straight lines
LABEL_CROSSED = """digraph { splines=line; a [pos="0,0"]; b [pos="0,-60"]; c [pos="0,-120"];
  a -> b -> c; a -> c }"""
EDGES_CROSSED = """digraph { splines=line; a [pos="0,0"]; b [pos="100,0"];
  c [pos="0,-100"]; d [pos="100,-100"]; a -> d [id=ad]; b -> c [id=bc]; a -> c [id=ac] }"""


def test_an_edge_through_a_cluster_title_is_found() -> None:
    assert any("title" in p for p in overlaps(read_figure(TITLE_CROSSED)))


def test_an_edge_through_a_node_label_is_found() -> None:
    assert any("label 'b'" in p for p in overlaps(read_figure(LABEL_CROSSED, *PINNED)))


def test_crossing_edges_are_found() -> None:
    figure = read_figure(EDGES_CROSSED, *PINNED)
    ad, bc, ac = (next(e for e in figure.edges if e.id == i) for i in ("ad", "bc", "ac"))
    middle = figure.nodes["a"].box.center, figure.nodes["d"].box.center
    where = edge_crossing(figure, ad, bc)
    assert where is not None
    assert where == pytest.approx(tuple((p + q) / 2 for p, q in zip(*middle)), abs=0.5)
    assert edge_crossing(figure, ad, ac) is None  # they meet at a, they do not cross


def test_a_wedged_shortcut_and_a_drifting_spine_are_found(resnet50_like: Graph) -> None:
    """Swap a main-path conv with its shortcut and shift a data node: all three reported."""
    figure = read_figure(render_dot(resnet50_like))
    node = {n.id: figure.nodes[f"n{i}"] for i, n in enumerate(resnet50_like.nodes)}
    conv, shortcut = node["layer1.0.conv2"], node["layer1.0.downsample"]
    conv.box, shortcut.box = shortcut.box, conv.box
    data = node["layer3.0.data"]
    data.box = Box(data.box.x0 + 30, data.box.y0, data.box.x1 + 30, data.box.y1)
    problems = "\n".join(alignment_problems(resnet50_like, figure))
    assert "the spine is not straight" in problems and "'512C'" in problems
    assert "the main path of 'Group 0 Projection' is not straight: ['3x3 64C 1S 1P']" in problems
    assert "shortcut node '1x1 256C 1S 0P' of 'Group 0 Projection' sits on" in problems
