"""Find residual blocks in the module hierarchy and give each a cluster."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import replace

from netviz.ir import Cluster, Graph, Kind
from netviz.transforms.scopes import parent


def residual_block_scopes(graph: Graph) -> list[str]:
    """Module paths of the residual blocks, in execution order.

    A block is the module whose forward holds an element-wise add of two
    different tensors (the residual join). Blocks nested inside another
    block belong to the outer one; an add at the root makes no block.
    """
    candidates: list[str] = []
    for node in graph.nodes:
        if node.kind is not Kind.ADD or not node.scope or node.scope in candidates:
            continue
        if len({edge.src for edge in graph.in_edges(node.id)}) >= 2:
            candidates.append(node.scope)
    found = set(candidates)
    return [block for block in candidates if _enclosing(parent(block), found) is None]


def group_blocks(graph: Graph) -> Graph:
    """Give every residual block a cluster; blocks with one parent form a group.

    Groups are numbered in execution order from 0, blocks within a group too.
    Idempotent: a graph that already has clusters is returned unchanged.
    """
    if graph.clusters:
        return graph
    blocks = residual_block_scopes(graph)
    members: dict[str, list[str]] = {block: [] for block in blocks}
    for node in graph.nodes:
        block = _enclosing(node.scope, members)
        if block is not None:
            members[block].append(node.id)
    group_ids: dict[str, int] = {}
    counts: dict[str, int] = {}
    clusters = []
    for block in blocks:
        group = group_ids.setdefault(parent(block), len(group_ids))
        index = counts.get(parent(block), 0)
        counts[parent(block)] = index + 1
        clusters.append(
            Cluster(
                id=block, group=group, index=index, blocks=(block,), node_ids=tuple(members[block])
            )
        )
    return replace(graph, clusters=tuple(clusters))


def _enclosing(scope: str, blocks: Container[str]) -> str | None:
    """The block among ``blocks`` that ``scope`` lies in, if any."""
    path = scope
    while path:
        if path in blocks:
            return path
        path = parent(path)
    return None
