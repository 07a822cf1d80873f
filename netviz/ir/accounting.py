"""Count what a (possibly folded) graph stands for: ops, parameters and MACs × repeats.

A cluster of identical blocks draws one block and multiplies it by its ``repeat``; a
cluster of blocks that differ in their channel counts carries its exact ``totals``.
"""

from __future__ import annotations

from netviz.ir.graph import Cluster, Graph, Mark
from netviz.ir.kinds import Kind


def mark_owner(graph: Graph, mark: Mark) -> Cluster | None:
    """The cluster whose blocks compute the mark (``None`` outside blocks)."""
    for cluster in graph.clusters:
        if any(mark.scope == b or mark.scope.startswith(b + ".") for b in cluster.blocks):
            return cluster
    return None


def _unique_marks(graph: Graph) -> dict[tuple[str, ...], tuple[Mark, Cluster | None]]:
    marks: dict[tuple[str, ...], tuple[Mark, Cluster | None]] = {}
    for edge in graph.edges:
        if edge.mark is not None and edge.mark.node_ids not in marks:
            marks[edge.mark.node_ids] = (edge.mark, mark_owner(graph, edge.mark))
    return marks


def cluster_totals(graph: Graph, cluster: Cluster) -> tuple[int, int]:
    """``(params, macs)`` of every block ``cluster`` stands for, marks included."""
    if cluster.totals is not None:
        return cluster.totals
    members = set(cluster.node_ids)
    params = sum(graph.node(i).params for i in members)
    macs = sum(graph.node(i).macs for i in members)
    params += sum(m.params for m, owner in _unique_marks(graph).values() if owner is cluster)
    return params * cluster.repeat, macs * cluster.repeat


def _totals(graph: Graph) -> tuple[int, int]:
    params = macs = 0
    for node in graph.nodes:
        if graph.cluster_of(node.id) is None:
            params += node.params
            macs += node.macs
    params += sum(m.params for m, owner in _unique_marks(graph).values() if owner is None)
    for cluster in graph.clusters:
        p, m = cluster_totals(graph, cluster)
        params, macs = params + p, macs + m
    return params, macs


def count_params(graph: Graph) -> int:
    """Parameters the graph stands for: nodes and fused marks, times their repeats."""
    return _totals(graph)[0]


def count_macs(graph: Graph) -> int:
    """Multiply-accumulates the graph stands for, times repeats."""
    return _totals(graph)[1]


def count_ops(graph: Graph, kind: Kind) -> int:
    """How many ops of ``kind`` the graph stands for, counting fused marks, repeats and
    the ops of modules collapsed into one box (their ``ops`` attribute)."""
    nodes = sum(
        graph.multiplicity(n.id) * ((n.kind is kind) + _inside(n.attr("ops"), kind))
        for n in graph.nodes
    )
    marks = sum(m.kinds.count(kind) * (owner.repeat if owner else 1)
                for m, owner in _unique_marks(graph).values())
    return nodes + marks


def _inside(ops: object, kind: Kind) -> int:
    """How many ops of ``kind`` a collapsed box's ``(kind, count)`` pairs hold."""
    if not isinstance(ops, tuple):
        return 0
    return sum(count for name, count in ops if name == kind.value)


DATA_DEPENDENT = "data_dependent"
"""Key of a traced graph's ``meta`` naming the ops that decided from tensor values how much
work followed (``nonzero``, indexing with a mask): the MACs counted are those of the traced
input only, a lower bound."""


def data_dependent(graph: Graph) -> tuple[str, ...]:
    """The ops of ``graph`` whose work depends on tensor values (see ``DATA_DEPENDENT``)."""
    found = dict(graph.meta).get(DATA_DEPENDENT)
    return tuple(str(op) for op in found) if isinstance(found, tuple) else ()
