"""Count what a (possibly folded) graph stands for: ops and parameters × repeats."""

from __future__ import annotations

from netviz.ir.graph import Graph, Mark
from netviz.ir.kinds import Kind


def _mark_multiplicity(graph: Graph, mark: Mark) -> int:
    """The repeat of the cluster whose blocks compute the mark (1 outside blocks)."""
    for cluster in graph.clusters:
        if any(mark.scope == b or mark.scope.startswith(b + ".") for b in cluster.blocks):
            return cluster.repeat
    return 1


def _unique_marks(graph: Graph) -> dict[tuple[str, ...], tuple[Mark, int]]:
    marks: dict[tuple[str, ...], tuple[Mark, int]] = {}
    for edge in graph.edges:
        if edge.mark is not None and edge.mark.node_ids not in marks:
            marks[edge.mark.node_ids] = (edge.mark, _mark_multiplicity(graph, edge.mark))
    return marks


def count_params(graph: Graph) -> int:
    """Parameters the graph stands for: nodes and fused marks, times their repeats."""
    nodes = sum(n.params * graph.multiplicity(n.id) for n in graph.nodes)
    marks = sum(m.params * k for m, k in _unique_marks(graph).values())
    return nodes + marks


def count_ops(graph: Graph, kind: Kind) -> int:
    """How many ops of ``kind`` the graph stands for, counting fused marks and repeats."""
    nodes = sum(graph.multiplicity(n.id) for n in graph.nodes if n.kind is kind)
    marks = sum(m.kinds.count(kind) * k for m, k in _unique_marks(graph).values())
    return nodes + marks
