"""A tiny reader for the DOT text ``graphviz.Digraph`` writes (one statement a line).

Good enough to assert on shapes, arrowheads, labels and clusters without the
``dot`` binary; not a general DOT parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_ATTR = re.compile(r'\s*([A-Za-z_]+)=("(?:[^"\\]|\\.)*"|[^\s\]]+)')
_NODE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*) \[(.*)\]$")
_EDGE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*) -> ([A-Za-z_][A-Za-z0-9_]*)(?: \[(.*)\])?$")
_SUB = re.compile(r"^\s*subgraph ([A-Za-z_][A-Za-z0-9_]*) \{$")
_BARE = re.compile(r"^\s*((?:[A-Za-z_]+=(?:\"(?:[^\"\\]|\\.)*\"|\S+)\s*)+)$")


def attrs(text: str) -> dict[str, str]:
    """``key=value`` pairs; quoted values unquoted (escapes kept as written)."""
    out = {}
    for key, value in _ATTR.findall(text or ""):
        out[key] = value[1:-1] if value.startswith('"') else value
    return out


@dataclass
class Dot:
    """Statements of a DOT file.

    Attributes:
        name: The graph name.
        graph: Root graph attributes (``graph [...]`` and bare ``key=value`` lines).
        nodes: ``{name: attrs}`` with ``_cluster`` set to the innermost named subgraph
            (anonymous ``{ rank=same ... }`` groups do not count), ``_rank`` to ``same``
            when the node is declared or named again in such a group.
        edges: ``[(src, dst, attrs)]``.
        subgraphs: ``{name: attrs}`` (bare ``key=value`` lines inside it).
    """

    name: str = ""
    graph: dict[str, str] = field(default_factory=dict)
    nodes: dict[str, dict[str, str]] = field(default_factory=dict)
    edges: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    subgraphs: dict[str, dict[str, str]] = field(default_factory=dict)


def parse_dot(text: str) -> Dot:
    """Parse ``Digraph.source`` output."""
    dot = Dot()
    stack: list[str] = []
    lines = text.splitlines()
    head = re.match(r"^digraph (\S+) \{$", lines[0])
    assert head, lines[0]
    dot.name = head.group(1)
    for line in lines[1:]:
        stripped = line.strip()
        if stripped == "}":
            if stack:
                stack.pop()
            continue
        if m := _SUB.match(line):
            stack.append(m.group(1))
            dot.subgraphs[m.group(1)] = {}
            continue
        if stripped == "{":
            stack.append("")
            continue
        if m := re.match(r"^\s*(graph|node|edge) \[(.*)\]$", line):
            if m.group(1) == "graph" and not stack:
                dot.graph.update(attrs(m.group(2)))
            continue
        if m := _EDGE.match(line):
            dot.edges.append((m.group(1), m.group(2), attrs(m.group(3))))
            continue
        if m := _NODE.match(line):
            node = attrs(m.group(2))
            node["_cluster"] = next((name for name in reversed(stack) if name), "")
            if stack and not stack[-1]:
                node["_rank"] = "same"
            dot.nodes[m.group(1)] = node
            continue
        if re.match(r"^\s*[A-Za-z_][A-Za-z0-9_]*$", line) and stack and not stack[-1]:
            if stripped in dot.nodes:  # a node named again inside a rank=same group
                dot.nodes[stripped]["_rank"] = "same"
            continue
        if _BARE.match(line):
            if stack and not stack[-1]:
                continue  # rank=same of an anonymous group
            target = dot.subgraphs[stack[-1]] if stack else dot.graph
            target.update(attrs(stripped))
            continue
        raise AssertionError(f"unparsed DOT line: {line!r}")
    return dot


def figure_nodes(dot: Dot) -> dict[str, dict[str, str]]:
    """The graph's own nodes (named ``n<k>``): no cluster titles (``t<k>``), no legend."""
    return {name: node for name, node in dot.nodes.items() if re.fullmatch(r"n\d+", name)}


def cluster_titles(dot: Dot) -> list[str]:
    """The cluster titles (text nodes ``t<k>``), in cluster order."""
    found = {int(name[1:]): node["label"] for name, node in dot.nodes.items()
             if re.fullmatch(r"t\d+", name)}
    return [found[k] for k in sorted(found)]
