"""Collapse a mixture of experts into one box: ``MoE 8 experts, top-2, 14336D``.

A mixture-of-experts layer runs as dispatch code: a router picks each token's
experts, the tokens are sorted by expert, counted, offset, sent through the
experts' matrices in grouped products (``torch._grouped_mm``), weighted and put back
in order. Found by what it computes (the op table's ``moe`` entry: a grouped
product), never by a class name, the module holding the router and the experts
becomes one node that says how many experts there are (the grouped products'
groups), how many each token goes through (the rows of the first grouped product
per token entering the layer) and an expert's hidden width (what its last grouped
product reads). Parameters and MACs of everything collapsed stay on the new node.
"""

from __future__ import annotations

import math

from netviz import ops
from netviz.ir import Attr, Graph, Kind, Node
from netviz.transforms.attention import is_block
from netviz.transforms.recognize import COMPUTES
from netviz.transforms.regions import merge_regions
from netviz.transforms.scopes import by_path, common_scope, parent, within

_OUTSIDE = (Kind.INPUT, Kind.OUTPUT, Kind.DATA)


def _layer_scope(graph: Graph, products: list[Node]) -> str:
    """The module of a mixture: the one holding the experts' module (and so its router),
    unless that is a residual block; else the experts' module itself."""
    experts = common_scope(n.scope for n in products)
    holder = parent(experts)
    return holder if holder and not is_block(graph, holder) else experts


def _attributes(graph: Graph, members: list[Node], products: list[Node]) -> tuple[Attr, ...]:
    inside = {n.id for n in members}
    entering = [graph.node(e.src) for n in members for e in graph.in_edges(n.id)
                if e.src not in inside]
    attrs: list[Attr] = []
    first = products[0]
    groups = first.attr("groups")
    if _gathered(first):  # weights picked per row: all experts' weights over one's matrix
        groups = first.params // math.prod(first.shape or (1,))
    if not isinstance(groups, int):  # the products run inside a layer of its own: unseen
        return ()
    attrs.append(("experts", groups))
    rows = first.attr("lead")
    source = entering[0].shape if entering else None
    tokens = math.prod(source[:-1]) if source and len(source) >= 2 else None
    if isinstance(rows, int) and tokens and rows % tokens == 0:
        attrs.append(("top_k", rows // tokens))
    last = products[-1]
    width = last.shape[-1] if _gathered(last) and last.shape else last.attr("in_features")
    if isinstance(width, int):
        attrs.append(("expert_width", width))
    return tuple(attrs)


def collapse_experts(graph: Graph) -> Graph:
    """Replace each mixture-of-experts module by one node. Idempotent (the node holds no
    grouped product)."""
    moe = next((op for op in ops.entries() if "moe" in op.traits), None)
    products = [n for n in graph.nodes if has_experts(n)]
    if moe is None:
        return graph
    by_scope: dict[str, list[Node]] = {}
    for node in products:
        by_scope.setdefault(_layer_scope(graph, [node]), []).append(node)
    for gathered in _picked_weights(graph):
        by_scope.setdefault(_layer_scope(graph, gathered), gathered)
    if not by_scope:
        return graph
    owner: dict[str, str] = {}
    boxes: dict[str, Node] = {}
    for scope, found in by_scope.items():
        members = [n for n in graph.nodes if within(n.scope, scope) and n.kind not in _OUTSIDE]
        inside = {n.id for n in members}
        if inside & set(owner):
            continue
        leaving = [n for n in members if any(e.dst not in inside for e in graph.out_edges(n.id))]
        last = leaving[-1] if leaving else members[-1]
        node_id = f"{scope}:{moe.key}" if any(n.id == scope for n in graph.nodes) else scope
        boxes[members[0].id] = Node(
            id=node_id, kind=moe.kind, type_name=moe.recorded_name, scope=scope,
            attrs=_attributes(graph, members, found), shape=last.shape,
            feature_axis=last.feature_axis, params=sum(n.params for n in members),
            macs=sum(n.macs for n in members),
        )
        owner.update(dict.fromkeys(inside, node_id))
    return merge_regions(graph, owner, boxes)


def _gathered(node: Node) -> bool:
    """Expert weights picked per row: a view holding parameters, one matrix per row."""
    return (node.kind is Kind.RESHAPE and node.params > 0 and node.shape is not None
            and len(node.shape) == 2 and isinstance(node.attr("lead"), int))


def _picked_weights(graph: Graph) -> list[list[Node]]:
    """For each module that runs experts as batched products on weights picked per token
    copy (the op table's ``moe`` signatures), those picked weights, in order."""
    found: list[list[Node]] = []
    taken: set[str] = set()
    paths = sorted((p for p, _ in graph.modules if p), key=lambda p: -p.count("."))
    below = by_path(graph.nodes, paths)
    for path in paths:
        members = [n for n in below[path] if n.id not in taken]
        picked = [n for n in members if _gathered(n)]
        if picked and ops.recognize((n.type_name for n in members), only=False, trait="moe"):
            found.append(picked)
            taken |= {n.id for n in members}
    return found


def has_experts(node: Node) -> bool:
    """Whether ``node`` runs experts (a grouped product, as the op table says), itself or
    inside a layer of its own (whose ops the tracer noted)."""
    inside = node.attr(COMPUTES)
    names = (node.type_name, *(inside if isinstance(inside, tuple) else ()))
    return any(ops.has_trait(str(name), "experts") for name in names)
