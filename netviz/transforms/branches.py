"""Tell a multi-branch module from a stage: both hold several blocks, in parallel or in a row.

HRNet's modules, CrossViT's multi-scale blocks and similar multi-stream modules run
blocks side by side, one stream per resolution or token size, and join the streams in
their own forward. A stage runs its blocks one after another. The first is one block
(a cluster of its own, folded with the modules alike), the second holds blocks.
"""

from __future__ import annotations

from collections.abc import Iterable

from netviz.ir import Graph, Kind
from netviz.transforms.scopes import within

_JOINS = frozenset({Kind.ADD, Kind.CAT})


def joins_branches(graph: Graph, path: str, blocks: Iterable[str]) -> bool:
    """Whether module ``path`` joins, in its own forward, blocks that run side by side.

    Args:
        graph: The graph.
        path: A module path.
        blocks: Blocks found so far (those inside ``path`` count).

    Returns:
        True when a concatenation or sum of two tensors runs in ``path`` itself (not in
        a module below it) and two of the blocks inside ``path`` are parallel: neither
        reads, even through other ops, the other's output.
    """
    inside = [b for b in blocks if b != path and within(b, path)]
    inner = [b for b in inside if not any(o != b and within(b, o) for o in inside)]
    if len(inner) < 2 or not any(
        n.kind in _JOINS and n.scope == path and len({e.src for e in graph.in_edges(n.id)}) >= 2
        for n in graph.nodes
    ):
        return False
    owner: dict[str, str] = {}
    depends: dict[str, frozenset[str]] = {}
    for node in graph.nodes:
        if not within(node.scope, path):
            continue
        home = next((b for b in inner if within(node.scope, b)), None)
        found: set[str] = set()
        for edge in graph.in_edges(node.id):
            found |= depends.get(edge.src, frozenset())
            if edge.src in owner and owner[edge.src] != home:
                found.add(owner[edge.src])
        depends[node.id] = frozenset(found)
        if home is not None:
            owner[node.id] = home
    reads = {b: frozenset().union(*(depends[i] for i, h in owner.items() if h == b)) - {b}
             for b in inner}
    return any(a not in reads[b] and b not in reads[a]
               for i, a in enumerate(inner) for b in inner[i + 1:])
