"""The notation graph as DOT text, built in pure Python with ``graphviz.Digraph``.

Shapes follow the seed: conv = rounded box, data = double circle, add = small
circle with ``+``, every other op a plain box; edge marks are drawn by the glyph
table (``arrowhead=odot`` for BN → ReLU). Every element gets an ``id`` prefixed
with the graph's name so several inline SVGs on one page never collide.

Layout hints, by graph structure only (see [`columns`][netviz.renderers.layout.columns]):
the spine and each block's main path share a ``group`` with heavy edges, so each is one
straight column and shortcuts run beside it; a cluster's title is a text node in the
rank of its first node (dot routes edges around nodes, not around cluster labels).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import graphviz

from netviz.ir import Edge, Graph, Node
from netviz.renderers.escape import dot_id, dot_label, dot_label_left
from netviz.renderers.glyphs import glyph_for, mark_text
from netviz.renderers.layout import check_edges, columns, is_box, layout, node_text
from netviz.renderers.theme import (
    BOX_SHAPE,
    BRANCH_WEIGHT,
    COLUMN_WEIGHT,
    REGULAR,
    SPINE_GROUP,
    Spacing,
    check_direction,
    cluster_attrs,
    edge_attrs,
    get_theme,
    graph_attrs,
    node_attrs,
    shape_attrs,
    title_attrs,
)

if TYPE_CHECKING:
    from netviz.renderers.legend import Legend

# The legend (netviz.renderers.legend, .dot_legend) and the marks of a diff figure
# (netviz.renderers.changes) are imported where a figure has them: most have neither.


def render_dot(
    graph: Graph, *, direction: str = "TB", theme: str = "light", legend: bool = False,
    spacing: Spacing = REGULAR,
) -> str:
    """Render the notation graph as DOT source.

    Args:
        graph: The notation graph (labels set, marks fused, clusters grouped).
        direction: ``TB`` (top to bottom) or ``LR`` (left to right).
        theme: ``light``, ``dark`` or ``paper`` (black on no background, fine lines).
        legend: Add a legend explaining the shapes and marks used, after the output.
        spacing: How tightly to lay it out ([`REGULAR`][netviz.renderers.theme.REGULAR],
            or [`PRINT`][netviz.renderers.theme.PRINT] for a figure fitted to a page).

    The graph's caption (if any) is the figure's label, centred under it.

    Returns:
        DOT text; the same graph always gives the same text.

    Raises:
        UsageError: unknown ``direction`` or ``theme``.
    """
    entries = None
    if legend:
        from netviz.renderers.legend import legend_of

        entries = legend_of(graph)
    return dot_figure(graph, direction=direction, theme=theme, legend=entries,
                      spacing=spacing).source


@dataclass(frozen=True)
class Naming:
    """DOT names of a part of a figure, as the whole figure names them: so a part laid
    out alone keeps the names and ``id``s it has in the whole.

    Attributes:
        nodes: DOT name of each node id (``n0``, ``n1``... by the whole graph's order).
        edges: Index in the whole graph of each of the part's edges, in its order.
        clusters: Index in the whole graph of each of the part's clusters, in its order.
    """

    nodes: dict[str, str]
    edges: tuple[int, ...]
    clusters: tuple[int, ...]

    @classmethod
    def of(cls, graph: Graph) -> Naming:
        """The names of a whole graph."""
        return cls({node.id: f"n{index}" for index, node in enumerate(graph.nodes)},
                   tuple(range(len(graph.edges))), tuple(range(len(graph.clusters))))


def dot_figure(
    graph: Graph, *, direction: str = "TB", theme: str = "light", legend: Legend | None = None,
    spacing: Spacing = REGULAR, naming: Naming | None = None, name: str | None = None,
) -> graphviz.Digraph:
    """The figure of ``graph`` as a ``graphviz.Digraph`` (see
    [`render_dot`][netviz.renderers.dot.render_dot]).

    Args:
        graph: The notation graph, or a part of it (a block, the stem...).
        direction: ``TB`` or ``LR``.
        theme: The colour theme's name.
        legend: The legend to draw after the figure's spine (or alone, for no nodes).
        spacing: How tightly to lay it out.
        naming: The names of the part in the whole figure (default: its own).
        name: The whole figure's name, prefixing every ``id`` (default: the graph's).
    """
    colours = get_theme(theme)
    prefix = dot_id(name or graph.name)
    dot = graphviz.Digraph(
        name=prefix,
        graph_attr={**graph_attrs(colours, check_direction(direction), spacing), "id": prefix},
        node_attr=node_attrs(colours, spacing),
        edge_attr=edge_attrs(colours, spacing),
    )
    check_edges(graph)
    naming = naming or Naming.of(graph)
    names = naming.nodes
    paths = columns(graph)
    groups = {n: SPINE_GROUP if k == 0 else f"col{k}" for k, path in enumerate(paths) for n in path}
    straight = {(src, dst) for path in paths for src, dst in zip(path, path[1:])}

    def add(parent: graphviz.Digraph, node: Node) -> None:
        group = {"group": groups[node.id]} if node.id in groups else {}
        looks = dict(BOX_SHAPE if is_box(node) else shape_attrs(node.kind))
        if node.change is not None:
            from netviz.renderers import changes

            looks.update(changes.node_attrs(node.change, node.kind, colours))
        parent.node(names[node.id], label=dot_label(node_text(node)),
                    id=f"{prefix}-{names[node.id]}", **looks, **group)

    for item in layout(graph):
        if isinstance(item, Node):
            add(dot, item)
            continue
        position, cluster, members = item
        index = naming.clusters[position]
        with dot.subgraph(name=f"cluster_{index}") as sub:
            looks = cluster_attrs(colours, spacing)
            if cluster.change is not None:
                from netviz.renderers import changes

                looks.update(changes.cluster_attrs(cluster.change, colours))
            sub.attr(**looks, id=f"{prefix}-c{index}")
            if cluster.title and direction == "LR" and spacing.row_titles == "label":
                # above the row, where no edge runs (a row's edges run along it)
                text = (dot_label_left if "\n" in cluster.title else dot_label)(cluster.title)
                sub.attr(label=text, labelloc="t", labeljust="l",
                         fontsize=title_attrs(colours)["fontsize"],
                         fontcolor=title_attrs(colours)["fontcolor"])
                for node in members:
                    add(sub, node)
                continue
            if cluster.title:  # a text node beside the first node, in its rank
                title = f"t{index}"
                with sub.subgraph() as row:
                    row.attr(rank="same")
                    text = (dot_label_left if "\n" in cluster.title else dot_label)(cluster.title)
                    looks = title_attrs(colours)
                    if cluster.change is not None:
                        from netviz.renderers import changes

                        looks.update(changes.title_attrs(cluster.change, colours))
                    row.node(title, label=text, id=f"{prefix}-c{index}-title", **looks)
                    add(row, members[0])
                sub.edge(title, names[members[0].id], style="invis", id=f"{prefix}-c{index}-t")
            for node in members[1 if cluster.title else 0 :]:
                add(sub, node)
    # Column edges first: dot's initial order then lays each column out before the
    # branches, which go beside it.
    ordered = sorted(enumerate(graph.edges), key=lambda item: _ends(item[1]) not in straight)
    for position, edge in ordered:
        attrs = {"id": f"{prefix}-e{naming.edges[position]}", **_weight(edge, straight, groups)}
        note = ""
        if edge.change is not None:
            from netviz.renderers import changes

            attrs.update(changes.edge_attrs(edge.change, colours))
            note = changes.edge_note(edge)
        glyph = glyph_for(edge.mark)
        texts = []
        if glyph is not None and edge.mark is not None:
            attrs["arrowhead"] = glyph.arrowhead
            if glyph.labelled:
                texts.append(mark_text(edge.mark))
        texts += filter(None, [note])
        if texts:
            attrs[spacing.mark_label] = dot_label("\n".join(texts))
        dot.edge(names[edge.src], names[edge.dst], **attrs)
    if legend:
        from netviz.renderers.dot_legend import add_legend

        end = paths[0][-1] if paths else graph.nodes[-1].id if graph.nodes else None
        add_legend(dot, legend, prefix, colours, after=names[end] if end else None,
                   direction=direction, spacing=spacing)
    if graph.caption:  # last: subgraphs declared before it do not inherit the label
        dot.attr(label=dot_label(graph.caption), labelloc="b", labeljust="c",
                 fontsize=title_attrs(colours)["fontsize"], fontcolor=colours.text)
    return dot


def _ends(edge: Edge) -> tuple[str, str]:
    return edge.src, edge.dst


def _weight(edge: Edge, straight: set[tuple[str, str]], groups: dict[str, str]) -> dict[str, str]:
    """Heavy along a column; none for a shortcut between two nodes of one column (it
    must not pull onto the column); a little from a column into a branch."""
    if _ends(edge) in straight:
        return {"weight": COLUMN_WEIGHT}
    if edge.src in groups and groups[edge.src] == groups.get(edge.dst):
        return {"weight": "0"}
    if edge.src in groups:
        return {"weight": BRANCH_WEIGHT}
    return {}
