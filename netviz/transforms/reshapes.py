"""Hide ops that change no values from the diagram: views, selections, no-ops."""

from __future__ import annotations

from dataclasses import replace

from netviz.ir import Edge, Graph, Kind, Node, evolve
from netviz.ops import has_trait
from netviz.transforms.fuse import chain_marks

_SHAPE_ONLY = (Kind.RESHAPE,)
_NOOP_KINDS = (Kind.RESHAPE, Kind.DROPOUT, Kind.OTHER)


def training(graph: Graph) -> bool:
    """Whether ``graph`` was traced in training mode (its ``mode`` meta is ``"train"``)."""
    return dict(graph.meta).get("mode") == "train"


def _hidden(graph: Graph, node: Node, train: bool) -> bool:
    sources = {e.src for e in graph.in_edges(node.id)}
    if len(sources) != 1 or not graph.out_edges(node.id):
        return False
    if node.kind is Kind.RESHAPE:
        return True
    if node.kind is Kind.DROPOUT:
        return not train
    if node.kind is Kind.SPLIT:  # drawn only where its parts go separate ways
        return len({e.dst for e in graph.out_edges(node.id)}) == 1
    scalar = node.attr("scalar")
    if (scalar == 0 and has_trait(node.type_name, "zero_identity")) or (
            scalar == 1 and has_trait(node.type_name, "unit_identity")):
        return True  # ``x + 0``, ``x * 1``: a re-parameterised branch left empty, a unit gain
    if has_trait(node.type_name, "pad") and node.shape is not None:
        return graph.node(next(iter(sources))).shape == node.shape  # padded by nothing
    return node.kind in _NOOP_KINDS and bool(node.attr("passthrough"))


def _shuffles(graph: Graph) -> dict[str, Node]:
    """Chains of views that give back their input's shape with its values reordered
    (a channel shuffle: view, transpose, view): the last view of each, as a ``Shuffle`` op."""
    found: dict[str, Node] = {}
    for node in graph.nodes:
        sources = {e.src for e in graph.in_edges(node.id)}
        if node.kind is not Kind.RESHAPE or len(sources) != 1:
            continue
        (source,) = sources
        if graph.node(source).kind is Kind.RESHAPE:
            continue  # not the start of a chain
        chain = [node]
        while True:
            consumers = {e.dst for e in graph.out_edges(chain[-1].id)}
            if len(consumers) != 1:
                break
            after = graph.node(next(iter(consumers)))
            if after.kind is not Kind.RESHAPE or len(graph.in_edges(after.id)) != 1:
                break
            chain.append(after)
        last = chain[-1]
        if (len(chain) > 1 and last.shape == graph.node(source).shape
                and any(has_trait(n.type_name, "reorder") for n in chain)):
            found[last.id] = replace(last, kind=Kind.OTHER, type_name="shuffle")
    return found


def hide_reshapes(graph: Graph) -> Graph:
    """Bypass every single-input op that changes no values; its marks join the bypassing edge.

    Hidden: shape-only ops (view, flatten, permute, getitem, expand, contiguous,
    ``nn.Identity``...), dropout in eval mode, ops that returned their input
    untouched (stochastic depth in eval mode), arithmetic with an identity scalar
    (``x + 0``, ``x * 1``), padding by nothing (same shape out as in), and splits (``unbind``, ``chunk``)
    whose parts all go to one op. A split whose parts go separate ways stays, as
    a ``Split`` box; views that reorder values and give back the same shape (a
    channel shuffle) stay as one ``Shuffle`` box. The seed's diagram draws ``AvgPool → Linear`` with no
    ``View`` between them; the pseudocode listing keeps every op. Idempotent.
    """
    shuffles = _shuffles(graph)
    if shuffles:
        graph = replace(graph, nodes=tuple(shuffles.get(n.id, n) for n in graph.nodes))
    train = training(graph)
    hidden = {n.id for n in graph.nodes if _hidden(graph, n, train)}
    if not hidden:
        return graph
    edges: list[Edge] = []
    seen: set[tuple[str, str]] = set()
    for edge in graph.edges:
        if edge.dst in hidden:
            continue
        src, mark, tensor = edge.src, edge.mark, edge
        while src in hidden:
            before = graph.in_edges(src)[0]
            src, mark, tensor = before.src, chain_marks(before.mark, mark), before
        if (src, edge.dst) in seen and mark is None:
            continue  # parts of one split meeting again at one op
        seen.add((src, edge.dst))
        if tensor is edge and edge.change is None:
            edges.append(edge)  # bypasses nothing: the same value
        else:
            edges.append(Edge(src, edge.dst, mark, shape=tensor.shape,
                              feature_axis=tensor.feature_axis))
    nodes = tuple(n for n in graph.nodes if n.id not in hidden)
    clusters = tuple(
        evolve(c, node_ids=tuple(i for i in c.node_ids if i not in hidden)) for c in graph.clusters
    )
    return replace(graph, nodes=nodes, edges=tuple(edges), clusters=clusters)
