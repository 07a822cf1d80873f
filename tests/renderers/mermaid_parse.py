"""A small structural parser for the Mermaid flowcharts netviz writes and the seed's.

Understands what both use: ``graph TD|LR``; node shapes ``id(…)``, ``id(((…)))``,
``id([…])``, ``id[…]`` (labels bare or ``"quoted"`` with ``#code;`` entities and
``<br>``); chains ``A --> B --o C``; a line starting with a link continues from the
last node of the previous statement (the seed's style); links with ``|label|``;
``subgraph id[title]`` / ``subgraph id["title"]`` / ``subgraph title`` … ``end``
(a node belongs to the innermost subgraph that mentions it first, as in Mermaid);
``direction``, ``classDef``/``class``/``style``/``linkStyle`` (styling), ``%%`` comments
and ``%%{init}%%`` directives are skipped.

``structure()`` reduces a diagram to id-free multisets, so two diagrams drawn with
different ids compare equal exactly when they have the same labelled nodes, edges
and groups (up to Weisfeiler-Lehman refinement). Used by renderer and e2e tests.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from dataclasses import dataclass, field

ROUND, DOUBLE_CIRCLE, STADIUM, BOX, CIRCLE, SUBROUTINE, RHOMBUS = (
    "round", "double-circle", "stadium", "box", "circle", "subroutine", "rhombus",
)
# Longest opener first.
_SHAPES = [
    ("(((", ")))", DOUBLE_CIRCLE),
    ("((", "))", CIRCLE),
    ("([", "])", STADIUM),
    ("[[", "]]", SUBROUTINE),
    ("(", ")", ROUND),
    ("[", "]", BOX),
    ("{", "}", RHOMBUS),
]
_ID = re.compile(r"[A-Za-z0-9_]+")
_LINK = re.compile(r"(-->|--o|--x|---|~~~|==>|-\.->)(?:\|([^|]*)\|)?")
_CLASS = re.compile(r":::[A-Za-z0-9_]+")
_TITLE_NODE = re.compile(r'^[A-Za-z0-9_]+\[(".*")\]:::netvizTitle$')
_SUBGRAPH = re.compile(r"subgraph\s+(?P<id>[A-Za-z0-9_]+)\s*(?:\[(?P<title>.*)\])?\s*$")
_CODE = re.compile(r"#(\w+);")
_COUNT = re.compile(r"\s*=\s*\d+\s*$")


class MermaidSyntaxError(ValueError):
    """A line the parser does not understand."""


@dataclass
class Diagram:
    """A parsed flowchart.

    Attributes:
        direction: ``TD``, ``LR``, … from the header.
        nodes: ``{id: (shape, label)}``.
        edges: ``[(src, dst, kind)]`` with kind ``-->`` or ``--o`` (or other links).
        edge_labels: The ``|label|`` of each edge (``None`` when absent), same order.
        subgraphs: ``[(id, title, node ids)]`` in closing order (innermost first).
    """

    direction: str = ""
    nodes: dict[str, tuple[str, str]] = field(default_factory=dict)
    edges: list[tuple[str, str, str]] = field(default_factory=list)
    edge_labels: list[str | None] = field(default_factory=list)
    subgraphs: list[tuple[str, str, frozenset[str]]] = field(default_factory=list)
    title: str = ""

    @property
    def groups(self) -> dict[str, set[str]]:
        """``{title: node ids}`` (duplicate titles merged)."""
        out: dict[str, set[str]] = {}
        for _, title, members in self.subgraphs:
            out.setdefault(title, set()).update(members)
        return out


def decode(text: str) -> str:
    """Undo Mermaid's quoting: strip quotes, decode ``#code;`` entities and ``<br>``."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]

    def entity(match: re.Match[str]) -> str:
        code = match.group(1)
        if code.isdigit():
            return chr(int(code))
        decoded = html.unescape(f"&{code};")
        return match.group(0) if decoded == f"&{code};" else decoded

    return _CODE.sub(entity, text.replace("<br>", "\n"))


def parse(text: str) -> Diagram:
    """Parse Mermaid flowchart ``text`` into a [`Diagram`][]."""
    diagram = Diagram()
    stack: list[tuple[str, str, list[str]]] = []
    claimed: set[str] = set()
    last: str | None = None
    lines = text.splitlines()
    if lines and lines[0] == "---":  # front matter: `title: "..."` (JSON-quoted) until `---`
        end = lines.index("---", 1)
        for entry in lines[1:end]:
            key, _, value = entry.partition(":")
            if key == "title":
                diagram.title = json.loads(value.strip())
        lines = [""] * (end + 1) + lines[end + 1 :]
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("%%"):
            continue
        if not diagram.direction:
            head = line.split()
            if head[0] not in ("graph", "flowchart"):
                raise MermaidSyntaxError(f"line {number}: expected 'graph', got {line!r}")
            diagram.direction = head[1] if len(head) > 1 else "TD"
            continue
        if line.startswith(("direction ", "classDef ", "class ", "style ", "linkStyle ")):
            continue  # layout and styling (a diff figure's marks)
        if line == "end":
            if not stack:
                raise MermaidSyntaxError(f"line {number}: 'end' without 'subgraph'")
            sub_id, title, mentioned = stack.pop()
            members = frozenset(dict.fromkeys(m for m in mentioned if m not in claimed))
            claimed |= members
            diagram.subgraphs.append((sub_id, title, members))
            if stack:
                stack[-1][2].extend(members)
            last = None
            continue
        match = _SUBGRAPH.match(line)
        if match:
            title = match.group("title")
            stack.append((match.group("id"), decode(title) if title is not None else match.group("id"), []))
            last = None
            continue
        if line.startswith("subgraph "):
            title = line[len("subgraph "):].strip()
            stack.append((title, decode(title), []))
            continue
        if line.startswith(("classDef ", "style ")):
            continue
        titled = _TITLE_NODE.match(line)
        if titled and stack:  # netviz's subgraph title: a borderless node inside it
            sub_id, _, mentioned = stack[-1]
            stack[-1] = (sub_id, decode(titled.group(1)), mentioned)
            continue
        mentioned, last = _statement(diagram, line, last, number)
        if stack:
            stack[-1][2].extend(mentioned)
    if stack:
        raise MermaidSyntaxError(f"subgraph {stack[-1][0]!r} is never closed")
    return diagram


def _statement(diagram: Diagram, line: str, last: str | None, number: int) -> tuple[list[str], str]:
    """Parse one chain; returns the node ids it mentions and its last node."""
    pos = 0
    mentioned: list[str] = []
    src: str | None = None
    link = _LINK.match(line)
    if link:
        if last is None:
            raise MermaidSyntaxError(f"line {number}: link with nothing before it: {line!r}")
        src = last
    while True:
        if src is not None:
            link = _LINK.match(line, pos)
            if not link:
                break
            pos = _skip(line, link.end())
            dst, pos = _node(diagram, line, pos, number)
            diagram.edges.append((src, dst, link.group(1)))
            diagram.edge_labels.append(decode(link.group(2)) if link.group(2) is not None else None)
            mentioned.append(dst)
            src = dst
        else:
            src, pos = _node(diagram, line, pos, number)
            mentioned.append(src)
        pos = _skip(line, pos)
    if pos != len(line):
        raise MermaidSyntaxError(f"line {number}: cannot parse {line[pos:]!r}")
    assert src is not None
    return mentioned, src


def _skip(line: str, pos: int) -> int:
    while pos < len(line) and line[pos] in " \t;":
        pos += 1
    return pos


def _node(diagram: Diagram, line: str, pos: int, number: int) -> tuple[str, int]:
    """Parse ``id`` with an optional shape at ``pos``; record it; return id and new pos."""
    match = _ID.match(line, pos)
    if not match:
        raise MermaidSyntaxError(f"line {number}: expected a node id at {line[pos:]!r}")
    node_id, pos = match.group(0), match.end()
    for opener, closer, shape in _SHAPES:
        if line.startswith(opener, pos):
            start = pos + len(opener)
            if line.startswith('"', start):
                quote_end = line.index('"', start + 1)
                end = quote_end + 1
                if not line.startswith(closer, end):
                    raise MermaidSyntaxError(f"line {number}: expected {closer!r} after label")
            else:
                end = line.find(closer, start)
                if end < 0:
                    raise MermaidSyntaxError(f"line {number}: unclosed {opener!r}")
            label = decode(line[start:end])
            if node_id not in diagram.nodes or diagram.nodes[node_id][0] == "":
                diagram.nodes[node_id] = (shape, label)
            end += len(closer)
            styled = _CLASS.match(line, end)  # ``:::class``: a style, not structure
            return node_id, styled.end() if styled else end
    diagram.nodes.setdefault(node_id, ("", node_id))
    return node_id, pos


def strip_count(title: str) -> str:
    """A group title without a trailing ``= <n>`` count (``Group 0 x (N - 1)``)."""
    return _COUNT.sub("", title)


def structure(diagram: Diagram, rounds: int = 4) -> dict[str, Counter]:
    """Id-free multisets describing ``diagram``.

    Keys: ``nodes`` (shape, label); ``edges`` (src node, dst node, kind, label);
    ``groups`` (title without count, member nodes); ``wl`` Weisfeiler-Lehman colours
    that also capture which node connects to which. Bare nodes count as ``box``.
    """
    base = {nid: ((shape or BOX), label) for nid, (shape, label) in diagram.nodes.items()}
    title_of: dict[str, str] = {}
    for _, title, members in diagram.subgraphs:
        for member in members:
            title_of.setdefault(member, strip_count(title))
    colour = {nid: repr((sig, title_of.get(nid, ""))) for nid, sig in base.items()}
    for _ in range(rounds):
        colour = {
            nid: repr((
                colour[nid],
                sorted((kind, colour[dst]) for src, dst, kind in diagram.edges if src == nid),
                sorted((kind, colour[src]) for src, dst, kind in diagram.edges if dst == nid),
            ))
            for nid in colour
        }
    return {
        "nodes": Counter(base.values()),
        "edges": Counter(
            (base[src], base[dst], kind, label)
            for (src, dst, kind), label in zip(diagram.edges, diagram.edge_labels)
        ),
        "groups": Counter(
            (strip_count(title), tuple(sorted(Counter(base[m] for m in members).items())))
            for _, title, members in diagram.subgraphs
        ),
        "wl": Counter(colour.values()),
    }


def differences(a: Diagram, b: Diagram) -> list[str]:
    """Human-readable differences between the structures of ``a`` and ``b``."""
    sa, sb = structure(a), structure(b)
    out = []
    for key in sa:
        if sa[key] != sb[key]:
            only_a, only_b = sa[key] - sb[key], sb[key] - sa[key]
            out.append(f"{key}: only in first {dict(only_a)}; only in second {dict(only_b)}")
    return out
