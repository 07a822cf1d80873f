"""Snake figures (a chain wrapped into columns or rows) and ``--fit`` choosing how to draw,
on hand-built graphs: the parts, the balance of the wrap, a clean layout (no edge through a
label, a title or a node; every link inside a column straight; the returning links clear
of every node), the one-line report, and bad boxes."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from netviz.errors import UsageError
from netviz.ir import Graph
from netviz.renderers.binary import layout_json
from netviz.renderers.fit import fit_figure, parse_box, wrap_labels, wrap_text
from netviz.renderers.legend import legend_of
from netviz.renderers.size import MIN_LABEL_PT, natural_box
from netviz.renderers.snake import Snake, balanced, parts
from netviz.renderers.theme import PRINT, REGULAR
from tests.geometry import Figure, dot_json, overlaps, read_figure
from tests.renderers.graphs import bottleneck_resnet, parallel_with_block

pytestmark = pytest.mark.needs_dot


@pytest.fixture(scope="module")
def resnet50_like() -> Graph:
    return replace(bottleneck_resnet("resnet50_like", [3, 4, 6, 3]),
                   caption="25,557,032 params · 4.09 G MACs")


def test_a_chain_of_blocks_cuts_between_every_block(resnet50_like: Graph) -> None:
    found = parts(resnet50_like)
    clusters = [p for p in found if resnet50_like.cluster_of(p.node_ids[0]) is not None]
    assert len(clusters) == len(resnet50_like.clusters)
    assert found[0].link is None and all(p.link is not None for p in found[1:])
    assert sum(len(p.node_ids) for p in found) == len(resnet50_like.nodes)


def test_a_block_beside_the_spine_is_never_cut_from_it() -> None:
    graph = parallel_with_block()  # a branch runs beside the block: nothing to cut there
    assert len(parts(graph)) < len(graph.nodes)


def test_the_wrap_balances_the_columns() -> None:
    assert balanced([10, 10, 10, 10], 2) == [0, 2]
    assert balanced([30, 10, 10, 10], 2) == [0, 1]
    assert balanced([5, 5], 5) == [0, 1]  # never more columns than parts


def _links_inside_columns_are_straight(figure: Figure, snake: Snake, starts: list[int]) -> None:
    ids = {f"{snake.graph.name}-e{p.link}": k for k, p in enumerate(snake.parts)
           if p.link is not None}
    for edge in figure.edges:
        k = ids.get(edge.id)
        if k is None or k in starts:
            continue
        axis = 0 if snake.direction == "TB" else 1  # x constant down a column
        spots = {round(point[axis], 1) for point in edge.path}
        assert len(spots) == 1, f"link {edge.id} bends: {spots}"


def _returning_links_clear_every_node(figure: Figure, snake: Snake, starts: list[int]) -> None:
    returning = {f"{snake.graph.name}-e{snake.parts[k].link}" for k in starts[1:]}
    for edge in figure.edges:
        if edge.id not in returning:
            continue
        for node in figure.nodes.values():
            if node.name in (edge.tail, edge.head):
                continue
            assert not any(node.box.grown(1).hit_by(a, b) for a, b in edge.segments()), (
                f"{edge.id} runs through {node.id}")


def _label_boxes(source: str) -> list[tuple[str, tuple[float, float, float, float]]]:
    """``(edge id, box)`` of every edge label, as in ``tests.geometry``."""
    found = []
    for edge in dot_json(source).get("edges", []):
        size = 14.0
        for op in edge.get("_ldraw_", []):
            if op["op"] == "F":
                size = float(op["size"])
            elif op["op"] == "T":
                (x, y), w = op["pt"], float(op["width"])
                found.append((edge.get("id", ""), (x - w / 2, y - 0.2 * size, x + w / 2,
                                                   y + 0.72 * size)))
    return found


def _arrowheads(source: str) -> list[tuple[str, tuple[float, float, float, float]]]:
    """``(edge id, box)`` of every arrowhead glyph drawn."""
    found = []
    for edge in dot_json(source).get("edges", []):
        xs, ys = [], []
        for op in edge.get("_hdraw_", []):
            if op["op"] in "pPL":
                xs += [p[0] for p in op["points"]]
                ys += [p[1] for p in op["points"]]
            elif op["op"] in "eE":
                cx, cy, rx, ry = op["rect"]
                xs += [cx - rx, cx + rx]
                ys += [cy - ry, cy + ry]
        if xs:
            found.append((edge.get("id", ""), (min(xs), min(ys), max(xs), max(ys))))
    return found


def label_problems(source: str, figure: Figure) -> list[str]:
    """Labels over an arrowhead (of any edge) or over a node's shape."""
    problems = []
    heads = _arrowheads(source)
    for owner, (x0, y0, x1, y1) in _label_boxes(source):
        for edge, (a0, b0, a1, b1) in heads:
            if x0 < a1 and a0 < x1 and y0 < b1 and b0 < y1:
                problems.append(f"the label of {owner} covers the arrowhead of {edge}")
        for node in figure.nodes.values():
            box = node.box.grown(-1)
            if node.shape in ("circle", "doublecircle"):
                box = node.box.grown(-0.3 * node.box.width / 2)
            if x0 < box.x1 and box.x0 < x1 and y0 < box.y1 and box.y0 < y1:
                problems.append(f"the label of {owner} covers node {node.id}")
    return problems


@pytest.mark.parametrize("direction", ["TB", "LR"])
@pytest.mark.parametrize("count", [1, 2, 3, 5])
@pytest.mark.parametrize("spacing", [PRINT, REGULAR], ids=["print", "regular"])
def test_snake_figures_lay_out_cleanly(resnet50_like: Graph, direction: str, count: int,
                                       spacing: object) -> None:
    snake = Snake(resnet50_like, direction=direction, theme="paper",
                  legend=legend_of(resnet50_like), spacing=spacing)  # type: ignore[arg-type]
    wrapped = snake.wrap(count)
    assert wrapped.count == count
    source = wrapped.source()
    figure = read_figure(source)
    assert overlaps(figure) == []
    assert label_problems(source, figure) == []
    _links_inside_columns_are_straight(figure, snake, wrapped.starts)
    _returning_links_clear_every_node(figure, snake, wrapped.starts)
    assert len(figure.clusters) == len(resnet50_like.clusters) + 1  # and the legend's
    drawn = {n.id for n in figure.nodes.values()}
    assert {f"resnet50_like-n{i}" for i in range(len(resnet50_like.nodes))} <= drawn


def test_wrapped_labels_lay_out_cleanly(resnet50_like: Graph) -> None:
    for direction in ("TB", "LR"):
        shown = wrap_labels(resnet50_like, titles=direction == "TB")
        snake = Snake(shown, direction=direction, theme="light", legend=None, spacing=PRINT)
        source = snake.wrap(3).source()
        figure = read_figure(source)
        assert overlaps(figure) == []
        assert label_problems(source, figure) == []


def test_the_snake_is_as_large_as_it_says(resnet50_like: Graph) -> None:
    snake = Snake(resnet50_like, direction="LR", theme="paper", legend=None, spacing=PRINT)
    wrapped = snake.wrap(4)
    x0, y0, x1, y1 = natural_box(layout_json(wrapped.source()))
    width, height = wrapped.size()
    pad = 2 * 72 * float(PRINT.pad)
    assert x1 - x0 <= width + pad + 0.5 and y1 - y0 <= height + pad + 0.5


def test_the_same_snake_twice_is_the_same_text(resnet50_like: Graph) -> None:
    one = Snake(resnet50_like, direction="TB", theme="light", legend=None, spacing=PRINT)
    two = Snake(resnet50_like, direction="TB", theme="light", legend=None, spacing=PRINT)
    assert one.wrap(2).source() == two.wrap(2).source()


def test_fit_wraps_a_long_chain_and_says_so(resnet50_like: Graph) -> None:
    fitted = fit_figure([("", resnet50_like)], parse_box("8.5cmx23cm"), theme="paper")
    assert fitted.fits and fitted.columns > 1
    assert fitted.label_pt >= MIN_LABEL_PT
    assert fitted.width.points <= 8.5 / 2.54 * 72 + 0.5
    assert fitted.height <= 23 / 2.54 * 72 + 0.5
    assert fitted.message().startswith("fit 8.5cmx23cm: ")
    assert ("side by side" in fitted.message() or "one under another" in fitted.message())
    assert "labels" in fitted.message()
    assert overlaps(read_figure(fitted.dot)) == []


def test_fit_keeps_a_direction_it_is_given(resnet50_like: Graph) -> None:
    for direction in ("TB", "LR"):
        fitted = fit_figure([("", resnet50_like)], parse_box("17cmx23cm"), direction=direction)
        assert fitted.direction == direction


def test_a_figure_that_fits_as_it_is_stays_plain_and_unscaled() -> None:
    small = bottleneck_resnet("small", [1])
    fitted = fit_figure([("", small)], parse_box("17cmx23cm"))
    assert (fitted.direction, fitted.columns, fitted.wrapped_labels) == ("TB", 1, False)
    assert fitted.label_pt == pytest.approx(9.0)


def test_the_next_level_of_detail_is_tried_only_when_needed(resnet50_like: Graph) -> None:
    tried: list[str] = []

    def levels():  # type: ignore[no-untyped-def]
        for name, graph in (("", resnet50_like), ("depth 1", bottleneck_resnet("d", [1]))):
            tried.append(name)
            yield name, graph

    assert fit_figure(levels(), parse_box("17cmx23cm")).detail == ""
    assert tried == [""]
    tried.clear()
    fitted = fit_figure(levels(), parse_box("3cmx5cm"))
    assert tried == ["", "depth 1"] and fitted.detail == "depth 1"


def test_nothing_fitting_is_said_and_the_largest_labels_drawn(resnet50_like: Graph) -> None:
    fitted = fit_figure([("", resnet50_like)], parse_box("1cmx1cm"))
    assert not fitted.fits
    assert fitted.message().startswith("nothing fits 1cmx1cm with labels of 6 pt or more; ")
    assert fitted.label_pt < MIN_LABEL_PT
    assert math.isclose(max(fitted.width.points / (1 / 2.54 * 72),
                            fitted.height / (1 / 2.54 * 72)), 1.0, abs_tol=0.01)


@pytest.mark.parametrize(("text", "words"), [
    ("17cm", "is not WIDTHxHEIGHT"),
    ("17cmx", "is not WIDTHxHEIGHT"),
    ("axb", "is not a number and a unit"),
    ("17cmx-3cm", "must be positive"),
    ("17parsecsx3cm", "unknown unit 'parsecs'"),
    ("0cmx3cm", "must be positive"),
])
def test_bad_boxes_are_refused(text: str, words: str) -> None:
    with pytest.raises(UsageError, match=words):
        parse_box(text)


def test_boxes_in_any_unit() -> None:
    assert parse_box("8.5cm x 23cm").width.points == pytest.approx(8.5 / 2.54 * 72)
    assert parse_box("85mmx230mm").height.points == pytest.approx(23 / 2.54 * 72)
    assert parse_box("3.3INX9in").width.points == pytest.approx(3.3 * 72)


def test_long_labels_break_once_and_never_inside_parentheses() -> None:
    assert wrap_text("1x1 2048C 1S 0P") == "1x1 2048C\n1S 0P"
    assert wrap_text("Group 2 x (N - 1) = 5") == "Group 2 x\n(N - 1) = 5"
    assert wrap_text("Linear 10C") == "Linear 10C"
    assert wrap_text("Group 0 Projection\n18,560 params · 18.87 M MACs each") == (
        "Group 0\nProjection\n18,560 params\n18.87 M MACs each")
