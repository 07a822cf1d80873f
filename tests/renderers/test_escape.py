"""Labels from user code must not break any output format nor inject markup (issue 6)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest

from netviz.ir import Graph
from netviz.renderers import render_binary, render_dot, render_mermaid
from netviz.renderers.escape import clean, dot_id, dot_label, mermaid_label
from tests.renderers.dot_parse import parse_dot
from tests.renderers.mermaid_parse import parse
from tests.renderers.nasty import NASTY, nasty_graph

SVG = "{http://www.w3.org/2000/svg}"
SVG_TAGS = {"svg", "g", "title", "text", "polygon", "path", "ellipse", "polyline"}


def shown(label: str) -> str:
    """What the figure must show for ``label``."""
    return clean(label) or "MyOp"


def plain_graph() -> Graph:
    graph = nasty_graph("plain")
    return replace(
        graph,
        nodes=tuple(replace(n, label="x") for n in graph.nodes),
        edges=tuple(replace(e, mark=replace(e.mark, label=f"m{i}")) for i, e in enumerate(graph.edges)),
        clusters=tuple(replace(c, title="t") for c in graph.clusters),
    )


@pytest.mark.parametrize("label", NASTY)
def test_dot_label_is_one_literal_line(label: str) -> None:
    text = str(dot_label(label))
    assert "\n" not in text and "\r" not in text
    assert not re.search(r"&(?!amp;)", text)  # every & escaped, so no entity is decoded
    assert not re.search(r"(?<!\\)(\\\\)*\\[^\\n]", text)  # only \\ and \n escapes


def test_dot_source_keeps_one_statement_per_label() -> None:
    source = render_dot(nasty_graph(), legend=True)
    dot = parse_dot(source)
    assert len(dot.nodes) >= len(NASTY)
    nodes = [dot.nodes[f"n{i}"] for i in range(len(NASTY))]
    assert all(n["shape"] == "box" for n in nodes)
    assert len(dot.edges) >= len(NASTY) - 1
    assert dot.name == "evil_name"
    assert source.count("\n") == render_dot(plain_graph(), legend=True).count("\n")


@pytest.mark.needs_dot
def test_svg_shows_every_label_literally_and_injects_nothing() -> None:
    graph = nasty_graph()
    svg = render_binary(render_dot(graph, legend=True), "svg")
    root = ET.fromstring(svg)  # well-formed XML
    tags = {el.tag.removeprefix(SVG) for el in root.iter()}
    assert tags <= SVG_TAGS, tags - SVG_TAGS
    groups = {el.get("id"): el for el in root.iter(f"{SVG}g")}

    def text(element_id: str) -> str:
        return "\n".join(t.text or "" for t in groups[element_id].iter(f"{SVG}text"))

    for i, label in enumerate(NASTY):
        assert text(f"evil_name-n{i}") == shown(label)
        assert text(f"evil_name-c{i}-title") == clean(label or "untitled")  # a title node
    for i, label in enumerate(NASTY[:-1]):
        assert text(f"evil_name-e{i}") == clean(label or "w")
    assert not any(el.get("id", "").startswith(("node", "edge", "clust")) for el in root.iter())


@pytest.mark.parametrize("label", NASTY)
def test_mermaid_label_has_no_structural_characters(label: str) -> None:
    text = mermaid_label(label)
    assert text[0] == text[-1] == '"'
    inner = re.sub(r"#(?:\d+|quot|amp|lt|gt);", "", text[1:-1])  # the codes we write
    assert not set(inner) & set('#"\n\r|%`;:\\&')
    assert not re.search(r"<(?!br>)", inner) and not re.search(r"(?<!<br)>", inner)


def test_mermaid_lines_stay_intact_and_labels_round_trip() -> None:
    graph = nasty_graph()
    text = render_mermaid(graph, legend=True)
    plain = render_mermaid(plain_graph(), legend=True)
    assert len(text.splitlines()) == len(plain.splitlines())
    shapes = [re.sub(r'"[^"]*"', '""', line) for line in text.splitlines()]
    assert shapes == [re.sub(r'"[^"]*"', '""', line) for line in plain.splitlines()]
    diagram = parse(text)
    for i, label in enumerate(NASTY):
        assert diagram.nodes[f"n{i}"] == ("box", shown(label))
    assert [s[1] for s in diagram.subgraphs[: len(NASTY)]] == [clean(x or "untitled") for x in NASTY]
    assert diagram.edge_labels[: len(NASTY) - 1] == [clean(x or "w") for x in NASTY[:-1]]


def test_dot_id_is_safe() -> None:
    for name in NASTY + ["wrn28_2", "9lives", "a.b/c d"]:
        ident = dot_id(name)
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", ident)
    assert dot_id("wrn28_2") == "wrn28_2"
