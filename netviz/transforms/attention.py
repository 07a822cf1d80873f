"""Collapse hand-written attention into one box that says what it is.

Users write attention as ops: ``q @ k.transpose(-2, -1)``, a scale, a bias or mask,
``softmax``, ``@ v`` (or ``F.scaled_dot_product_attention``). That core is found
by its shape in the graph, never by a module or class name: a ``softmax`` reached
from a matrix product through single-input ops, feeding another matrix product.
The module it runs in (the ``Attention`` module with its q/k/v and output
projections) becomes one ``Kind.ATTENTION`` node carrying the heads, the width
and, when tokens were split into windows, the window size; where that module is
a whole residual block (attention written inline in the block), only the core
is collapsed. Parameters and MACs of everything collapsed stay on the new node.
"""

from __future__ import annotations

import math
from dataclasses import replace

from netviz import ops
from netviz.ir import Attr, Graph, Kind, Node, evolve
from netviz.ops import has_trait
from netviz.transforms.regions import merge_regions
from netviz.transforms.scopes import common_scope, index_by_path, within

_STEPS = 12  # ops allowed between the products and the softmax (scale, bias, mask, views)
ATTENTION_TYPE = "attention"
"""``type_name`` of a collapsed attention node."""
CORE_TRAITS = ("softmax", "attention")
"""The traits of the ops a core starts from: a softmax between two products, or an op
that is a whole attention core (``scaled_dot_product_attention``). The pipeline imports
this module only for a graph with one (``pipeline.ATTENTION_TRAITS``, the same)."""


def _product(node: Node) -> bool:
    """A matrix product (``matmul``, ``bmm``, ``einsum``...), as the op table says."""
    return has_trait(node.type_name, "product")


def _single_input(graph: Graph, node_id: str) -> str | None:
    """The one tensor ``node_id`` reads, not counting what is computed from that tensor
    alone (``x - x.max()``, a stable softmax's shift)."""
    sources = {e.src for e in graph.in_edges(node_id)}
    if len(sources) > 1:
        derived = {s for s in sources
                   if (reads := {e.src for e in graph.in_edges(s)}) and reads <= sources - {s}}
        sources -= derived
    return next(iter(sources)) if len(sources) == 1 else None


def _single_consumer(graph: Graph, node_id: str) -> str | None:
    targets = {e.dst for e in graph.out_edges(node_id)}
    return next(iter(targets)) if len(targets) == 1 else None


def _core(graph: Graph, softmax: Node) -> list[str] | None:
    """Ids from the first product to the second, through ``softmax``; ``None`` if no core."""
    back: list[str] = []
    current = _single_input(graph, softmax.id)
    while current is not None and len(back) < _STEPS:
        back.insert(0, current)
        if _product(graph.node(current)):
            break
        current = _single_input(graph, current)
    if not back or not _product(graph.node(back[0])):
        return None
    forward: list[str] = []
    current = _single_consumer(graph, softmax.id)
    while current is not None and len(forward) < _STEPS:
        forward.append(current)
        if _product(graph.node(current)):
            return [*back, softmax.id, *forward]
        current = _single_consumer(graph, current)
    return None


def _computed_from(graph: Graph, later: str, earlier: str, scope: str) -> bool:
    """Whether node ``later`` is computed from node ``earlier``, through ops in ``scope``."""
    seen = {later}
    stack = [later]
    while stack:
        for edge in graph.in_edges(stack.pop()):
            if edge.src == earlier:
                return True
            if edge.src not in seen and within(graph.node(edge.src).scope, scope):
                seen.add(edge.src)
                stack.append(edge.src)
    return False


def is_block(graph: Graph, scope: str, inside: list[Node] | None = None) -> bool:
    """Whether ``scope`` holds a residual join: an add of a tensor and one computed from it
    (``x + f(x)``; a rotation's ``q cos + rotate(q) sin`` adds two branches instead).

    ``inside``: the nodes within ``scope`` in graph order, when the caller has them
    (see ``index_by_path``); otherwise found by walking the graph."""
    if inside is None:
        inside = [n for n in graph.nodes if within(n.scope, scope)]
    for node in inside:
        if node.kind is not Kind.ADD:
            continue
        sources = list(dict.fromkeys(e.src for e in graph.in_edges(node.id)))
        if any(_computed_from(graph, b, a, scope) for a in sources for b in sources if a != b):
            return True
    return False


def _regions(graph: Graph) -> list[set[str]]:
    regions: list[set[str]] = []
    taken: set[str] = set()
    index: dict[str, list[Node]] | None = None  # built at the first core with a scope
    for node in graph.nodes:
        if node.id in taken:
            continue
        if has_trait(node.type_name, CORE_TRAITS[0]):
            core = _core(graph, node)
        elif has_trait(node.type_name, CORE_TRAITS[1]):  # a whole attention core in one call
            core = [node.id]
        else:
            continue
        if core is None:
            continue
        scope = common_scope(graph.node(i).scope for i in core)
        inside: list[Node] = []
        if scope:
            index = index_by_path(graph.nodes) if index is None else index
            inside = index.get(scope, [])
        if scope and not is_block(graph, scope, inside):
            region = _this_call(graph, {n.id for n in inside
                                        if n.kind not in (Kind.INPUT, Kind.OUTPUT)}, core[0])
        else:
            region = set(core)
        if region & taken:
            continue
        region |= _shifts_around(graph, region)
        taken |= region
        regions.append(region)
    return regions


def _this_call(graph: Graph, scoped: set[str], start: str) -> set[str]:
    """The ops of ``scoped`` (every op of one module path) connected to ``start`` through
    edges among them: one call's ops, when the module runs several times (a layer stack
    called again in a loop); a box for every call's ops would draw a cycle."""
    found = {start}
    stack = [start]
    while stack:
        node_id = stack.pop()
        for edge in (*graph.in_edges(node_id), *graph.out_edges(node_id)):
            other = edge.src if edge.dst == node_id else edge.dst
            if other in scoped and other not in found:
                found.add(other)
                stack.append(other)
    return found


def _shifts_around(graph: Graph, region: set[str]) -> set[str]:
    """The shift (``roll``) before the region and the one after it, with the views
    between (Swin's shifted windows, written in the block around its attention module:
    roll, pad, partition into windows; then merge the windows, crop, roll back). Each
    op on the way reads one tensor and feeds the next alone."""
    found: set[str] = set()
    for start in [e.src for i in region for e in graph.in_edges(i) if e.src not in region]:
        found.update(_shift_chain(graph, region, start, backward=True))
    for start in [e.dst for i in region for e in graph.out_edges(i) if e.dst not in region]:
        found.update(_shift_chain(graph, region, start, backward=False))
    return found


def _shift_chain(graph: Graph, region: set[str], start: str, *, backward: bool) -> list[str]:
    """The ops from ``start`` away from the region (against the edges if ``backward``) up
    to and including a shift, each passing one tensor on to the next alone; ``[]`` when
    no shift is reached that way."""
    chain: list[str] = []
    current: str | None = start
    while current is not None and _passes(graph.node(current)):
        ins = {e.src for e in graph.in_edges(current)}
        outs = {e.dst for e in graph.out_edges(current)}
        toward, away = (outs, ins) if backward else (ins, outs)
        if toward - region - set(chain):
            break
        chain.append(current)
        if _shift(graph.node(current)):
            return chain
        current = next(iter(away)) if len(away) == 1 else None
    return []


def _shift(node: Node) -> bool:
    """An op that shifts tokens (``roll``), as the op table says."""
    return has_trait(node.type_name, "shift")


def _passes(node: Node) -> bool:
    """An op a shifted window's partition runs through: a view, a pad, the shift."""
    return node.kind is Kind.RESHAPE or _shift(node) or has_trait(node.type_name, "pad")


def _merged_width(graph: Graph, core_end: Node, members: list[Node]) -> int | None:
    """The width of the heads merged back: what the first projection after the core
    (the output projection) reads, ``heads x head_dim`` whatever the model's width
    (GPT-OSS: 64 heads of 64 in a 2880-wide model); ``None`` without one."""
    after = members[members.index(core_end) + 1:] if core_end in members else []
    for node in after:
        if node.kind is Kind.LINEAR:
            shapes = [graph.node(e.src).shape for e in graph.in_edges(node.id)]
            widths = {shape[-1] for shape in shapes if shape}
            return widths.pop() if len(widths) == 1 else None
    return None


def _attributes(core_end: Node, output: Node, members: list[Node],
                merged: int | None = None) -> tuple[Attr, ...]:
    """Heads, width and window size of an attention core ending at ``core_end``; whether
    its module shifts the tokens; and the ops it holds, so that attention modules that
    compute differently never look alike. ``merged``: the width the output projection
    reads (``heads x head_dim``), when it differs from the module's output width."""
    shape = core_end.shape or ()
    head_dim = shape[-1] if shape else None
    width = output.width
    if output.id == core_end.id and len(shape) >= 3 and head_dim:
        # only the core collapsed (its module is the traced model, or a residual block):
        # the product ends ``(heads, tokens, head_dim)``, the heads not yet merged
        width = shape[-3] * head_dim
    if not width and len(shape) >= 3 and head_dim:
        width = shape[-3] * head_dim  # the heads merge after the core, in no known width
    heads = None
    if merged and head_dim and merged % head_dim == 0:
        heads = merged // head_dim
    elif width and head_dim and width % head_dim == 0:
        heads = width // head_dim
    elif len(shape) >= 3:
        heads = shape[-3]
    attrs: list[Attr] = []
    if heads:
        attrs.append(("heads", heads))
    if width:
        attrs.append(("dim", width))
    lead = core_end.attr("lead", 1)
    windows = lead if len(shape) >= 3 else (lead // heads if heads and isinstance(lead, int) else 1)
    if isinstance(windows, int) and windows > 1 and len(shape) >= 2:
        tokens = shape[-2]
        side = math.isqrt(tokens)
        attrs.append(("window", (side, side) if side * side == tokens else (tokens,)))
    if any(has_trait(n.type_name, "shift") for n in members):  # shifted windows
        attrs.append(("shifted", True))
    kv_heads = _kv_heads(members, heads, head_dim)
    if kv_heads and heads and kv_heads != heads:
        attrs.append(("kv_heads", kv_heads))
    if ops.recognize((n.type_name for n in members), only=False, trait="rotary"):
        attrs.append(("rotary", True))
    attrs.append(("holds", tuple(sorted({n.type_name for n in members}))))
    return tuple(sorted(attrs))


def _kv_heads(members: list[Node], heads: int | None, head_dim: int | None) -> int | None:
    """Key/value heads of an attention module, from its projections' widths: the two
    narrower ones (keys and values of grouped-query attention), or, next to the output
    projection only, a fused projection of ``(heads + 2 kv_heads) x head_dim``; ``heads``
    when neither says otherwise (low-rank projections of latent attention included)."""
    if not heads or not head_dim:
        return heads
    width = heads * head_dim
    widths = [n.shape[-1] for n in members if n.kind is Kind.LINEAR and n.shape]
    narrow = sorted(w for w in set(widths) if w < width and w % head_dim == 0
                    and widths.count(w) >= 2)
    if narrow:
        return narrow[0] // head_dim
    if len(widths) == 2:  # one fused q/k/v projection and the output projection
        fused = max(widths)
        extra = fused // head_dim - heads if fused % head_dim == 0 else 0
        if fused > width and extra > 0 and extra % 2 == 0 and extra // 2 <= heads:
            return extra // 2
    return heads


def _latent(graph: Graph, region: set[str]) -> tuple[Attr, ...]:
    """``(("latent", True),)`` for latent attention: a projection inside the module reads,
    through ops of one input each (a norm, a split, views), another projection's output
    narrower than both that projection's input and its own output: queries, keys or
    values made through a low-rank bottleneck (DeepSeek's multi-head latent attention)."""
    for node_id in region:  # any order: the answer is whether one projection is latent
        node = graph.node(node_id)
        if node.kind is not Kind.LINEAR:
            continue
        current = node.id
        while True:
            sources = [e.src for e in graph.in_edges(current)]
            if len(sources) != 1 or sources[0] not in region:
                break
            current = sources[0]
            down = graph.node(current)
            if down.kind is Kind.LINEAR:
                rank, up = node.attr("in_features"), node.attr("out_features")
                wide = down.attr("in_features")
                if (isinstance(rank, int) and isinstance(up, int) and isinstance(wide, int)
                        and rank < min(up, wide)):
                    return (("latent", True),)
                break
    return ()


def _token_axis(output: Node) -> int | None:
    """The feature axis of attention's output: its exit's, else the last (tokens' width)."""
    if output.feature_axis is not None or not output.shape:
        return output.feature_axis
    return len(output.shape) - 1


def _held_ops(members: list[Node]) -> tuple[Attr, ...]:
    """``("ops", ((kind, count), ...))``: the projections and other ops the box stands
    for besides the attention core (counted like a collapsed module's)."""
    counts: dict[str, int] = {}
    for node in members:
        if node.kind not in (Kind.ATTENTION, Kind.INPUT, Kind.OUTPUT):
            counts[node.kind.value] = counts.get(node.kind.value, 0) + 1
    return (("ops", tuple(sorted(counts.items()))),) if counts else ()


def collapse_attention(graph: Graph) -> Graph:
    """Replace each attention core (or the module holding it) by one attention node.

    Idempotent: a collapsed node has no ``softmax`` left inside it.
    """
    regions = _regions(graph)
    if not regions:
        return graph
    owner: dict[str, str] = {}
    replacement: dict[str, Node] = {}
    taken = {n.id for n in graph.nodes}
    position = {n.id: i for i, n in enumerate(graph.nodes)}
    for region in regions:  # members in graph order, without a walk of the graph per region
        members = [graph.nodes[i] for i in sorted(position[m] for m in region if m in position)]
        leaving = [n for n in members if any(e.dst not in region for e in graph.out_edges(n.id))]
        output = leaving[-1] if leaving else members[-1]
        products = [n for n in members
                    if _product(n) or has_trait(n.type_name, "attention")]
        core_end = products[-1] if products else output
        scope = common_scope(n.scope for n in members if not _shift(n))
        node_id = base = scope or core_end.id
        count = 1
        while node_id in taken and node_id not in region:
            # several cores in one module (one per head group): ids stay unique
            node_id = f"{base}:attention" + (str(count) if count > 1 else "")
            count += 1
        taken.add(node_id)
        replacement[members[0].id] = Node(
            id=node_id, kind=Kind.ATTENTION, type_name=ATTENTION_TYPE, scope=scope,
            attrs=tuple(sorted(_attributes(core_end, output, members,
                                           _merged_width(graph, core_end, members))
                               + _held_ops(members)
                               + _latent(graph, region))),
            shape=output.shape,
            params=sum(n.params for n in members), macs=sum(n.macs for n in members),
            feature_axis=_token_axis(output),
        )
        owner.update(dict.fromkeys(region, node_id))
    return _rotary_tables(merge_regions(graph, owner, replacement))


def _rotary_tables(graph: Graph) -> Graph:
    """Name the op computing a rotation's cos/sin tables (no weights, feeding only attention
    that applies rotary embeddings) as the op table's rotary table."""
    rotary = {n.id for n in graph.nodes if n.kind is Kind.ATTENTION and n.attr("rotary")}
    table = next((op for op in ops.entries() if "rotary_table" in op.traits), None)
    if not rotary or table is None:
        return graph
    nodes = []
    for node in graph.nodes:
        targets = {e.dst for e in graph.out_edges(node.id)}
        if node.kind is Kind.OTHER and not node.params and targets and targets <= rotary:
            node = evolve(node, type_name=table.recorded_name, attrs=())
        nodes.append(node)
    return replace(graph, nodes=tuple(nodes))
