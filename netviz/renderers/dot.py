"""The notation graph as DOT text, built in pure Python with ``graphviz.Digraph``.

Shapes follow the seed: conv = rounded box, data = double circle, add = small
circle with ``+``, every other op a plain box; edge marks are drawn by the glyph
table (``arrowhead=odot`` for BN → ReLU). Every element gets an ``id`` prefixed
with the graph's name so several inline SVGs on one page never collide.
"""

from __future__ import annotations

import graphviz

from netviz.ir import Graph, Kind, Node
from netviz.renderers.escape import dot_id, dot_label
from netviz.renderers.glyphs import glyph_for, mark_text
from netviz.renderers.layout import check_edges, layout, node_text
from netviz.renderers.legend import (
    EQUIVALENT_TITLE,
    LEGEND_TITLE,
    Legend,
    legend_of,
)
from netviz.renderers.theme import (
    Theme,
    check_direction,
    cluster_attrs,
    edge_attrs,
    get_theme,
    graph_attrs,
    node_attrs,
)

_ADD_SIZE = "0.24"


def shape_attrs(kind: Kind) -> dict[str, str]:
    """DOT node attributes that draw ``kind`` in the notation."""
    if kind is Kind.CONV:
        return {"shape": "box", "style": "rounded"}
    if kind is Kind.DATA:
        return {"shape": "doublecircle", "margin": "0.02", "width": "0.3"}
    if kind is Kind.ADD:
        return {"shape": "circle", "fixedsize": "true", "width": _ADD_SIZE, "fontsize": "11"}
    return {"shape": "box"}


def render_dot(
    graph: Graph, *, direction: str = "TB", theme: str = "light", legend: bool = False
) -> str:
    """Render the notation graph as DOT source.

    Args:
        graph: The notation graph (labels set, marks fused, clusters grouped).
        direction: ``TB`` (top to bottom) or ``LR`` (left to right).
        theme: ``light`` or ``dark``.
        legend: Add a legend box explaining the shapes and marks used.

    Returns:
        DOT text; the same graph always gives the same text.

    Raises:
        UsageError: unknown ``direction`` or ``theme``.
    """
    colours = get_theme(theme)
    prefix = dot_id(graph.name)
    dot = graphviz.Digraph(
        name=prefix,
        graph_attr={**graph_attrs(colours, check_direction(direction)), "id": prefix},
        node_attr=node_attrs(colours),
        edge_attr=edge_attrs(colours),
    )
    check_edges(graph)
    names = {node.id: f"n{index}" for index, node in enumerate(graph.nodes)}
    for item in layout(graph):
        if isinstance(item, Node):
            _add_node(dot, item, names[item.id], prefix)
            continue
        index, cluster, members = item
        with dot.subgraph(name=f"cluster_{index}") as sub:
            sub.attr(**cluster_attrs(colours), id=f"{prefix}-c{index}")
            if cluster.title:
                sub.attr(label=dot_label(cluster.title))
            for node in members:
                _add_node(sub, node, names[node.id], prefix)
    for index, edge in enumerate(graph.edges):
        attrs = {"id": f"{prefix}-e{index}"}
        glyph = glyph_for(edge.mark)
        if glyph is not None and edge.mark is not None:
            attrs["arrowhead"] = glyph.arrowhead
            if glyph.labelled:
                attrs["label"] = dot_label(mark_text(edge.mark))
        dot.edge(names[edge.src], names[edge.dst], **attrs)
    if legend:
        entries = legend_of(graph)
        if entries:
            _add_legend(dot, entries, prefix, colours, across=direction == "TB")
    return dot.source


def _add_node(dot: graphviz.Digraph, node: Node, name: str, prefix: str) -> None:
    dot.node(name, label=dot_label(node_text(node)), id=f"{prefix}-{name}", **shape_attrs(node.kind))


def _add_legend(
    dot: graphviz.Digraph, entries: Legend, prefix: str, colours: Theme, *, across: bool
) -> None:
    """A legend cluster: one row per mark (``A → ops → B ≡ A --glyph--> B``), then shapes.

    Rows read left to right in both directions: with ``across`` (a TB layout) each row
    is a ``rank=same`` chain and invisible edges stack the rows; in an LR layout the
    chains already run left to right and dot stacks them.
    """
    names = (f"legend{index}" for index in range(1_000_000))
    firsts: list[str] = []

    def row(parent: graphviz.Digraph, items: list[tuple[str, dict[str, str]]]) -> list[str]:
        with parent.subgraph(name=f"legend_row{len(firsts)}") as line:
            if across:
                line.attr(rank="same")
            out = []
            for text, attrs in items:
                name = next(names)
                line.node(name, label=dot_label(text), id=f"{prefix}-{name}", **attrs)
                out.append(name)
        firsts.append(out[0])
        return out

    with dot.subgraph(name="cluster_legend") as box:
        box.attr(**cluster_attrs(colours), label=LEGEND_TITLE, id=f"{prefix}-legend")
        if entries.marks:
            with box.subgraph(name="cluster_legend_eq") as eq:
                eq.attr(**cluster_attrs(colours), label=EQUIVALENT_TITLE, id=f"{prefix}-legend-eq")
                for number, entry in enumerate(entries.marks):
                    texts = ["A", *entry.ops, "B"]
                    line = row(eq, [(t, {}) for t in texts] + [("≡", _PLAIN), ("A", {}), ("B", {})])
                    for step, (src, dst) in enumerate(zip(line, line[1:])):
                        attrs = {"id": f"{prefix}-legend-m{number}-{step}"}
                        if step >= len(texts) - 1 and step < len(line) - 2:
                            attrs["style"] = "invis"  # B … ≡ … A: spacing only
                        elif step == len(line) - 2:
                            attrs["id"] = f"{prefix}-legend-m{number}"
                            attrs["arrowhead"] = entry.glyph.arrowhead
                            if entry.glyph.labelled:
                                attrs["label"] = dot_label(entry.text)
                        eq.edge(src, dst, **attrs)
        if entries.kinds:
            shapes: list[tuple[str, dict[str, str]]] = []
            for kind in entries.kinds:
                if kind is Kind.ADD:
                    shapes += [("+", shape_attrs(kind)), ("Add", _PLAIN)]
                else:
                    shapes.append((entries.text(kind), _legend_shape(kind)))
            line = row(box, shapes)
            for index, (src, dst) in enumerate(zip(line, line[1:])):
                box.edge(src, dst, style="invis", id=f"{prefix}-legend-s{index}")
        for index, (src, dst) in enumerate(zip(firsts, firsts[1:]) if across else ()):
            box.edge(src, dst, style="invis", id=f"{prefix}-legend-i{index}")


_PLAIN = {"shape": "plaintext", "width": "0", "margin": "0"}


def _legend_shape(kind: Kind) -> dict[str, str]:
    """Shape attributes of a legend node, free to grow around its text."""
    return {k: v for k, v in shape_attrs(kind).items() if k not in ("fixedsize", "width")}
