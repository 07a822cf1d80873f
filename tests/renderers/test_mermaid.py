from __future__ import annotations

from dataclasses import replace

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from netviz.errors import UsageError
from netviz.ir import Graph, Kind
from netviz.renderers import render_mermaid
from tests.renderers.graphs import MARKS, Builder, chain
from tests.renderers.mermaid_parse import (
    BOX,
    DOUBLE_CIRCLE,
    Diagram,
    ROUND,
    STADIUM,
    differences,
    parse,
    strip_count,
)

REFERENCE = Path(__file__).parents[1] / "golden" / "reference"


def test_same_structure_as_the_seed_diagram(wrn: Graph) -> None:
    seed = parse((REFERENCE / "wrn28_2.seed-diagram.mmd").read_text(encoding="utf-8"))
    mine = parse(render_mermaid(wrn))
    assert differences(seed, mine) == []
    assert {strip_count(t) for t in mine.groups} == set(seed.groups)
    assert "Group 0 x (N - 1) = 3" in mine.groups


def test_seed_vocabulary(wrn: Graph) -> None:
    text = render_mermaid(wrn)
    lines = text.splitlines()
    assert lines[0] == "graph TD"
    assert '    n0["Input"]' in lines and '    n1("3x3 16C 1S 1P")' in lines
    assert '        n2((("16C")))' in lines and '        n5(["+"])' in lines
    assert "        n2 --o n3" in lines and "    n0 --> n1" in lines
    assert '    subgraph c0[" "]' in lines  # titled by a node (Mermaid's label is crossed)
    assert '        c0t["Group 0 Projection"]:::netvizTitle' in lines
    assert text.count("\n    end\n") == 6
    shapes = Counter(shape for shape, _ in parse(text).nodes.values())
    assert shapes == {ROUND: 16, BOX: 4, DOUBLE_CIRCLE: 6, STADIUM: 6}


def test_nodes_are_declared_inside_their_subgraph(wrn: Graph) -> None:
    diagram = parse(render_mermaid(wrn))
    group = diagram.groups["Group 1 Projection"]
    assert sorted(diagram.nodes[n][1] for n in group) == [
        "+", "1x1 64C 2S 0P", "32C", "3x3 64C 1S 1P", "3x3 64C 2S 1P"
    ]
    clustered = set().union(*diagram.groups.values())
    outside = {diagram.nodes[n][1] for n in diagram.nodes if n not in clustered}
    assert outside == {"Input", "3x3 16C 1S 1P", "AvgPool 8x8 1S 0P", "Linear 10C", "Output"}


def test_other_marks_are_labelled_links(all_marks: Graph) -> None:
    diagram = parse(render_mermaid(all_marks))
    assert list(zip((k for _, _, k in diagram.edges), diagram.edge_labels)) == [
        ("--o", None),
        ("--o", "IN → PReLU"),
        ("-->", "BN"),
        ("-->", "ReLU"),
        ("-->", "BN → ReLU → Dropout"),
    ]


def test_deterministic_ids(wrn: Graph) -> None:
    text = render_mermaid(wrn)
    assert text == render_mermaid(wrn)
    diagram = parse(text)
    assert list(diagram.nodes) == [f"n{i}" for i in range(len(wrn.nodes))]
    assert [s[0] for s in diagram.subgraphs] == [f"c{i}" for i in range(6)]


def test_direction_and_theme(wrn: Graph) -> None:
    assert render_mermaid(wrn, direction="LR").startswith("graph LR\n")
    dark = render_mermaid(wrn, theme="dark")
    assert dark.splitlines()[0] == '%%{init: {"theme": "dark"}}%%'
    assert dark.splitlines()[1:] == render_mermaid(wrn).splitlines()
    assert parse(dark).direction == "TD"
    with pytest.raises(UsageError):
        render_mermaid(wrn, theme="sepia")
    with pytest.raises(UsageError):
        render_mermaid(wrn, direction="RL")


def legend_rows(diagram: Diagram) -> list[list[tuple[str, str]]]:
    """The legend's shape rows: (shape, label) of the glyph and of its words."""
    return [sorted(diagram.nodes[n] for n in members)
            for sub, _, members in diagram.subgraphs if sub.startswith("legend_s")]


def test_legend_like_the_seed(wrn: Graph) -> None:
    assert "legend" not in render_mermaid(wrn)
    diagram = parse(render_mermaid(wrn, legend=True))
    ref = parse((REFERENCE / "notation-legend.seed.mmd").read_text(encoding="utf-8"))
    eq = diagram.groups["These are equivalent"]
    assert sorted(diagram.nodes[n][1] for n in eq) == ["A", "A", "B", "B", "BatchNorm2d", "ReLU"]
    legend_edges = [e for e in diagram.edges if e[0] in eq]
    assert Counter(k for *_, k in legend_edges) == Counter(k for *_, k in ref.edges)
    assert legend_rows(diagram) == [  # a small glyph, its words beside it (a row LR)
        [(BOX, "Conv Block"), (ROUND, " ")], [(BOX, "Data"), (DOUBLE_CIRCLE, " ")],
        [(BOX, "Add"), (STADIUM, "+")],
    ]
    # The main figure is unchanged by the legend.
    main = parse(render_mermaid(wrn))
    assert all(diagram.nodes[n] == main.nodes[n] for n in main.nodes)


def test_legend_lists_only_used_marks(all_marks: Graph) -> None:
    diagram = parse(render_mermaid(all_marks, legend=True))
    eq = diagram.groups["These are equivalent"]
    glyph_edges = [(k, label) for (s, _, k), label in zip(diagram.edges, diagram.edge_labels)
                   if s in eq and (k == "--o" or label)]
    assert glyph_edges == [("--o", None), ("--o", "IN → PReLU"), ("-->", "BN"),
                           ("-->", "ReLU"), ("-->", "BN → ReLU → Dropout")]
    assert legend_rows(diagram) == [[(BOX, "Conv Block"), (ROUND, " ")]]

    only_act = parse(render_mermaid(chain("g", [None, MARKS["act"]]), legend=True))
    assert "--o" not in {k for _, _, k in only_act.edges}
    labels = [diagram_label for diagram_label in only_act.edge_labels if diagram_label]
    assert labels == ["ReLU", "ReLU"]


def test_empty_legend_is_omitted() -> None:
    b = Builder("g")
    b.node("i", Kind.INPUT, "Input")
    b.node("o", Kind.OUTPUT, "Output")
    b.edge("i", "o")
    assert "legend" not in render_mermaid(b.graph(), legend=True)


def test_golden(wrn: Graph, all_marks: Graph, golden: Callable[[str, str], None]) -> None:
    golden("renderers/wrn28_2.mmd", render_mermaid(wrn))
    golden("renderers/all_marks.legend.dark.LR.mmd",
           render_mermaid(all_marks, legend=True, theme="dark", direction="LR"))


def test_paper_theme_and_caption(wrn: Graph) -> None:
    """The paper theme is Mermaid's black-and-white ``neutral``; a caption (the
    annotation's totals) is the diagram's front-matter title."""
    captioned = replace(wrn, caption='1,467,610 params · "x" #1')
    lines = render_mermaid(captioned, theme="paper").splitlines()
    assert lines[:4] == ["---", 'title: "1,467,610 params · \\"x\\" #1"', "---",
                         '%%{init: {"theme": "neutral"}}%%']
    assert lines[4:] == render_mermaid(wrn).splitlines()
    assert parse("\n".join(lines)).title == '1,467,610 params · "x" #1'
