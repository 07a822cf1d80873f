"""Element-wise ops with a parameter or constant operand are ops, not joins."""

from __future__ import annotations

from dataclasses import replace

from netviz.ir import Graph, Kind

_ARITHMETIC = (Kind.ADD, Kind.MUL)


def constant_operand_ops(graph: Graph) -> Graph:
    """Make each add or multiply with fewer than two data inputs a plain op (``Kind.OTHER``).

    ``x + self.pos_embedding`` or ``self.gamma * x`` is not the residual ⊕ of two
    tensors: it is drawn as a labelled box (``+ pos_embedding``, ``× γ``, see the
    labelling transform). Idempotent.
    """
    changed = False
    nodes = []
    for node in graph.nodes:
        if node.kind in _ARITHMETIC and len({e.src for e in graph.in_edges(node.id)}) < 2:
            node = replace(node, kind=Kind.OTHER)
            changed = True
        nodes.append(node)
    return replace(graph, nodes=tuple(nodes)) if changed else graph
