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
from collections.abc import Callable

from netviz import ops
from netviz.ir import Attr, Graph, Kind, Node
from netviz.transforms.recognize import COMPUTES
from netviz.transforms.regions import merge_regions
from netviz.transforms.scopes import by_path, common_scope, index_by_path, parent

_OUTSIDE = (Kind.INPUT, Kind.OUTPUT, Kind.DATA)


def _layer_scope(graph: Graph, products: list[Node],
                 within_scope: Callable[[str], list[Node]]) -> str:
    """The module of a mixture: the one holding the experts' module (and so its router),
    unless that is a residual block; else the experts' module itself. ``within_scope``:
    the nodes within a module path, in graph order."""
    from netviz.transforms.attention import is_block  # here: only a graph with experts needs it

    experts = common_scope(n.scope for n in products)
    holder = parent(experts)
    return holder if holder and not is_block(graph, holder, within_scope(holder)) else experts


def _attributes(graph: Graph, members: list[Node], products: list[Node]) -> tuple[Attr, ...]:
    inside = {n.id for n in members}
    entering = [graph.node(e.src) for n in members for e in graph.in_edges(n.id)
                if e.src not in inside]
    attrs: list[Attr] = []
    first = products[0]
    groups = first.attr("groups")
    if _gathered(first):  # weights picked per row: all experts' weights over one's matrix
        groups = first.params // math.prod(first.shape or (1,))
    if not isinstance(groups, int):  # the products run inside a layer of its own
        return _layer_attributes(first)
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


def _layer_attributes(layer: Node) -> tuple[Attr, ...]:
    """A layer of its own that runs the experts (one node: its ops unseen), told by what it
    holds: one 3-D tensor per projection, ``(experts, a, b)``. An expert's hidden width is
    the side of its last projection that is not the layer's output width; the experts each
    token goes through, its MACs over the tokens times one expert's (the active-expert
    convention the MACs are counted in), when that is a whole number."""
    shapes = layer.attr("param_shapes")
    stacked = [s for s in shapes if isinstance(s, tuple) and len(s) == 3] if isinstance(
        shapes, tuple) else []
    if not stacked or len({s[0] for s in stacked}) != 1:
        return ()
    experts = stacked[0][0]
    attrs: list[Attr] = [("experts", experts)]
    tokens = layer.attr("lead")
    per_token = sum(a * b for _, a, b in stacked)
    if isinstance(tokens, int) and tokens and layer.macs % (tokens * per_token) == 0:
        top_k = layer.macs // (tokens * per_token)
        if 0 < top_k <= experts:
            attrs.append(("top_k", top_k))
    _, a, b = stacked[-1]
    out = layer.shape[-1] if layer.shape else None
    attrs.append(("expert_width", a if b == out else b))
    return tuple(attrs)


def collapse_experts(graph: Graph) -> Graph:
    """Replace each mixture-of-experts module by one node. Idempotent (the node holds no
    grouped product)."""
    moe = next((op for op in ops.entries() if "moe" in op.traits), None)
    products = [n for n in graph.nodes if has_experts(n)]
    if moe is None:
        return graph
    index: dict[str, list[Node]] = {}  # made on first use: most graphs have no experts

    def within_scope(scope: str) -> list[Node]:
        if not scope:
            return list(graph.nodes)
        if not index:  # one walk: a deep model has thousands of paths
            index.update(index_by_path(graph.nodes))
        return index.get(scope, [])

    by_scope: dict[str, list[Node]] = {}
    for node in products:
        by_scope.setdefault(_layer_scope(graph, [node], within_scope), []).append(node)
    for gathered in _picked_weights(graph):
        by_scope.setdefault(_layer_scope(graph, gathered, within_scope), gathered)
    listed: dict[str, tuple[Attr, ...]] = {}
    for experts, attrs in _expert_lists(graph):
        scope = _layer_scope(graph, experts, within_scope)
        if scope not in by_scope:
            by_scope[scope], listed[scope] = experts, attrs
    if not by_scope:
        return graph
    owner: dict[str, str] = {}
    boxes: dict[str, Node] = {}
    ids = {n.id for n in graph.nodes}
    for scope, found in by_scope.items():
        members = [n for n in within_scope(scope) if n.kind not in _OUTSIDE]
        inside = {n.id for n in members}
        if inside & set(owner):
            continue
        leaving = [n for n in members if any(e.dst not in inside for e in graph.out_edges(n.id))]
        last = leaving[-1] if leaving else members[-1]
        node_id = f"{scope}:{moe.key}" if scope in ids else scope
        boxes[members[0].id] = Node(
            id=node_id, kind=moe.kind, type_name=moe.recorded_name, scope=scope,
            attrs=listed.get(scope) or _attributes(graph, members, found), shape=last.shape,
            feature_axis=last.feature_axis, params=sum(n.params for n in members),
            macs=sum(n.macs for n in members),
        )
        owner.update(dict.fromkeys(inside, node_id))
    return merge_regions(graph, owner, boxes)


def _expert_lists(graph: Graph) -> list[tuple[list[Node], tuple[Attr, ...]]]:
    """Experts written as a list of identical modules (a ``ModuleList``/``ModuleDict`` of
    MLPs: SwitchTransformers, NLLB-MoE, eager loops), each run on the tokens routed to it:
    two or more children of one module, of one class, whose traced ops are alike, beside a
    data-dependent selection of rows (``nonzero``) in that module or the one holding it.
    Gives each list's
    nodes and what the box says: the experts traced (those the forward sent tokens to) and
    an expert's hidden width (what its last projection reads); how many experts a token
    goes through is not told by a loop over the experts."""
    classes = dict(graph.modules)
    children: dict[str, dict[str, list[str]]] = {}
    for path, cls in graph.modules:
        if path:
            children.setdefault(parent(path), {}).setdefault(cls, []).append(path)
    if not children:
        return []
    dependent: set[str] = set()
    for name, scopes in _scopes_by_type(graph).items():
        op = ops.lookup(name)
        if op is not None and op.depends_on_data({}):
            dependent.update(scopes)
    # the selection runs in the list's module or in the one holding it (a loop over a list)
    selecting = [h for h in sorted(children) if h in dependent or (h and parent(h) in dependent)]
    if not selecting:
        return []
    below_paths = [p for kinds in children.values() for paths in kinds.values() for p in paths]
    nodes_of: dict[str, list[Node]] = {p: [] for p in below_paths}
    for node in graph.nodes:
        scope = node.scope
        while scope:
            if scope in nodes_of:
                nodes_of[scope].append(node)
            scope = parent(scope)
    found: list[tuple[list[Node], tuple[Attr, ...]]] = []
    for holder in selecting:
        for paths in children[holder].values():
            runs = [nodes_of[p] for p in paths if nodes_of[p]]
            shapes = {tuple((n.type_name, n.shape[-1] if n.shape else None) for n in run)
                      for run in runs}
            if (len(runs) < 2 or len(shapes) != 1 or classes.get(holder) is None
                    or _chained(graph, runs)):
                continue
            linears = [n for n in runs[0] if n.kind is Kind.LINEAR]
            attrs: list[Attr] = [("experts", len(runs))]
            width = linears[-1].attr("in_features") if linears else None
            if isinstance(width, int):
                attrs.append(("expert_width", width))
            found.append(([n for run in runs for n in run], tuple(attrs)))
    return found


def _scopes_by_type(graph: Graph) -> dict[str, set[str]]:
    """The scopes each op (by type name) runs in."""
    found: dict[str, set[str]] = {}
    for node in graph.nodes:
        found.setdefault(node.type_name, set()).add(node.scope)
    return found


def _chained(graph: Graph, runs: list[list[Node]]) -> bool:
    """Whether one run reads what another computed (layers of a stack, one after another),
    rather than each its own rows (experts, side by side)."""
    first = {n.id: index for index, run in enumerate(runs) for n in run}
    for index, run in enumerate(runs):
        seen = {n.id for n in run}
        todo = list(seen)
        while todo:
            for edge in graph.out_edges(todo.pop()):
                if first.get(edge.dst, index) != index:
                    return True
                if edge.dst not in seen:
                    seen.add(edge.dst)
                    todo.append(edge.dst)
    return False


def _gathered(node: Node) -> bool:
    """Expert weights picked per row: a view holding parameters, one matrix per row."""
    return (node.kind is Kind.RESHAPE and node.params > 0 and node.shape is not None
            and len(node.shape) == 2 and isinstance(node.attr("lead"), int))


def _picked_weights(graph: Graph) -> list[list[Node]]:
    """For each module that runs experts as batched products on weights picked per token
    copy (the op table's ``moe`` signatures), those picked weights, in order."""
    found: list[list[Node]] = []
    if not any(_gathered(n) for n in graph.nodes):
        return found
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
    if any(ops.has_trait(str(name), "experts") for name in names):
        return True  # a grouped product
    return isinstance(inside, tuple) and ops.recognize(  # batched products on picked weights
        (str(name) for name in inside), only=False, trait="moe") is not None
