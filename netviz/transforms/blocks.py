"""Find the model's blocks and give each a cluster; number the stages they form.

Two sources of structure, both general: residual sums (a module whose forward adds
two different tensors is a residual block) and, where those are silent, the module
hierarchy the model's author named (dense layers, inception modules, inverted
residual blocks, transitions). Never a model's or class's particular name.
"""

from __future__ import annotations

import math
from functools import cache
from collections import Counter
from collections.abc import Container, Iterable
from dataclasses import replace

from netviz.ir import Cluster, Graph, Kind, Node
from netviz.transforms.branches import joins_branches
from netviz.transforms.scopes import parent, within
from netviz.transforms.shared import attribute_shared_calls
from netviz.transforms.units import CONTAINERS, promote_units

__all__ = ["CONTAINERS", "group_blocks", "hierarchy_block_scopes", "humanize",
           "residual_block_scopes", "residual_joins"]

_LIGHT = frozenset({Kind.NORM, Kind.ACT, Kind.RESHAPE, Kind.DROPOUT, Kind.INPUT, Kind.OUTPUT,
                    Kind.DATA, Kind.SPLIT})
_JOINS = frozenset({Kind.ADD, Kind.CAT, Kind.MUL})
_LEARNED = frozenset({Kind.CONV, Kind.LINEAR, Kind.ATTENTION})


def _sources(graph: Graph, node_id: str) -> int:
    return len({edge.src for edge in graph.in_edges(node_id)})


def _index_inputs(graph: Graph) -> set[str]:
    """Ids of the model inputs given as integers (token ids), from the trace's dtypes."""
    dtypes = dict(graph.meta).get("input_dtypes") or ()
    if not isinstance(dtypes, tuple):
        return set()
    inputs = [n.id for n in graph.nodes if n.kind is Kind.INPUT]
    return {i for i, d in zip(inputs, dtypes) if str(d).startswith(("int", "uint", "bool"))}


def residual_joins(graph: Graph) -> set[str]:
    """Ids of the residual (or fusing) joins: element-wise adds of two different tensors,
    each computed from features.

    Token, type and position embeddings summed (``wte(ids) + wpe(positions)``) are
    not joins: at most one operand there is computed from features, the others are read
    from tables (their op reads only indices: an integer model input, a tensor made
    from nothing such as ``arange`` or a buffer, or one computed from such alone).
    Neither is arithmetic with no learned op on either side in the module's forward
    (``x * 0.299 + x * 0.587``).
    """
    index_inputs = _index_inputs(graph)
    id_like: dict[str, bool] = {}
    for node in graph.nodes:  # execution order: every input comes first
        if node.kind is Kind.INPUT:
            id_like[node.id] = node.id in index_inputs
        else:
            id_like[node.id] = all(  # most nodes read features: False at once
                id_like.get(e.src, False) for e in graph.in_edges(node.id)) and node.width is None

    def fresh(node_id: str) -> bool:
        return graph.node(node_id).kind is not Kind.INPUT and all(
            id_like.get(e.src, False) for e in graph.in_edges(node_id))

    joins: set[str] = set()
    for node in graph.nodes:
        if node.kind is Kind.ADD:
            sources = {edge.src for edge in graph.in_edges(node.id)}
            if (len(sources) >= 2 and sum(not fresh(s) for s in sources) >= 2
                    and any(_learned_before(graph, s, node.scope) for s in sources)):
                joins.add(node.id)
    return joins


def _learned_before(graph: Graph, node_id: str, scope: str) -> bool:
    """Whether a convolution, linear layer or attention computes ``node_id`` in module
    ``scope``'s forward (a residual branch learns; ``x * 0.299 + x * 0.587``, a colour
    conversion written as arithmetic, does not)."""
    seen: set[str] = set()
    stack = [node_id]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        node = graph.node(current)
        if not within(node.scope, scope) or node.kind is Kind.INPUT:
            continue
        if node.kind in _LEARNED or node.attr("ops"):
            return True
        stack.extend(e.src for e in graph.in_edges(current))
    return False


def residual_block_scopes(graph: Graph) -> list[str]:
    """Module paths of the residual blocks, in execution order.

    A block is the module whose forward holds a residual join (see
    [`residual_joins`][netviz.transforms.blocks.residual_joins]). Blocks nested
    inside another block belong to the outer one; an add at the root makes no block.
    """
    candidates: dict[str, None] = {}  # in order
    joins = residual_joins(graph)
    for node in graph.nodes:
        if node.scope and node.id in joins:
            candidates.setdefault(node.scope)
    found = set(candidates)
    return [block for block in candidates if _enclosing(parent(block), found) is None]


def _weights(graph: Graph) -> dict[str, int]:
    """How many drawn ops (not norms, activations or views) run in each module."""
    own: dict[str, int] = {}  # per scope, then added to each ancestor's
    for node in graph.nodes:
        if node.kind not in _LIGHT:
            own[node.scope] = own.get(node.scope, 0) + 1
    weights: dict[str, int] = {}
    for scope, count in own.items():
        path = scope
        while True:
            weights[path] = weights.get(path, 0) + count
            if not path:
                break
            path = parent(path)
    return weights


def hierarchy_block_scopes(graph: Graph, residual: list[str],
                           weights: dict[str, int] | None = None) -> list[str]:
    """Blocks the module hierarchy names, outside residual blocks.

    A module is a block candidate when its class is not a plain container, at least
    two drawn ops run in it, one of them a convolution, linear layer or attention (a
    norm written as arithmetic is no block), and either its class repeats among its siblings
    (``denselayer1``…``denselayer6``, ``features.3``…) or it joins parallel
    paths (a concatenation of branches). A candidate holding a run of such blocks
    or a residual block is a stage, not a block (``denseblock1``), unless it joins
    blocks that run side by side (a multi-branch module, see
    [`joins_branches`][netviz.transforms.branches.joins_branches]). Of the rest, the
    outermost are the blocks. ``weights``: ``_weights(graph)``, if the caller has it.
    """
    types = graph.module_types
    weights = _weights(graph) if weights is None else weights
    joining = _with_ancestors(
        n.scope for n in graph.nodes if n.kind in _JOINS and _sources(graph, n.id) >= 2)
    holds_residual = _with_ancestors(parent(r) for r in residual)
    in_residual = set(residual)
    children: dict[str, list[str]] = {}
    for path in types:
        if path and weights.get(path, 0):
            children.setdefault(parent(path), []).append(path)
    siblings = {p: Counter(types[c] for c in kids) for p, kids in children.items()}

    def repeated(path: str) -> bool:
        return siblings.get(parent(path), Counter())[types[path]] >= 2

    learned = _with_ancestors(n.scope for n in graph.nodes if n.kind in _LEARNED)
    candidates = {
        path for path in types
        if path and types[path] not in CONTAINERS and weights.get(path, 0) >= 2
        and path in learned and (repeated(path) or path in joining)
        and _enclosing(path, in_residual) is None
    }

    def stage(path: str) -> bool:
        classes = [types[c] for c in children.get(path, ()) if c in candidates]
        holds = path in holds_residual or len(classes) != len(set(classes))
        return holds and not joins_branches(graph, path, [*residual, *candidates])

    blocks = {c for c in candidates if not stage(c)}
    return [b for b in blocks if _enclosing(parent(b), blocks) is None]


def _with_ancestors(paths: Iterable[str]) -> set[str]:
    """Every path given and every ancestor of it (the root ``""`` included)."""
    found: set[str] = set()
    for path in paths:
        while path not in found:
            found.add(path)
            if not path:
                break
            path = parent(path)
    return found


_UPPER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_LOWER_OR_DIGIT = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


@cache
def humanize(class_name: str) -> str:
    """``"_DenseLayer"`` → ``"Dense layer"``, ``"InvertedResidual"`` → ``"Inverted residual"``."""
    name = class_name.strip("_")
    # a space before each capital that follows a lower-case letter or digit (ASCII, as
    # the pattern ``(?<=[a-z0-9])(?=[A-Z])``; a loop: compiling it costs a cold render)
    words = "".join(" " + c if i and c in _UPPER and name[i - 1] in _LOWER_OR_DIGIT else c
                    for i, c in enumerate(name)).split()
    if not words:
        return ""
    rest = [w if w.isupper() else w.lower() for w in words[1:]]
    return " ".join([words[0], *rest])


def _spatial(node: Node) -> tuple[int, ...]:
    shape = node.shape or ()
    axis = node.feature_axis if node.feature_axis is not None else 0
    return tuple(d for i, d in enumerate(shape) if i != axis % max(len(shape), 1))


def _io(graph: Graph, members: list[str]) -> tuple[int, bool]:
    """A block's output resolution (how many positions), and whether it changes the
    feature width."""
    inside = set(members)
    leaving = [m for m in members if any(e.dst not in inside for e in graph.out_edges(m))]
    entering = [e.src for m in members for e in graph.in_edges(m) if e.src not in inside]
    out = graph.node(leaving[-1]) if leaving else None
    into = graph.node(entering[0]) if entering else None
    widens = out is not None and into is not None and _width(out) != _width(into)
    # positions, not the shape: tokens (N, D) and the map (D, H, W) they fold back to
    return (math.prod(_spatial(out)) if out is not None else 0), widens


def _width(node: Node) -> int | None:
    return node.width if node.width is not None else (node.shape[0] if node.shape else None)


def group_blocks(graph: Graph) -> Graph:
    """Give every block a cluster; number stages and blocks within them.

    A new stage (group) begins where the parent module changes (the parent of the
    outermost module holding the block and nothing else), where a block's
    output resolution differs from the previous block's, or where a block changes the
    feature width after one that did not (MobileNet's 64C blocks, then its 96C ones).
    Groups are numbered in execution order from 0, blocks within a group too. Idempotent: a graph that
    already has clusters is returned unchanged.
    """
    if graph.clusters:
        return graph
    residual = residual_block_scopes(graph)
    weights = _weights(graph)
    found = set(residual) | set(hierarchy_block_scopes(graph, residual, weights))
    found = {b for b in found if _enclosing(parent(b), found) is None}  # outermost
    found = promote_units(graph, found, weights)
    members: dict[str, list[str]] = {}
    enclosing: dict[str, str | None] = {}  # per scope: nodes share scopes
    for node in graph.nodes:
        scope = node.scope
        if scope not in enclosing:
            enclosing[scope] = _enclosing(scope, found)
        block = enclosing[scope]
        if block is not None and node.kind not in (Kind.INPUT, Kind.OUTPUT):
            members.setdefault(block, []).append(node.id)
    members = attribute_shared_calls(graph, members)
    types = graph.module_types
    clusters = []
    group, index = -1, 0
    previous: tuple[str, int, bool] | None = None
    for block in members:  # execution order of each block's first op
        here = (parent(_sole_holder(block, weights, types)), *_io(graph, members[block]))
        if previous is None or here[:2] != previous[:2] or (here[2] and not previous[2]):
            group, index = group + 1, 0
        previous = here
        clusters.append(
            Cluster(id=block, group=group, index=index, blocks=(block,),
                    node_ids=tuple(members[block]),
                    kind="" if types.get(block) in CONTAINERS else humanize(types.get(block, "")))
        )
        index += 1
    return replace(graph, clusters=tuple(clusters))


def _sole_holder(block: str, weights: dict[str, int], types: dict[str, str]) -> str:
    """The outermost module (below the root, not a plain container) holding ``block``
    and nothing else drawn: blocks in such holders (``stages.0.blocks.0`` holding only
    its ``mixer`` block) belong to one stage when their holders are siblings; a
    ``Sequential`` of one block is still a stage of its own."""
    path = block
    while (parent(path) and types.get(parent(path)) not in CONTAINERS
           and weights.get(parent(path), 0) == weights.get(path, 0)):
        path = parent(path)
    return path


def _enclosing(scope: str, blocks: Container[str]) -> str | None:
    """The block among ``blocks`` that ``scope`` lies in, if any."""
    path = scope
    while path:
        if path in blocks:
            return path
        path = parent(path)
    return None
