"""Count what a (possibly folded) graph stands for: ops, parameters and MACs × repeats.

A cluster of identical blocks draws one block and multiplies it by its ``repeat``; a
cluster of blocks that differ in their channel counts carries its exact ``totals``.
"""

from __future__ import annotations

from netviz.ir.graph import Cluster, Graph, Mark
from netviz.ir.kinds import Kind


def mark_owner(graph: Graph, mark: Mark) -> Cluster | None:
    """The cluster whose blocks compute the mark (``None`` outside blocks)."""
    return graph.cluster_holding(mark.scope)


def mark_ops(graph: Graph) -> dict[str, tuple[Kind, int, Mark]]:
    """Every op fused into a mark on some edge, once: its kind, its parameters and the
    first mark holding it. Two marks may share ops (a norm feeding two activations:
    ``BN → ReLU`` on one edge, ``BN → ReLU`` through another ReLU on the next); each op
    counts once. A mark whose ``params`` were changed from the sum of its ops' (a diff's
    ghost, counting nothing) counts its ``params``, on its first op."""
    ops: dict[str, tuple[Kind, int, Mark]] = {}
    for edge in graph.edges:
        mark = edge.mark
        if mark is None:
            continue
        each = mark.node_params if (len(mark.node_params) == len(mark.node_ids)
                                    and sum(mark.node_params) == mark.params) else (
            (mark.params, *([0] * (len(mark.node_ids) - 1))) if mark.node_ids else ())
        for node_id, kind, params in zip(mark.node_ids, mark.kinds, each):
            ops.setdefault(node_id, (kind, params, mark))
    return ops


def _owned_marks(graph: Graph) -> list[tuple[Kind, int, Cluster | None]]:
    """Each fused op's kind, parameters and the cluster computing it."""
    owners: dict[tuple[str, ...], Cluster | None] = {}
    found = []
    for kind, params, mark in mark_ops(graph).values():
        if mark.node_ids not in owners:
            owners[mark.node_ids] = mark_owner(graph, mark)
        found.append((kind, params, owners[mark.node_ids]))
    return found


def cluster_totals(graph: Graph, cluster: Cluster) -> tuple[int, int]:
    """``(params, macs)`` of every block ``cluster`` stands for, marks included."""
    return _cluster_totals(graph, cluster, _owned_marks(graph))


def _cluster_totals(graph: Graph, cluster: Cluster,
                    marks: list[tuple[Kind, int, Cluster | None]]) -> tuple[int, int]:
    if cluster.totals is not None:
        return cluster.totals
    members = set(cluster.node_ids)
    params = sum(graph.node(i).params for i in members)
    macs = sum(graph.node(i).macs for i in members)
    params += sum(p for _, p, owner in marks if owner is cluster)
    return params * cluster.repeat, macs * cluster.repeat


def cluster_ops(graph: Graph, cluster: Cluster) -> dict[str, int]:
    """How many ops of each kind (by ``Kind`` value) every block ``cluster`` stands for
    holds: its drawn nodes, the ops of boxes it collapsed, its marks."""
    return _cluster_ops(graph, cluster, _owned_marks(graph))


def _cluster_ops(graph: Graph, cluster: Cluster,
                 marks: list[tuple[Kind, int, Cluster | None]]) -> dict[str, int]:
    if cluster.ops:
        return dict(cluster.ops)
    counts: dict[str, int] = {}
    for node_id in cluster.node_ids:
        node = graph.node(node_id)
        for name, count in ((node.kind.value, 1), *_held(node.attr("ops"))):
            counts[name] = counts.get(name, 0) + count * cluster.repeat
    for kind, _, owner in marks:
        if owner is cluster:
            counts[kind.value] = counts.get(kind.value, 0) + cluster.repeat
    return counts


def tally(graph: Graph, clusters: list[Cluster]) -> tuple[tuple[int, int], dict[str, int]]:
    """``((params, macs), ops by kind)`` of every block the ``clusters`` stand for
    together (what a cluster merging them must carry)."""
    marks = _owned_marks(graph)
    params = macs = 0
    ops: dict[str, int] = {}
    for cluster in clusters:
        p, m = _cluster_totals(graph, cluster, marks)
        params, macs = params + p, macs + m
        for name, count in _cluster_ops(graph, cluster, marks).items():
            ops[name] = ops.get(name, 0) + count
    return (params, macs), ops


def _totals(graph: Graph) -> tuple[int, int]:
    marks = _owned_marks(graph)
    params = macs = 0
    for node in graph.nodes:
        if graph.cluster_of(node.id) is None:
            params += node.params
            macs += node.macs
    params += sum(p for _, p, owner in marks if owner is None)
    for cluster in graph.clusters:
        p, m = _cluster_totals(graph, cluster, marks)
        params, macs = params + p, macs + m
    return params, macs


def count_params(graph: Graph) -> int:
    """Parameters of the model the graph stands for: nodes and fused marks, times their
    repeats, plus those the traced forward never reached (see ``UNREACHED_PARAMS``), so
    that a model's total is ``sum(p.numel() for p in model.parameters())``."""
    return _totals(graph)[0] + unreached_params(graph)


def count_macs(graph: Graph) -> int:
    """Multiply-accumulates the graph stands for, times repeats."""
    return _totals(graph)[1]


def count_ops(graph: Graph, kind: Kind) -> int:
    """How many ops of ``kind`` the graph stands for, counting fused marks, repeats and
    the ops of modules collapsed into one box (their ``ops`` attribute)."""
    marks = _owned_marks(graph)
    free = sum((n.kind is kind) + dict(_held(n.attr("ops"))).get(kind.value, 0)
               for n in graph.nodes if graph.cluster_of(n.id) is None)
    free += sum(1 for op, _, owner in marks if owner is None and op is kind)
    return free + sum(_cluster_ops(graph, c, marks).get(kind.value, 0) for c in graph.clusters)


def _held(ops: object) -> tuple[tuple[str, int], ...]:
    """A collapsed box's ``(kind, count)`` pairs (none for any other node)."""
    return ops if isinstance(ops, tuple) else ()


DATA_DEPENDENT = "data_dependent"
"""Key of a traced graph's ``meta`` naming the ops that decided from tensor values how much
work followed (``nonzero``, indexing with a mask): the MACs counted are those of the traced
input only, a lower bound."""


def data_dependent(graph: Graph) -> tuple[str, ...]:
    """The ops of ``graph`` whose work depends on tensor values (see ``DATA_DEPENDENT``)."""
    found = dict(graph.meta).get(DATA_DEPENDENT)
    return tuple(str(op) for op in found) if isinstance(found, tuple) else ()


UNREACHED_PARAMS = "unreached_params"
"""Key of a traced graph's ``meta``: how many of the model's parameters (each shared tensor
once) no op of the traced forward holds: modules the inputs never run (a vision tower fed
text only), computations whose result nothing reads (left out of the trace)."""


def unreached_params(graph: Graph) -> int:
    """The model's parameters the traced forward did not reach (see ``UNREACHED_PARAMS``)."""
    found = dict(graph.meta).get(UNREACHED_PARAMS)
    return found if isinstance(found, int) else 0
