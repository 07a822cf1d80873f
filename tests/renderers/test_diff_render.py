"""Diff figures and the text form: golden files (DOT, Mermaid, txt, md), clean layouts for
every diff figure, and marks that never rest on colour alone."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from netviz.ir import ChangeKind
from netviz.renderers import render_dot, render_mermaid
from netviz.renderers.diff_text import NO_DIFFERENCES, render_diff_markdown, render_diff_text
from netviz.transforms.diff import Comparison, compare
from tests.geometry import alignment_problems, overlaps, read_figure
from tests.renderers.mermaid_parse import parse
from tests.transforms.diff_nets import BASE, Block, notation

EVERY_MARK = [Block(16), Block(16), Block(32, 2, "identity", extra=True), Block(32), Block(48)]
"""B for A = ``BASE``: a shorter run (``x N = 3 → 2``), a projection lost (its ghost) and
a conv added in one block (``Projection → Block``), a stage's run shorter, a stage added
(a wider block), the head's input wider (its parameters changed): every kind of mark."""

PAIRS = {
    "every-mark": (BASE, EVERY_MARK),
    "extra-op": (BASE, [*BASE[:3], replace(BASE[3], extra=True), *BASE[4:]]),
    "removed-shortcut": (BASE, [*BASE[:3], replace(BASE[3], shortcut="identity"), *BASE[4:]]),
    "removed-sum": (BASE, [Block(16), Block(16, shortcut="none"), Block(16), *BASE[3:]]),
    "added-sum": ([Block(16), Block(16, shortcut="none"), Block(16), *BASE[3:]], BASE),
    "deeper": (BASE, [*BASE, Block(32), Block(32)]),
    "wider": (BASE, [replace(b, width=2 * b.width) for b in BASE]),
    "removed-stage": (BASE, BASE[:3]),
    "added-stage": (BASE[:3], BASE),
}
"""Hand-built pairs (A, B) of block lists, one per kind of difference."""


def diff_of(name: str) -> Comparison:
    a, b = PAIRS[name]
    return compare(notation(a, "A"), notation(b, "B"))


def test_golden_dot_and_mermaid(golden) -> None:  # type: ignore[no-untyped-def]
    graph = diff_of("every-mark").graph
    golden("renderers/diff.every-mark.dot", render_dot(graph, legend=True))
    golden("renderers/diff.every-mark.paper.dot", render_dot(graph, legend=True, theme="paper"))
    golden("renderers/diff.every-mark.mmd", render_mermaid(graph, legend=True))


def test_golden_text_forms(golden) -> None:  # type: ignore[no-untyped-def]
    diff = diff_of("every-mark")
    golden("renderers/diff.every-mark.txt", render_diff_text(diff))
    golden("renderers/diff.every-mark.md", render_diff_markdown(diff))


def test_the_every_mark_pair_has_every_mark() -> None:
    graph = diff_of("every-mark").graph
    marked = {(type(x).__name__, x.change.kind)
              for x in (*graph.nodes, *graph.edges, *graph.clusters) if x.change is not None}
    for kind in ChangeKind:
        assert ("Node", kind) in marked
    assert ("Cluster", ChangeKind.CHANGED) in marked
    assert ("Edge", ChangeKind.REMOVED) in marked and ("Edge", ChangeKind.ADDED) in marked


def test_identical_text_says_so() -> None:
    diff = compare(notation(BASE, "A"), notation(BASE, "B"))
    text = render_diff_text(diff)
    assert text.splitlines()[0] == f"A → B: {NO_DIFFERENCES}"
    assert render_diff_markdown(diff).splitlines()[0] == f"A → B: {NO_DIFFERENCES}"


@pytest.mark.needs_dot
@pytest.mark.parametrize("name", sorted(PAIRS))
@pytest.mark.parametrize(("direction", "theme"), [("TB", "light"), ("LR", "paper")])
def test_every_diff_figure_lays_out_cleanly(name: str, direction: str, theme: str) -> None:
    graph = diff_of(name).graph
    figure = read_figure(render_dot(graph, direction=direction, theme=theme, legend=True))
    assert overlaps(figure) == []
    assert alignment_problems(graph, figure, direction) == []


def _dot_statements(source: str) -> dict[str, str]:
    """Each node's and edge's DOT attribute text, by its ``id``."""
    found = {}
    for line in source.splitlines():
        match = re.search(r'\[(.*\bid="?([^",\]\s]+)"?.*)\]', line)
        if match:
            found[match.group(2)] = match.group(1)
    return found


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_paper_marks_are_not_colour_alone(name: str) -> None:
    """In the paper theme every added part is drawn thick, every removed one dashed or
    dotted (a block also says so in its title), every changed one says ``old → new``."""
    graph = diff_of(name).graph
    source = render_dot(graph, theme="paper")
    attrs = _dot_statements(source)
    prefix = re.sub(r"[^A-Za-z0-9_-]+", "_", graph.name).strip("_")
    for index, node in enumerate(graph.nodes):
        if node.change is None:
            continue
        text = attrs[f"{prefix}-n{index}"]
        if node.change.kind is ChangeKind.ADDED:
            assert float(re.search(r"penwidth=\"?([\d.]+)", text).group(1)) >= 1.5, text  # type: ignore[union-attr]
        elif node.change.kind is ChangeKind.REMOVED:
            assert "dashed" in text, text
        else:
            assert "→" in node.label, node.label
    for index, edge in enumerate(graph.edges):
        if edge.change is not None and edge.change.kind is ChangeKind.REMOVED:
            assert "dashed" in attrs[f"{prefix}-e{index}"]
        if edge.change is not None and edge.change.kind is ChangeKind.ADDED:
            assert "penwidth" in attrs[f"{prefix}-e{index}"]
    for cluster in graph.clusters:
        if cluster.change is not None and cluster.change.kind is ChangeKind.REMOVED:
            assert cluster.title.endswith("(removed)")
        if cluster.change is not None and cluster.change.kind is ChangeKind.ADDED:
            assert cluster.title.endswith("(added)")
        if cluster.change is not None and cluster.change.kind is ChangeKind.CHANGED:
            assert "→" in cluster.title


def _cluster_styles(source: str) -> list[str]:
    """The ``style`` of each cluster of a DOT figure, in order."""
    return re.findall(r'\n\t\t\S.*?\bid="[^"]*-c\d+" .*?style="?([^"\n]*)"?\n', source)


def test_removed_blocks_are_dotted_where_every_block_is_dashed() -> None:
    graph = diff_of("removed-stage").graph
    paper = _cluster_styles(render_dot(graph, theme="paper"))
    assert paper == ["rounded,dashed", "rounded,dotted", "rounded,dotted"]
    assert _cluster_styles(render_dot(graph)) == ["rounded", "rounded,dashed", "rounded,dashed"]


def test_mermaid_styles_the_marks() -> None:
    graph = diff_of("every-mark").graph
    text = render_mermaid(graph, legend=True)
    parsed = parse(text)
    assert len(parsed.edges) >= len(graph.edges)
    names = {node.id: f"n{i}" for i, node in enumerate(graph.nodes)}
    for kind in ChangeKind:
        marked = [names[n.id] for n in graph.nodes if n.change is not None and n.change.kind is kind]
        assert marked and f"    class {','.join(marked)} {kind.value}" in text.splitlines()
    assert "stroke-dasharray" in text and "stroke-width:3px" in text
    links = [line for line in text.splitlines() if line.strip().startswith("linkStyle")]
    counted = sum(len(line.split()[1].split(",")) for line in links)
    assert counted == sum(e.change is not None for e in graph.edges)


def test_a_figure_without_marks_has_no_diff_styles() -> None:
    text = render_mermaid(notation(BASE), legend=True)
    # (the borderless title nodes and legend rows have a style of their own)
    assert not any(f"classDef {kind.value}" in text for kind in ChangeKind)
    assert "linkStyle" not in text and "stroke-dasharray" not in text
    assert not [line for line in text.splitlines() if line.strip().startswith("style ")
                and "fill:none,stroke:none" not in line]


def test_a_changed_mark_says_what_it_was() -> None:
    from netviz.ir import Change, Edge

    graph = notation(BASE)
    edges = list(graph.edges)
    k = next(i for i, e in enumerate(edges) if e.mark is not None)
    edges[k] = replace(edges[k], change=Change(ChangeKind.CHANGED, "BN → ReLU", "BN → GELU"))
    marked = replace(graph, edges=tuple(edges))
    assert "was BN → ReLU" in render_dot(marked)
    assert "was BN → ReLU" in render_mermaid(marked)
