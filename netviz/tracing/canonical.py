"""Order the independent calls of one module on one input by where their results are used.

A model may call one module several times on the same inputs in an order Python does
not fix: transformers' Gemma 3 computes its rotary tables once per layer type, iterating
a set of strings, whose order follows the interpreter's hash seed. The trace records the
calls in execution order, so the same command could give other bytes in another process.
Such calls (next to each other, calls of the same module, the same sources, so none
reads another) are put in the order of their results' first use, their ids handed out again in
that order and the module's parameters held by the first: the graph is the same whatever
order they ran in.
"""

from __future__ import annotations

from dataclasses import replace

from netviz.ir import Graph, Node, evolve


def canonical_calls(graph: Graph) -> Graph:
    """``graph`` with each run of interchangeable calls in the order of first use."""
    traced = graph.nodes
    if not any(b.scope and a.scope == b.scope and a.type_name == b.type_name
               and graph.module_types.get(b.scope) == b.type_name  # the module's own call
               for a, b in zip(traced, traced[1:])):
        return graph  # no two calls of one module next to each other (the common case)
    types = graph.module_types
    nodes = list(graph.nodes)
    position = {node.id: i for i, node in enumerate(nodes)}
    sources: dict[str, list[str]] = {}
    first_use: dict[str, int] = {}
    for edge in graph.edges:
        sources.setdefault(edge.dst, []).append(edge.src)
        use = position.get(edge.dst, len(nodes))
        if use < first_use.get(edge.src, len(nodes)):
            first_use[edge.src] = use

    def key(node: Node) -> tuple[str, str, tuple[str, ...]]:
        return node.scope, node.type_name, tuple(sorted(sources.get(node.id, ())))

    rename: dict[str, str] = {}
    i = 0
    while i < len(nodes):
        j = i + 1
        here = key(nodes[i])
        while j < len(nodes) and key(nodes[j]) == here:
            j += 1
        if (j - i > 1 and here[0] and here[2] and types.get(here[0]) == here[1]
                and not any(c.start < j and i < c.start + c.size * len(c.blocks)
                            for c in graph.repeats)):
            rename.update(_reorder(nodes, i, j, first_use))
        i = j
    if not rename:
        return graph
    place = {node.id: k for k, node in enumerate(nodes)}
    edges = [evolve(e, src=rename.get(e.src, e.src), dst=rename.get(e.dst, e.dst))
             if e.src in rename or e.dst in rename else e for e in graph.edges]
    slots = [k for k, e in enumerate(edges) if e.dst in rename]  # rename permutes its keys
    into = sorted((edges[k] for k in slots), key=lambda e: place[e.dst])  # stable
    for k, edge in zip(slots, into):
        edges[k] = edge
    return replace(graph, nodes=tuple(nodes), edges=tuple(edges))


def _reorder(nodes: list[Node], start: int, end: int, first_use: dict[str, int]) -> dict[str, str]:
    """Put ``nodes[start:end]`` in the order of first use (in place); the renaming of ids
    it takes (empty when they already are)."""
    run = nodes[start:end]
    order = sorted(range(len(run)), key=lambda k: (first_use.get(run[k].id, len(nodes)), k))
    if order == list(range(len(run))):
        return {}
    params = sum(node.params for node in run)
    moved = [run[k] for k in order]
    rename = {node.id: run[k].id for k, node in enumerate(moved)}
    nodes[start:end] = [evolve(node, id=run[k].id, params=params if k == 0 else 0)
                        for k, node in enumerate(moved)]
    return rename
