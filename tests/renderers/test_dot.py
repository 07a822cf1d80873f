from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from netviz.errors import UsageError
from netviz.ir import Edge, Graph, Kind, Node
from netviz.renderers import render_dot
from tests.renderers.dot_parse import Dot, cluster_titles, figure_nodes, parse_dot
from tests.renderers.graphs import MARKS, Builder, bottleneck_resnet, chain
from tests.renderers.mermaid_parse import parse

SEED = Path(__file__).parents[1] / "golden" / "reference" / "wrn28_2.seed-diagram.mmd"


def dot_of(graph: Graph, **kwargs: object) -> Dot:
    return parse_dot(render_dot(graph, **kwargs))  # type: ignore[arg-type]


def visible_edges(dot: Dot) -> list[tuple[str, str, dict[str, str]]]:
    """Drawn edges: not the invisible ones that only rank and order nodes."""
    return [edge for edge in dot.edges if edge[2].get("style") != "invis"]


def by_label(dot: Dot, label: str) -> list[dict[str, str]]:
    return [node for node in figure_nodes(dot).values() if node.get("label") == label]


def test_shapes_per_kind(wrn: Graph) -> None:
    dot = dot_of(wrn)
    conv = by_label(dot, "3x3 16C 1S 1P")[0]
    assert (conv["shape"], conv["style"]) == ("box", "rounded")
    assert by_label(dot, "16C")[0]["shape"] == "doublecircle"
    add = by_label(dot, "+")
    assert len(add) == 6 and all(n["shape"] == "circle" and n["fixedsize"] == "true" for n in add)
    for label in ("Input", "Output", "AvgPool 8x8 1S 0P", "Linear 10C"):
        node = by_label(dot, label)[0]
        assert node["shape"] == "box" and "style" not in node
    shapes = Counter((n["shape"], n.get("style", "")) for n in figure_nodes(dot).values())
    assert shapes == {("box", "rounded"): 16, ("box", ""): 4, ("doublecircle", ""): 6,
                      ("circle", ""): 6}


def test_wrn_edges_match_the_seed(wrn: Graph) -> None:
    dot = dot_of(wrn)
    heads = Counter(attrs.get("arrowhead", "normal") for _, _, attrs in visible_edges(dot))
    seed = parse(SEED.read_text(encoding="utf-8"))
    kinds = Counter(kind for _, _, kind in seed.edges)
    assert heads == {"odot": kinds["--o"], "normal": kinds["-->"]} == {"odot": 19, "normal": 18}
    assert not any("label" in attrs for _, _, attrs in visible_edges(dot))
    assert len(visible_edges(dot)) == len(seed.edges)


def test_every_mark_glyph_is_distinct_and_labelled(all_marks: Graph) -> None:
    dot = dot_of(all_marks)
    got = [(a.get("arrowhead"), a.get("label")) for _, _, a in dot.edges]
    assert got == [
        ("odot", None),
        ("dot", "IN → PReLU"),
        ("obox", "BN"),
        ("odiamond", "ReLU"),
        ("normal", "BN → ReLU → Dropout"),
    ]


def test_clusters_hold_their_nodes_with_titles(wrn: Graph) -> None:
    """Each title is a text node in its cluster, in the first node's rank (dot routes
    edges around nodes, never around cluster labels); the cluster has no label."""
    dot = dot_of(wrn)
    titles = [dot.nodes[f"t{i}"] for i in range(6)]
    assert all(t["_cluster"] == f"cluster_{i}" and t["_rank"] == "same" for i, t in enumerate(titles))
    assert all(t["shape"] == "plaintext" for t in titles)
    assert [dot.nodes[dst]["label"] for src, dst, _ in dot.edges if src.startswith("t")] == [
        "16C", "32C", "32C", "64C", "64C", "128C"
    ]
    assert not any("label" in dot.subgraphs[f"cluster_{i}"] for i in range(6))
    assert [t["label"] for t in titles] == [
        "Group 0 Projection", "Group 0 x (N - 1) = 3",
        "Group 1 Projection", "Group 1 x (N - 1) = 3",
        "Group 2 Projection", "Group 2 x (N - 1) = 3",
    ]
    members = Counter(node["_cluster"] for node in figure_nodes(dot).values())
    assert members == {"": 5, "cluster_0": 5, "cluster_1": 4, "cluster_2": 5,
                       "cluster_3": 4, "cluster_4": 5, "cluster_5": 4}
    assert by_label(dot, "1x1 64C 2S 0P")[0]["_cluster"] == "cluster_2"


def test_deterministic_and_graph_order(wrn: Graph) -> None:
    assert render_dot(wrn) == render_dot(wrn)
    rebuilt = Graph(wrn.name, tuple(wrn.nodes), tuple(wrn.edges), tuple(wrn.clusters))
    assert render_dot(rebuilt, legend=True) == render_dot(wrn, legend=True)


@pytest.mark.parametrize("direction", ["TB", "LR"])
def test_direction(wrn: Graph, direction: str) -> None:
    assert dot_of(wrn, direction=direction).graph["rankdir"] == direction


def test_themes_differ_in_colours_only(wrn: Graph) -> None:
    light, dark = dot_of(wrn), dot_of(wrn, theme="dark")
    assert light.graph["bgcolor"] == "white"
    assert dark.graph["bgcolor"] not in ("white", "transparent")
    assert list(light.nodes) == list(dark.nodes)
    assert render_dot(wrn, theme="dark") != render_dot(wrn)
    assert "#e0e0e0" in render_dot(wrn, theme="dark")


@pytest.mark.parametrize("kwargs", [{"theme": "neon"}, {"direction": "BT"}])
def test_bad_options_are_usage_errors(wrn: Graph, kwargs: dict[str, str]) -> None:
    with pytest.raises(UsageError):
        render_dot(wrn, **kwargs)  # type: ignore[arg-type]


def test_compact_print_style(wrn: Graph) -> None:
    g = dot_of(wrn).graph
    assert "Helvetica" in g["fontname"]
    assert float(g["nodesep"]) <= 0.3 and float(g["ranksep"]) <= 0.3


def test_every_id_is_unique_and_prefixed(wrn: Graph) -> None:
    text = render_dot(wrn, legend=True)
    dot = parse_dot(text)
    ids = [dot.graph["id"]]
    ids += [a["id"] for a in dot.nodes.values()]
    ids += [a["id"] for _, _, a in dot.edges]
    ids += [a["id"] for a in dot.subgraphs.values() if "cluster" in a.get("id", "") or "id" in a]
    assert len(ids) == len(set(ids))
    assert all(i == "wrn28_2" or i.startswith("wrn28_2-") for i in ids)
    assert len([a for a in dot.subgraphs.values() if "id" in a]) == 7  # 6 clusters + legend
    other = dot_of(chain("my net/v2 (beta)", [None, None]))
    assert other.name == other.graph["id"] == "my_net_v2_beta"
    assert all(a["id"].startswith("my_net_v2_beta-") for a in other.nodes.values())


def test_the_spine_and_main_paths_are_columns() -> None:
    """One ``group`` along the spine, heavy column edges, a weightless identity shortcut,
    column edges declared first (dot then places the branches beside the column)."""
    graph = bottleneck_resnet("r", [2])
    dot = dot_of(graph)
    name = {node.id: f"n{i}" for i, node in enumerate(graph.nodes)}
    spine = ["x", "stem", "pool", "layer1.0.data", "layer1.0.conv1", "layer1.0.conv2",
             "layer1.0.conv3", "layer1.0.add", "layer1.1.data", "layer1.1.conv1",
             "layer1.1.conv2", "layer1.1.conv3", "layer1.1.add", "avgpool", "fc", "output"]
    grouped = [n for n, node in enumerate(graph.nodes) if "group" in dot.nodes[f"n{n}"]]
    assert [graph.nodes[n].id for n in grouped] == spine
    assert {dot.nodes[name[n]]["group"] for n in spine} == {"col0"}
    weights = {(src, dst): attrs.get("weight") for src, dst, attrs in visible_edges(dot)}
    assert all(weights[name[a], name[b]] == "10" for a, b in zip(spine, spine[1:]))
    assert weights[name["layer1.1.data"], name["layer1.1.add"]] == "0"
    assert weights[name["layer1.0.data"], name["layer1.0.downsample"]] == "2"
    assert weights[name["layer1.0.downsample"], name["layer1.0.add"]] is None
    order = [(src, dst) for src, dst, _ in visible_edges(dot)]
    assert order[: len(spine) - 1] == [(name[a], name[b]) for a, b in zip(spine, spine[1:])]


def test_unknown_edge_endpoint_is_a_bug_not_silence() -> None:
    graph = Graph("g", (Node("a", Kind.INPUT, "input"),), (Edge("a", "ghost"),))
    with pytest.raises(ValueError, match="ghost"):
        render_dot(graph)


def test_unlabelled_nodes_fall_back() -> None:
    graph = Graph(
        "g",
        (Node("a", Kind.ADD, "add"), Node("b", Kind.OTHER, "MyOp")),
        (Edge("a", "b"),),
    )
    dot = dot_of(graph)
    assert [n["label"] for n in dot.nodes.values()] == ["+", "MyOp"]


def legend_nodes(dot: Dot) -> list[dict[str, str]]:
    return [n for n in dot.nodes.values() if n["id"].split("-", 1)[1].startswith("legend")]


def glyph_edges(dot: Dot) -> list[dict[str, str]]:
    """Legend edges that draw a mark glyph (ids ``<prefix>-legend-m<n>``)."""
    return [a for _, _, a in dot.edges if re.search(r"-legend-m\d+$", a["id"])]


def test_no_legend_unless_asked(wrn: Graph) -> None:
    assert "legend" not in render_dot(wrn)
    assert "cluster_legend" in render_dot(wrn, legend=True)


def test_legend_explains_bn_relu_like_the_seed(wrn: Graph) -> None:
    dot = dot_of(wrn, legend=True)
    labels = [n["label"] for n in legend_nodes(dot)]
    assert labels == [  # each shape a small glyph, its words beside it
        "Legend", "These are equivalent",
        "A", "BatchNorm2d", "ReLU", "B", "≡", "A", "B", "", "Conv Block", "", "Data", "+", "Add"
    ]
    glyphs = [n for n in legend_nodes(dot) if n["label"] in ("", "+")]
    assert [n.get("shape") for n in glyphs] == ["box", "doublecircle", "circle"]
    assert all(float(n["width"]) <= 0.3 for n in glyphs)
    headings = [n for n in legend_nodes(dot) if n.get("fontsize") == "9"]  # title style
    assert [n["label"] for n in headings] == ["Legend", "These are equivalent"]
    assert "label" not in dot.subgraphs["cluster_legend"]  # titles are nodes, as in clusters
    assert [a.get("arrowhead") for a in glyph_edges(dot)] == ["odot"]
    visible = [a for _, _, a in dot.edges if "legend-m0-" in a["id"] and "style" not in a]
    assert [a.get("arrowhead") for a in visible] == [None, None, None]


@pytest.mark.parametrize("direction", ["TB", "LR"])
def test_the_legend_continues_the_spine(wrn: Graph, direction: str) -> None:
    """Ranked after the output, its first lane in the spine's group; in TB, ``≡`` and the
    glyph sit beside the chain (same rank), in LR they follow it."""
    dot = dot_of(wrn, legend=True, direction=direction)
    output = next(n for n, a in dot.nodes.items() if a.get("label") == "Output")
    first = [(s, d) for s, d, a in dot.edges if s == output and "legend" in d]
    assert len(first) == 1 and dot.nodes[first[0][1]]["label"] == "Legend"
    lane = [n["label"] for n in legend_nodes(dot) if n.get("group") == "col0"]
    assert lane == ["A", "BatchNorm2d", "ReLU", "B", "", "", "+"]
    beside = [n["label"] for n in legend_nodes(dot) if n.get("_rank") == "same"]
    assert beside == ([] if direction == "LR" else
                      ["A", "BatchNorm2d", "ReLU", "≡", "A", "B", "", "Conv Block", "", "Data",
                       "+", "Add"])


def test_legend_lists_only_used_marks_and_kinds() -> None:
    graph = chain("g", [None, MARKS["act"]])  # Input → conv -(ReLU)-> Output
    dot = dot_of(graph, legend=True)
    labels = [n["label"] for n in legend_nodes(dot)]
    assert labels == ["Legend", "These are equivalent", "A", "ReLU", "B", "≡", "A", "B",
                      "", "Conv Block"]
    assert [(a["arrowhead"], a["label"]) for a in glyph_edges(dot)] == [("odiamond", "ReLU")]
    assert "odot" not in render_dot(graph, legend=True)


def test_legend_one_row_per_used_glyph(all_marks: Graph) -> None:
    dot = dot_of(all_marks, legend=True)
    assert [(a["arrowhead"], a.get("label")) for a in glyph_edges(dot)] == [
        ("odot", None), ("dot", "IN → PReLU"), ("obox", "BN"), ("odiamond", "ReLU"),
        ("normal", "BN → ReLU → Dropout"),
    ]


def test_empty_legend_is_omitted() -> None:
    b = Builder("g")
    b.node("i", Kind.INPUT, "Input")
    b.node("o", Kind.OUTPUT, "Output")
    b.edge("i", "o")
    assert "legend" not in render_dot(b.graph(), legend=True)


def test_golden(wrn: Graph, all_marks: Graph, golden: Callable[[str, str], None]) -> None:
    golden("renderers/wrn28_2.dot", render_dot(wrn))
    golden("renderers/wrn28_2.legend.LR.dark.dot", render_dot(wrn, legend=True, direction="LR", theme="dark"))
    golden("renderers/all_marks.legend.dot", render_dot(all_marks, legend=True))


def test_a_caption_is_the_figures_own_label_and_no_clusters(wrn: Graph) -> None:
    """The caption labels the root graph, declared after every cluster, so no cluster
    inherits it; a two-line (annotated) title is left-justified line by line."""
    clusters = list(wrn.clusters)
    clusters[0] = replace(clusters[0], title="Group 0 Projection\n14,432 params")
    text = render_dot(replace(wrn, caption="1,467,610 params", clusters=tuple(clusters)))
    dot = parse_dot(text)
    assert dot.graph["label"] == "1,467,610 params"
    assert (dot.graph["labelloc"], dot.graph["labeljust"]) == ("b", "c")
    assert all("label" not in attrs for attrs in dot.subgraphs.values())
    assert text.rindex("label=\"1,467,610 params\"") > text.rindex("subgraph")
    assert cluster_titles(dot)[0] == "Group 0 Projection\\l14,432 params\\l"
    assert cluster_titles(dot)[1] == "Group 0 x (N - 1) = 3"  # one line: as before
    assert "label" not in parse_dot(render_dot(wrn)).graph


def test_the_paper_theme_is_black_fine_and_dashed(wrn: Graph) -> None:
    """Print: every colour is black (or no background), lines are at most 0.5 pt, and
    clusters differ from nodes by their dashed outline, not by a grey."""
    text = render_dot(wrn, theme="paper", legend=True)
    colours = set(re.findall(r'(?:color|fontcolor|bgcolor)="?([#\w]+)', text))
    assert colours == {"black", "transparent"}
    assert {float(w) for w in re.findall(r'penwidth="?([\d.]+)', text)} <= {0.4, 0.5}
    dot = parse_dot(text)
    clusters = [attrs for name, attrs in dot.subgraphs.items() if name.startswith("cluster")]
    assert clusters and all(a["style"] == "rounded,dashed" for a in clusters)
