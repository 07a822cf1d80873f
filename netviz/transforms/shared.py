"""A module called from several blocks belongs, call by call, to the block calling it.

Some models build one module and hand it to several blocks (CoaT's convolutional
position encodings: one ``cpe1`` and one ``crpe1`` per stage, called from each serial
block's forward). By module path its ops are one block; in execution they are one
stretch of ops per call, each inside or right before the block that called it. Such a
block is dissolved: each stretch joins the block reading its output.
"""

from __future__ import annotations

from netviz.ir import Graph


def _stretches(nodes: list[str], position: dict[str, int], owner: dict[str, str],
               block: str, order: list[str]) -> list[list[str]]:
    """``nodes`` (one block's, in execution order) split where another block's op runs."""
    parts: list[list[str]] = []
    for node_id in nodes:
        if parts:
            start, end = position[parts[-1][-1]], position[node_id]
            if all(owner.get(order[i]) in (None, block) for i in range(start + 1, end)):
                parts[-1].append(node_id)
                continue
        parts.append([node_id])
    return parts


def attribute_shared_calls(graph: Graph, members: dict[str, list[str]]) -> dict[str, list[str]]:
    """``members`` (each block's node ids, in execution order) with every shared module's
    calls given to the blocks reading their results (see the module docs).

    A block is shared when its ops run in several stretches, other blocks' ops between
    them, and one of its layers (an op that is a module's own call, a ``Conv2d`` at
    ``cpe1.proj``) runs in two of them: the same layer called again. A block's own
    forward may run in two stretches around a shared module it calls, never with the
    same layer in both.
    """
    types = graph.module_types
    order = [n.id for n in graph.nodes]
    position = {node_id: i for i, node_id in enumerate(order)}
    owner = {node_id: block for block, ids in members.items() for node_id in ids}
    stretches: dict[str, list[list[str]]] = {}
    for block, ids in members.items():
        parts = _stretches(ids, position, owner, block, order)
        if len(parts) < 2:
            continue  # one stretch: no layer runs in two
        layers = [{n.scope for n in map(graph.node, part) if types.get(n.scope) == n.type_name}
                  for part in parts]
        if any(layers[i] & layers[j] for i in range(len(parts))
               for j in range(i + 1, len(parts))):
            stretches[block] = parts
    shared = set(stretches)
    moved: dict[str, list[str]] = {}
    for block, parts in stretches.items():
        for part in parts:
            inside = set(part)
            readers = [owner[e.dst] for i in part for e in graph.out_edges(i)
                       if e.dst not in inside and owner.get(e.dst, block) not in shared]
            if readers:
                moved.setdefault(readers[0], []).extend(part)
    if not shared:
        return members
    result: dict[str, list[str]] = {}
    for block, ids in members.items():
        if block not in shared:
            result[block] = sorted([*ids, *moved.get(block, [])], key=position.__getitem__)
    return result
