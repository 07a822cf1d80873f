"""Fuse norm/activation nodes into edge marks: the seed's ``---o`` circle."""

from __future__ import annotations

from dataclasses import replace

from netviz.ir import Edge, Graph, Kind, Mark, Node, evolve
from netviz.transforms.scopes import common_scope

FUSIBLE = (Kind.NORM, Kind.ACT)


def _extend(mark: Mark | None, node: Node) -> Mark:
    """A mark for ``mark`` followed by ``node``."""
    if mark is None:
        return Mark(
            type_names=(node.type_name,),
            kinds=(node.kind,),
            node_ids=(node.id,),
            scope=node.scope,
            params=node.params,
            node_params=(node.params,),
        )
    return Mark(
        type_names=(*mark.type_names, node.type_name),
        kinds=(*mark.kinds, node.kind),
        node_ids=(*mark.node_ids, node.id),
        scope=common_scope((mark.scope, node.scope)),
        params=mark.params + node.params,
        node_params=(*_each(mark), node.params),
    )


def fuse_marks(graph: Graph) -> Graph:
    """Replace every single-input norm or activation node by a mark on its out-edges.

    A chain ``A → BatchNorm → ReLU → B`` becomes one edge ``A --o B`` whose mark
    records both ops (and their parameters): the mark sits on the edge into the op
    that consumes their result. When the activation feeds several consumers, every
    new edge carries the same mark, so renderers can tell one shared computation
    from several. Nodes with several inputs stay as they are, and so do data nodes,
    so a chain never runs across a block's start, and so do nodes whose result nothing
    reads (a norm with parameters left over by pruning: no edge to carry it, it would
    vanish with its parameters). Idempotent: a fused graph has no
    fusible single-input node left.
    """
    in_edges: dict[str, list[Edge]] = {n.id: [] for n in graph.nodes}
    out_edges: dict[str, list[Edge]] = {n.id: [] for n in graph.nodes}
    for edge in graph.edges:
        in_edges[edge.dst].append(edge)
        out_edges[edge.src].append(edge)

    fused: set[str] = set()
    for node in graph.nodes:  # execution order: chains collapse front to back
        incoming = in_edges[node.id]
        if node.kind not in FUSIBLE or len(incoming) != 1 or not out_edges[node.id]:
            continue  # a norm whose result nothing reads has no edge to mark: its box stays
        (edge_in,) = incoming
        mark = _extend(edge_in.mark, node)
        out_edges[edge_in.src].remove(edge_in)
        for edge_out in out_edges[node.id]:
            new = Edge(edge_in.src, edge_out.dst, chain_marks(mark, edge_out.mark),
                       shape=edge_in.shape, feature_axis=edge_in.feature_axis)
            in_edges[edge_out.dst][in_edges[edge_out.dst].index(edge_out)] = new
            out_edges[edge_in.src].append(new)
        fused.add(node.id)

    if not fused:
        return graph
    kept = tuple(n for n in graph.nodes if n.id not in fused)
    edges = tuple(e for n in kept for e in in_edges[n.id])
    clusters = tuple(
        evolve(c, node_ids=tuple(i for i in c.node_ids if i not in fused)) for c in graph.clusters
    )
    return replace(graph, nodes=kept, edges=edges, clusters=clusters)


def chain_marks(first: Mark | None, second: Mark | None) -> Mark | None:
    """One mark for ``first`` followed by ``second`` (either may be ``None``)."""
    if first is None or second is None:
        return first or second
    return Mark(
        type_names=first.type_names + second.type_names,
        kinds=first.kinds + second.kinds,
        node_ids=first.node_ids + second.node_ids,
        scope=common_scope((first.scope, second.scope)),
        params=first.params + second.params,
        node_params=_each(first) + _each(second),
    )


def _each(mark: Mark) -> tuple[int, ...]:
    """Parameters of each op of ``mark`` (all on its first op when not recorded)."""
    if len(mark.node_params) == len(mark.node_ids):
        return mark.node_params
    return (mark.params, *([0] * (len(mark.node_ids) - 1))) if mark.node_ids else ()
