"""Draw reductions written out in plain ops as the one op they compute.

Model code writes some reductions as a short chain of tensor ops feeding one last
op that also reads the chain's source:

- an L2 normalisation along an axis, ``x / x.pow(2).sum(-1, keepdim=True).pow(0.5)``
  (or ``x / x.norm(dim=-1, keepdim=True)``): one ``L2Norm`` (a norm, so drawn as a
  mark like LayerNorm's);
- a gather at an argmax, ``h[arange(n), (ids == eos).int().argmax(-1)]`` (the
  end-of-text token of each sequence pooled): one ``Pool argmax token`` box, fed by
  ``h`` and by the index's source.

Found by what the ops compute (the op table's ``l2_norm`` and ``argmax_pick``
signatures, and the exponents of the powers), never by a class or module name. The
new node keeps the parameters and MACs of everything it replaces.
"""

from __future__ import annotations

from netviz import ops
from netviz.ir import Graph, Kind, Node
from netviz.transforms.regions import merge_regions

_ENDS = (Kind.INPUT, Kind.OUTPUT, Kind.DATA)

_TRAITS = ("l2_norm", "argmax_pick")


def _chain(graph: Graph, start: str, end: str) -> list[Node]:
    """The ops computing ``end``'s operand ``start`` from one source, nearest first: each
    has one input, and feeds nothing but the next op of the chain (or ``end``)."""
    chain: list[Node] = []
    consumer = end
    node = graph.node(start)
    while node.kind not in _ENDS:
        outs = {e.dst for e in graph.out_edges(node.id)}
        ins = [e.src for e in graph.in_edges(node.id)]
        if outs != {consumer} or len(ins) != 1:
            break
        chain.append(node)
        consumer, node = node.id, graph.node(ins[0])
    return chain


def _source(graph: Graph, chain: list[Node]) -> str:
    """The id of the op a chain (nearest first) starts from."""
    return graph.in_edges(chain[-1].id)[0].src


def _squares_then_roots(chain: list[Node]) -> bool:
    """The chain's powers (source first) are a square, then at most one square root."""
    powers = [n.attr("exponent") for n in reversed(chain) if n.type_name == "pow"]
    return powers in ([2], [2, 0.5]) and (len(powers) == 2 or any(
        n.type_name == "sqrt" for n in chain))


def _match(graph: Graph, end: Node) -> tuple[ops.Op, list[Node]] | None:
    """The reduction ``end`` completes, with the chain it replaces."""
    sources = [e.src for e in graph.in_edges(end.id)]
    if len(sources) != 2 or sources[0] == sources[1]:
        return None
    for index, start in enumerate(sources):
        chain = _chain(graph, start, end.id)
        if not chain:
            continue
        names = [n.type_name for n in (*chain, end)]
        for trait in _TRAITS:
            op = ops.recognize(names, trait=trait)
            if op is None:
                continue
            if trait == "l2_norm" and (
                _source(graph, chain) != sources[1 - index]
                or ("pow" in names and not _squares_then_roots(chain))
            ):
                continue
            if trait == "argmax_pick" and end.kind is not Kind.RESHAPE:
                continue  # the index must select rows (a view), not feed arithmetic
            return op, chain
    return None


def collapse_reductions(graph: Graph) -> Graph:
    """Replace each written-out L2 norm and argmax gather by one node (see the module
    docs). Idempotent: the new node is one op of the table, no chain ends in it."""
    owner: dict[str, str] = {}
    boxes: dict[str, Node] = {}
    for end in graph.nodes:
        if end.kind in _ENDS or end.id in owner:
            continue
        found = _match(graph, end)
        if found is None:
            continue
        op, chain = found
        members = [*chain, end]
        if any(n.id in owner for n in members):
            continue
        attrs = (("width", end.shape[-1]),) if op.kind is Kind.NORM and end.shape else ()
        boxes[end.id] = Node(
            id=end.id, kind=op.kind, type_name=op.recorded_name, scope=end.scope,
            attrs=attrs, shape=end.shape, feature_axis=end.feature_axis,
            params=sum(n.params for n in members), macs=sum(n.macs for n in members),
        )
        owner.update(dict.fromkeys((n.id for n in members), end.id))
    return merge_regions(graph, owner, boxes) if boxes else graph
