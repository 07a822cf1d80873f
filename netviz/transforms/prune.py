"""Drop what never reaches an output: unused parts of a tuple, dead views."""

from __future__ import annotations

from dataclasses import replace

from netviz.ir import Graph, Kind, evolve


def prune_dead(graph: Graph) -> Graph:
    """Remove free ops (no parameters, no MACs) from which no output can be reached.

    An LSTM's unused ``(h, c)`` or the attention weights ``nn.MultiheadAttention``
    returns beside its output are selected (``getitem``) and then dropped; they
    are not drawn. Ops that compute something (a layer whose result is unused)
    stay: they are part of what the model runs. Idempotent.
    """
    consumers: dict[str, list[str]] = {}
    for edge in graph.edges:
        consumers.setdefault(edge.src, []).append(edge.dst)
    live = {n.id for n in graph.nodes if n.kind is Kind.OUTPUT}
    for node in reversed(graph.nodes):  # consumers come later in execution order
        if any(dst in live for dst in consumers.get(node.id, ())):
            live.add(node.id)
    dead = {
        n.id for n in graph.nodes
        if n.id not in live and n.kind is not Kind.INPUT and not n.params and not n.macs
    }
    if not dead:
        return graph
    nodes = tuple(n for n in graph.nodes if n.id not in dead)
    edges = tuple(e for e in graph.edges if e.src not in dead and e.dst not in dead)
    clusters = tuple(
        evolve(c, node_ids=tuple(i for i in c.node_ids if i not in dead)) for c in graph.clusters
    )
    return replace(graph, nodes=nodes, edges=edges, clusters=clusters)
