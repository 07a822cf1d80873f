from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from netviz.ir import Graph
from netviz.renderers import render_mermaid
from tests.renderers.mermaid_parse import (
    BOX,
    DOUBLE_CIRCLE,
    ROUND,
    STADIUM,
    MermaidSyntaxError,
    decode,
    differences,
    parse,
    strip_count,
)

SEED = Path(__file__).parents[1] / "golden" / "reference" / "wrn28_2.seed-diagram.mmd"


@pytest.fixture(scope="module")
def seed():
    return parse(SEED.read_text(encoding="utf-8"))


def test_seed_chained_syntax(seed) -> None:
    assert seed.direction == "TD"
    assert seed.nodes["X"] == (BOX, "Input")
    assert seed.nodes["X0"] == (ROUND, "3x3 16C 1S 1P")
    assert seed.nodes["G0IN"] == (DOUBLE_CIRCLE, "16C")
    assert seed.nodes["G0INADD"] == (STADIUM, "+")
    # continuation lines: "--o G0IN1(...)" continues from G0IN
    assert ("G0IN", "G0IN1", "--o") in seed.edges
    assert ("G0IN1", "G0IN2", "--o") in seed.edges
    assert ("G0IN2", "G0INADD", "-->") in seed.edges
    assert ("G0IN", "G0INProj", "--o") in seed.edges and ("G0INProj", "G0INADD", "-->") in seed.edges
    assert ("X", "X0", "-->") in seed.edges and ("X0", "G0IN", "-->") in seed.edges
    assert ("G2ADD", "AP", "--o") in seed.edges and ("L", "O", "-->") in seed.edges
    assert len(seed.nodes) == 32 and len(seed.edges) == 37


def test_seed_groups(seed) -> None:
    assert seed.groups["Group 0 Projection"] == {"G0IN", "G0IN1", "G0IN2", "G0INADD", "G0INProj"}
    assert seed.groups["Group 2 x (N - 1)"] == {"G2", "G21", "G22", "G2ADD"}
    assert len(seed.groups) == 6


def test_decode_and_strip_count() -> None:
    assert decode('"a#quot;b#lt;#35;#124;<br>c"') == 'a"b<#|\nc'
    assert decode("plain (x)") == "plain (x)"
    assert decode("#nosuchentity;") == "#nosuchentity;"
    assert strip_count("Group 0 x (N - 1) = 3") == "Group 0 x (N - 1)"
    assert strip_count("Group 0 Projection") == "Group 0 Projection"


@pytest.mark.parametrize(
    "text",
    ["flow TD\nA-->B", "graph TD\n--> B", "graph TD\nsubgraph X\nA", "graph TD\nend",
     "graph TD\nA(unclosed", "graph TD\nA --> B junk!"],
)
def test_rejects_malformed(text: str) -> None:
    with pytest.raises(MermaidSyntaxError):
        parse(text)


def test_structure_detects_each_kind_of_change(seed, wrn: Graph) -> None:
    assert differences(seed, parse(render_mermaid(wrn))) == []
    # an edge kind flipped
    flipped = list(wrn.edges)
    flipped[0] = replace(flipped[0], mark=wrn.edges[2].mark)
    assert differences(seed, parse(render_mermaid(replace(wrn, edges=tuple(flipped)))))
    # a label changed
    nodes = list(wrn.nodes)
    nodes[1] = replace(nodes[1], label="3x3 16C 2S 1P")
    assert differences(seed, parse(render_mermaid(replace(wrn, nodes=tuple(nodes)))))
    # an edge rewired to a node with the same label elsewhere (only WL sees this)
    edges = list(wrn.edges)
    i = next(k for k, e in enumerate(edges) if e.src == "block1.layer.0.shortcut")
    edges[i] = replace(edges[i], dst="block1.layer.1.add")
    diff = differences(seed, parse(render_mermaid(replace(wrn, edges=tuple(edges)))))
    assert [d.split(":")[0] for d in diff] == ["wl"]
    # a group title changed
    clusters = list(wrn.clusters)
    clusters[0] = replace(clusters[0], title="Group 9 Projection")
    assert differences(seed, parse(render_mermaid(replace(wrn, clusters=tuple(clusters)))))
