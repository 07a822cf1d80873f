"""Draw modules of any class as the op they compute.

Model libraries write their own classes for ops torch has: ``LlamaRMSNorm`` and
``T5LayerNorm`` (an RMS norm), GPT-2's ``Conv1D`` (a linear layer on a transposed
weight), ``NewGELUActivation`` (GELU's tanh approximation written out),
``QuickGELUActivation``. Traced, such a module is either one node of its own class
(a layer with weights: the tracer notes the ops its forward ran, as the attribute
``computes``) or a run of plain ops under its module path (``× 0.5``, ``Pow``,
``Tanh``...). Both are matched against the op table's signatures
([`recognize`][netviz.ops.recognize]) and become one node of that op: an RMS norm
gets its norm mark, a ``Conv1D`` is a ``Linear 2304D``, the written-out GELU a
``GELU`` mark. No class name is read.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache

from netviz import ops
from netviz.ir import Graph, Kind, Node, evolve
from netviz.transforms.regions import merge_regions
from netviz.transforms.scopes import by_path

COMPUTES = "computes"
"""Attribute of a traced layer of unknown class: the ops its forward ran."""

_OUTSIDE = (Kind.INPUT, Kind.OUTPUT, Kind.DATA)


def _recognized_layer(node: Node) -> Node:
    """A layer of unknown class as the op its recorded ops compute (else unchanged)."""
    names = node.attr(COMPUTES)
    if not isinstance(names, tuple):
        return node
    op = ops.recognize(str(n) for n in names)
    if op is None:
        return node
    attrs = tuple(a for a in node.attrs if a[0] != COMPUTES)
    axis = node.feature_axis
    if node.shape and op.axis in (ops.Axis.LAST, ops.Axis.CHANNELS):
        axis = len(node.shape) - 1 if op.axis is ops.Axis.LAST else 0
        attrs = tuple(sorted((*attrs, ("width", node.shape[axis]))))
    return evolve(node, kind=op.kind, type_name=op.recorded_name, attrs=attrs,
                  feature_axis=axis)


def _calls(graph: Graph, members: list[Node]) -> list[list[Node]]:
    """``members`` split into the connected runs of ops they form: one per call of a module
    called more than once (ALBERT's shared layers), in execution order."""
    inside = {n.id: n for n in members}
    group = {n.id: n.id for n in members}

    def root(node_id: str) -> str:
        while group[node_id] != node_id:
            group[node_id] = group[group[node_id]]
            node_id = group[node_id]
        return node_id

    for node in members:
        for edge in graph.in_edges(node.id):
            if edge.src in inside:
                group[root(edge.src)] = root(node.id)
    runs: dict[str, list[Node]] = {}
    for node in members:
        runs.setdefault(root(node.id), []).append(node)
    return list(runs.values())


@cache
def _may_match(names: frozenset[str]) -> bool:
    """Whether some ops among ``names`` may compute one op of the table as a whole
    module: a signature matches only ops that include every op it ``needs`` (see
    [`Computes`][netviz.ops.record.Computes]), so ops lacking every signature's needs
    never match, whichever of them one call ran."""
    return any(sig.only and sig.needs <= names for op in ops.entries() for sig in op.computes)


def _regions(graph: Graph) -> list[tuple[str, ops.Op, list[Node]]]:
    """Calls of module paths whose ops, together, compute one op of the table (deepest
    paths first)."""
    found: list[tuple[str, ops.Op, list[Node]]] = []
    taken: set[str] = set()
    paths = sorted((p for p, _ in graph.modules if p), key=lambda p: -p.count("."))
    below = by_path(graph.nodes, paths)
    for path in paths:
        members = [n for n in below[path] if n.kind not in _OUTSIDE and n.id not in taken]
        if len(members) < 2 or not _may_match(frozenset(n.type_name for n in members)):
            continue  # no call of it can match: its calls need not be found
        for run in _calls(graph, members):
            inside = {n.id for n in run}
            exits = {n.id for n in run for e in graph.out_edges(n.id) if e.dst not in inside}
            if len(run) < 2 or len(exits) != 1:
                continue
            scalar = any(n.attr("scalar") is not None for n in run)
            op = ops.recognize((n.type_name for n in run), scalar)
            if op is not None:
                found.append((path, op, run))
                taken |= inside
    return found


def recognize_modules(graph: Graph) -> Graph:
    """Replace each module that computes an op of the table by one node of that op.

    Idempotent: a recognised module is one node of a known op, which matches no
    signature of its own again.
    """
    nodes = tuple(_recognized_layer(n) for n in graph.nodes)
    if any(a is not b for a, b in zip(nodes, graph.nodes)):
        graph = replace(graph, nodes=nodes)
    regions = _regions(graph)
    if not regions:
        return graph
    owner: dict[str, str] = {}
    boxes: dict[str, Node] = {}
    ids = {n.id for n in graph.nodes}
    for path, op, members in regions:
        inside = {n.id for n in members}
        last = next(n for n in reversed(members)
                    if any(e.dst not in inside for e in graph.out_edges(n.id)))
        node_id = path if path not in ids or path in inside else f"{path}:{op.key}"
        calls = 1
        while node_id in ids and node_id not in inside or node_id in owner.values():
            calls += 1  # a later call of the same module
            node_id = f"{path}#{calls}"
        ids.add(node_id)
        boxes[members[0].id] = Node(
            id=node_id, kind=op.kind, type_name=op.recorded_name, scope=path,
            shape=last.shape, feature_axis=last.feature_axis,
            params=sum(n.params for n in members), macs=sum(n.macs for n in members),
        )
        owner.update(dict.fromkeys(inside, node_id))
    return merge_regions(graph, owner, boxes)
