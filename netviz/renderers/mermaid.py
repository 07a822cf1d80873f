"""The notation graph as Mermaid, in the seed's own vocabulary.

``graph TD``; conv ``id("…")`` (rounded), data ``id((("…")))`` (double circle),
add ``id(["+"])``, every other op ``id["…"]``; the BN → ReLU edge ``A --o B``, a
plain edge ``A --> B`` and other marks labelled per the glyph table; one
``subgraph`` per cluster with its nodes (and the edges between them) inside, titled
by a borderless node ``cNt["Group 0 Projection"]:::netvizTitle`` (Mermaid would draw
the subgraph's own label where the entering edge runs).
Ids are ``n0, n1, …`` by node order and ``c0, c1, …`` by cluster order.
"""

from __future__ import annotations

import json

from netviz.ir import Change, ChangeKind, Edge, Graph, Kind, Node
from netviz.renderers import changes
from netviz.renderers.escape import mermaid_label
from netviz.renderers.glyphs import glyph_for, mark_text
from netviz.renderers.layout import check_edges, cluster_owner, is_box, layout, node_text
from netviz.renderers.legend import (
    BOX_TEXT,
    EQUIVALENT_TITLE,
    LEGEND_TITLE,
    SAMPLE_TEXT,
    Legend,
    legend_of,
)
from netviz.renderers.theme import Theme, check_direction, get_theme

_INDENT = "    "
_SHAPES: dict[Kind, tuple[str, str]] = {
    Kind.CONV: ("(", ")"),
    Kind.DATA: ("(((", ")))"),
    Kind.ADD: ("([", "])"),
}
_BOX = ("[", "]")
_MODULE = ("[[", "]]")
_MERMAID_DIRECTION = {"TB": "TD", "LR": "LR"}
_MERMAID_THEMES = {"dark": "dark", "paper": "neutral"}
TITLE_CLASS = "netvizTitle"
"""Class of the nodes that title the subgraphs (no border, no fill)."""
"""Mermaid's theme for each netviz theme but ``light`` (Mermaid's default)."""


def mermaid_node(name: str, kind: Kind, text: str, *, box: bool = False) -> str:
    """One node declaration: ``name`` with the shape of ``kind`` (``box``: a module drawn
    as one box, Mermaid's subroutine ``[[…]]``) and a quoted label."""
    left, right = _MODULE if box else _SHAPES.get(kind, _BOX)
    return f"{name}{left}{mermaid_label(text)}{right}"


def mermaid_edge(src: str, dst: str, edge: Edge | None) -> str:
    """One link: ``-->``, ``--o`` for BN → ReLU, or a labelled glyph for other marks (and,
    in a diff figure, what a changed edge's fused ops were)."""
    mark = edge.mark if edge is not None else None
    glyph = glyph_for(mark)
    texts = [mark_text(mark)] if glyph is not None and mark is not None and glyph.labelled else []
    texts += filter(None, [changes.edge_note(edge)] if edge is not None else [])
    link = glyph.mermaid if glyph is not None else "-->"
    if texts:
        return f"{src} {link}|{mermaid_label(chr(10).join(texts))}| {dst}"
    return f"{src} {link} {dst}"


def render_mermaid(
    graph: Graph, *, direction: str = "TB", theme: str = "light", legend: bool = False
) -> str:
    """Render the notation graph as a Mermaid flowchart.

    Args:
        graph: The notation graph (labels set, marks fused, clusters grouped).
        direction: ``TB`` (``graph TD``) or ``LR``.
        theme: ``light`` (Mermaid's default, follows the docs site), ``dark``, or
            ``paper`` (Mermaid's black-and-white ``neutral`` theme).
        legend: Add a legend subgraph explaining the shapes and marks used.

    Returns:
        Mermaid text ending in a newline; the same graph always gives the same text.

    Raises:
        UsageError: unknown ``direction`` or ``theme``.
    """
    check_direction(direction)
    lines: list[str] = []
    if graph.caption:  # Mermaid's title, drawn above the figure
        lines += ["---", f"title: {json.dumps(graph.caption, ensure_ascii=False)}", "---"]
    mermaid_theme = _MERMAID_THEMES.get(get_theme(theme).name)
    if mermaid_theme:
        lines.append(f'%%{{init: {{"theme": "{mermaid_theme}"}}}}%%')
    lines.append(f"graph {_MERMAID_DIRECTION[direction]}")
    check_edges(graph)
    names = {node.id: f"n{index}" for index, node in enumerate(graph.nodes)}
    inner: dict[int, list[Edge]] = {}
    outer: list[Edge] = []
    owner = cluster_owner(graph)
    for edge in graph.edges:
        home = owner.get(edge.src)
        if home is not None and home == owner.get(edge.dst):
            inner.setdefault(home, []).append(edge)
        else:
            outer.append(edge)
    links: list[Edge] = []  # in the order Mermaid numbers them (for linkStyle)
    for item in layout(graph):
        if isinstance(item, Node):
            lines.append(_INDENT + mermaid_node(names[item.id], item.kind, node_text(item),
                                                box=is_box(item)))
            continue
        index, cluster, members = item
        # Mermaid centres a subgraph's own label at its top, right where the edge into
        # its first node comes in: the title is a borderless node inside it instead.
        lines.append(f'{_INDENT}subgraph c{index}[" "]')
        title = mermaid_label(cluster.title or cluster.id)
        lines.append(f"{2 * _INDENT}c{index}t[{title}]:::{TITLE_CLASS}")
        for node in members:
            lines.append(2 * _INDENT + mermaid_node(names[node.id], node.kind, node_text(node),
                                                    box=is_box(node)))
        for edge in inner.get(index, ()):
            lines.append(2 * _INDENT + mermaid_edge(names[edge.src], names[edge.dst], edge))
            links.append(edge)
        lines.append(f"{_INDENT}end")
    for edge in outer:
        lines.append(_INDENT + mermaid_edge(names[edge.src], names[edge.dst], edge))
        links.append(edge)
    colours = get_theme(theme)
    lines += _change_styles(graph, names, links, colours)
    if legend:
        entries = legend_of(graph)
        if entries:
            lines += _legend_lines(entries, colours)
    if any(f":::{TITLE_CLASS}" in line for line in lines):  # titles, legend words: bare text
        lines.append(f"{_INDENT}classDef {TITLE_CLASS} fill:none,stroke:none")
    return "\n".join(lines) + "\n"


def _style(change: Change, theme: Theme, *, box: bool = True) -> str:
    """Mermaid style properties drawing ``change`` (see [`netviz.renderers.changes`][])."""
    colour = changes.colour_of(change, theme)
    if change.kind is ChangeKind.ADDED:
        return f"stroke:{colour},stroke-width:{'3px' if box else '2.5px'}"
    if change.kind is ChangeKind.REMOVED:
        text = f",color:{colour}" if box else ""
        return f"stroke:{colour},stroke-dasharray:5 3{text}"
    return f"stroke:{colour}"


def _change_styles(graph: Graph, names: dict[str, str], links: list[Edge], theme: Theme) -> list[str]:
    """``classDef``/``class`` lines for marked nodes, ``style`` for marked subgraphs and
    ``linkStyle`` for marked edges of a diff figure; none for any other figure."""
    lines = []
    for kind in ChangeKind:
        marked = [names[n.id] for n in graph.nodes if n.change is not None and n.change.kind is kind]
        if marked:
            lines.append(f"{_INDENT}classDef {kind.value} {_style(Change(kind), theme)}")
            lines.append(f"{_INDENT}class {','.join(marked)} {kind.value}")
    for index, cluster in enumerate(graph.clusters):
        if cluster.change is not None:
            lines.append(f"{_INDENT}style c{index} {_style(cluster.change, theme)}")
    for kind in ChangeKind:
        marked = [str(k) for k, e in enumerate(links) if e.change is not None and e.change.kind is kind]
        if marked:
            lines.append(f"{_INDENT}linkStyle {','.join(marked)} "
                         f"{_style(Change(kind), theme, box=False)}")
    return lines


def _legend_lines(entries: Legend, theme: Theme) -> list[str]:
    """A legend like the seed's: "These are equivalent" rows, then one node per shape."""
    counter = iter(range(1_000_000))

    def node(kind: Kind, text: str) -> str:
        return mermaid_node(f"legend{next(counter)}", kind, text)

    lines = [f"{_INDENT}subgraph legend[{mermaid_label(LEGEND_TITLE)}]"]
    pad = 2 * _INDENT
    if entries.marks:
        lines += [f"{pad}subgraph legend_eq[{mermaid_label(EQUIVALENT_TITLE)}]", f"{pad}{_INDENT}direction TB"]
        for entry in entries.marks:
            chain = [node(Kind.OTHER, text) for text in ("A", *entry.ops, "B")]
            lines.append(pad + _INDENT + " --> ".join(chain))
            src, dst = node(Kind.OTHER, "A"), node(Kind.OTHER, "B")
            if entry.glyph.labelled:
                link = f"{entry.glyph.mermaid}|{mermaid_label(entry.text)}|"
            else:
                link = entry.glyph.mermaid
            lines.append(f"{pad}{_INDENT}{src} {link} {dst}")
        lines.append(f"{pad}end")
    shapes = [(mermaid_node(f"legend{next(counter)}", kind, SAMPLE_TEXT.get(kind, " ")),
               entries.text(kind)) for kind in entries.kinds]
    if entries.boxes:
        shapes.append((mermaid_node(f"legend{next(counter)}", Kind.OTHER, " ", box=True),
                       BOX_TEXT))
    for number, (glyph, words) in enumerate(shapes):  # a small glyph, its words beside it
        lines += [f'{pad}subgraph legend_s{number}[" "]', f"{pad}{_INDENT}direction LR",
                  f"{pad}{_INDENT}{glyph} ~~~ legend{next(counter)}[{mermaid_label(words)}]"
                  f":::{TITLE_CLASS}", f"{pad}end",
                  f"{pad}style legend_s{number} fill:none,stroke:none"]
    styles = []
    for change in entries.changes:
        name = f"legend{next(counter)}"
        lines.append(pad + mermaid_node(name, Kind.OTHER, changes.CHANGE_TEXT[change]))
        styles.append(f"{_INDENT}style {name} {_style(Change(change), theme)}")
    lines.append(f"{_INDENT}end")
    return lines + styles
