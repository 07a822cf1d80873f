"""Keep a folded figure to a page: collapse modules inside blocks into one box each.

Folding draws one block per run, whatever the depth; a block itself can still be
large (a squeeze-excitation gate, an MLP, a stem of its own). When a folded figure
has more nodes than a page holds, modules inside blocks become one box each, named
by their class (``Squeeze excitation``), innermost first (so a block keeps its own
structure), until it fits. Every module of one class collapses together, so the figure stays consistent;
the box keeps the parameters (marks inside it included), MACs and op counts of
what it stands for.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from functools import partial

from dataclasses import replace

from netviz.ir import Cluster, Edge, Graph, Kind, Node, evolve
from netviz.ir.accounting import mark_ops
from netviz.text import one_line
from netviz.transforms.blocks import CONTAINERS, humanize
from netviz.transforms.fold import PAGE as PAGE  # the page a folded figure keeps to
from netviz.transforms.regions import merge_regions
from netviz.transforms.scopes import within


COLLAPSED_TYPE = "module"
"""``type_name`` of a collapsed module's box."""


def _regions(graph: Graph, loose: bool = False, outputs: bool = False) -> dict[str, list[str]]:
    """Collapsible modules: not a container, several ops, one exit; inside a drawn block,
    or outside every block (a stem, a norm between stages, a head). ``loose``: two ops
    are several, and a container with a name (``branch1``, ``shortcut``) is a module.
    ``outputs``: a module may have several exits (its box has every one's arrows)."""
    regions: dict[str, list[str]] = {}
    order = topological(graph) if outputs else None
    for cluster in graph.clusters:
        for block in cluster.blocks[:1]:
            _add_regions(graph, regions, list(cluster.node_ids), len(block.split(".")) + 1,
                         partial(_strictly_within, block=block), loose, order)
    free = [n.id for n in graph.nodes if graph.cluster_of(n.id) is None
            and n.kind not in (Kind.INPUT, Kind.OUTPUT)]
    blocks = [b for c in graph.clusters for b in c.blocks]
    _add_regions(graph, regions, free, 1,
                 lambda scope: bool(scope) and not any(within(b, scope) for b in blocks), loose,
                 order)
    return regions


def _strictly_within(scope: str, block: str) -> bool:
    return scope != block and within(scope, block)


def _add_regions(
    graph: Graph, regions: dict[str, list[str]], node_ids: list[str], depth: int,
    inside: Callable[[str], bool], loose: bool, order: dict[str, int] | None = None,
) -> None:
    """Add the collapsible modules among ``node_ids`` (every module path of ``depth`` or
    more parts whose ops are among them and whose scope ``inside`` accepts). ``order``
    (a topological order of the graph): a module may have several exits."""
    paths: set[str] = set()
    for scope in {graph.node(i).scope for i in node_ids}:
        parts = scope.split(".")
        for end in range(depth, len(parts) + 1):
            paths.add(".".join(parts[:end]))
    for path in sorted(paths):
        if not _name(graph, path, loose) or not inside(path):
            continue
        every = [i for i in node_ids if within(graph.node(i).scope, path)
                 and graph.node(i).kind is not Kind.DATA]
        for call, members in enumerate(_calls(graph, every)):
            leaving = {i for i in members for e in graph.out_edges(i) if e.dst not in members}
            if len(members) >= (2 if loose else 3) and (
                    len(leaving) == 1 or order and leaving and not _reenters(graph, members, order)):
                regions[f"{path}{_CALL}{call}" if call else path] = members


_CALL = "@call"
"""Joins a module path and a call's index (from 1) in the key of a module's later call."""


def _path(key: str) -> str:
    """The module path of a region's key."""
    return key.partition(_CALL)[0]


def _calls(graph: Graph, members: list[str]) -> list[list[str]]:
    """``members`` (one module's ops, in execution order) split into its calls, when the
    module ran several times (a layer stack called again in a loop, HRM): a call
    begins where the module's first op runs again, and every call runs ops in the same
    submodules. Else ``[members]``: one call (a module whose first op runs again later
    in the same call has a part without the submodules between)."""
    if not members:
        return [members]
    first = graph.node(members[0])
    parts: list[list[str]] = []
    for node_id in members:
        node = graph.node(node_id)
        if not parts or (node.scope, node.type_name) == (first.scope, first.type_name):
            parts.append([])
        parts[-1].append(node_id)
    if len(parts) < 2:
        return [members]
    scopes = [{graph.node(i).scope for i in part} for part in parts]
    return parts if all(found == scopes[0] for found in scopes) else [members]


def topological(graph: Graph) -> dict[str, int]:
    """Each node's place in a topological order (a box sits where its first member ran,
    so the node order is not always one)."""
    import graphlib  # here: most figures fit a page and never ask (a cold render pays less)

    sorter = graphlib.TopologicalSorter({n.id: [e.src for e in graph.in_edges(n.id)]
                                         for n in graph.nodes})
    return {node_id: i for i, node_id in enumerate(sorter.static_order())}


def _reenters(graph: Graph, members: list[str], position: dict[str, int]) -> bool:
    """Whether a path leaves ``members`` and comes back into them (a box for them would
    draw a cycle: a module list whose outputs are summed outside it between its calls).
    Edges run forward in ``position`` (a topological order): the walk stops at the last
    member."""
    inside = set(members)
    last = max(position[i] for i in members)
    stack = [e.dst for i in members for e in graph.out_edges(i) if e.dst not in inside]
    seen: set[str] = set()
    while stack:
        node_id = stack.pop()
        if node_id in inside:
            return True
        if node_id not in seen and position[node_id] < last:
            seen.add(node_id)
            stack.extend(e.dst for e in graph.out_edges(node_id))
    return False


def _name(graph: Graph, path: str, loose: bool = True) -> str:
    """What a collapsed module's box says: its class (``Squeeze excitation``); for a
    container, its attribute's name (``Branch1``, ``Shortcut``) if ``loose``, else
    nothing (it is not collapsed)."""
    cls = graph.module_types.get(path, "Sequential")
    if cls not in CONTAINERS:
        return one_line(humanize(cls) or path)
    attribute = path.rpartition(".")[2]
    return one_line(humanize(attribute)) if loose and not attribute.isdigit() else ""


def collapse_to_page(graph: Graph, page: int = PAGE) -> Graph:
    """Keep a folded figure to ``page`` nodes, giving up the least first.

    In order, each only while the figure is still over the page: collapse modules
    inside blocks (innermost first, then the biggest saving; until nothing is left to
    collapse), then fold each stage whose blocks differ only in widths, strides,
    constants and their shortcut into one cluster
    ([`fold_stages`][netviz.transforms.stages.fold_stages]), then such runs across
    stages with nothing drawn between them, then runs of whole stages alike
    ([`fold_stage_runs`][netviz.transforms.spans.fold_stage_runs]); then all of that
    again with looser modules (two ops, named containers such as ``branch1``); last,
    blocks that occur once become one box each
    ([`collapse_blocks`][netviz.transforms.collapse.collapse_blocks]); and if it is still
    over, modules then blocks with several exits (whose boxes have several arrows out). A
    graph that already fits is returned unchanged. Idempotent.
    """
    if len(graph.nodes) <= page:
        return graph
    # imported here: most figures fit a page and never need them (a cold render pays less)
    from netviz.transforms.spans import fold_stage_runs
    from netviz.transforms.stages import fold_stages

    graph = collapse_modules(graph, page)
    for loose in (False, True):
        if loose and len(graph.nodes) > page:
            graph = collapse_modules(graph, page, loose=True)
        if len(graph.nodes) > page:
            graph = fold_stages(graph)
        if len(graph.nodes) > page:
            graph = fold_stages(graph, across=True)
        if len(graph.nodes) > page:
            graph = fold_stage_runs(graph)
    if len(graph.nodes) > page:
        graph = collapse_blocks(graph, page)
    if len(graph.nodes) > page:
        graph = collapse_modules(graph, page, loose=True, outputs=True)
    if len(graph.nodes) > page:
        graph = collapse_blocks(graph, page, outputs=True)
    return graph


def collapse_modules(graph: Graph, page: int = PAGE, *, loose: bool = False,
                     outputs: bool = False) -> Graph:
    """Collapse modules, innermost first then the biggest saving, until ``graph`` fits
    ``page`` or no module is left to collapse (``loose``, ``outputs``: see ``_regions``)."""
    while len(graph.nodes) > page:
        collapsed = _collapse_once(graph, page, loose, outputs)
        if collapsed is graph:
            break
        graph = collapsed
    return graph


def _collapse_once(graph: Graph, page: int, loose: bool, outputs: bool = False) -> Graph:
    regions = _regions(graph, loose, outputs)
    by_class: dict[str, list[str]] = {}
    for key in regions:  # every module of one kind collapses together
        by_class.setdefault(_name(graph, _path(key)), []).append(key)
    # the innermost details go first (the block's own structure stays), then the biggest
    order = sorted(by_class, key=lambda c: (
        -min(p.count(".") for p in by_class[c]), -sum(len(regions[p]) - 1 for p in by_class[c])))
    chosen: list[str] = []
    size = len(graph.nodes)
    for cls in order:
        if size <= page:
            break
        paths = [p for p in by_class[cls] if not any(
            within(_path(p), _path(q)) or within(_path(q), _path(p)) for q in chosen)]
        saved = sum(len(regions[p]) - 1 for p in paths)
        if saved > 0:
            chosen += paths
            size -= saved
    return _collapse(graph, {p: regions[p] for p in chosen}) if chosen else graph


def collapse_blocks(graph: Graph, page: int = PAGE, *, outputs: bool = False) -> Graph:
    """Draw some blocks as one box each, until ``graph`` fits ``page``: first blocks that
    occur once (a stem cell, a reduction module), the biggest first; then clusters of a
    kind of block drawn in detail elsewhere (a cell's variants: the kind's cluster
    standing for the most blocks keeps its detail). Each box keeps its block's cluster
    (title, counts).

    ``outputs``: only such blocks with several exits (a stage's last block that also
    feeds a multi-scale head, a multi-resolution module; the box has every exit's
    arrows), each the smallest that brings the figure to the page, else the biggest."""
    order = topological(graph) if outputs else {}
    kept: dict[str, Cluster] = {}  # per kind, the cluster that keeps its detail
    for cluster in graph.clusters:
        if cluster.kind and (cluster.kind not in kept
                             or cluster.repeat > kept[cluster.kind].repeat):
            kept[cluster.kind] = cluster
    once: dict[str, list[str]] = {}
    variants: dict[str, list[str]] = {}
    for cluster in graph.clusters:
        members = [i for i in cluster.node_ids if graph.node(i).kind is not Kind.DATA]
        leaving = {i for i in members for e in graph.out_edges(i) if e.dst not in members}
        if len(members) < 3 or (len(leaving) < 2 or _reenters(graph, members, order)
                                if outputs else len(leaving) != 1) or any(
                graph.node(i).type_name == COLLAPSED_TYPE and graph.node(i).scope == cluster.id
                for i in members):
            continue
        if cluster.repeat == 1 and len(cluster.blocks) == 1:
            once[cluster.id] = members
        elif cluster.kind and kept[cluster.kind] is not cluster:
            variants[cluster.id] = members
    chosen: dict[str, list[str]] = {}
    size = len(graph.nodes)
    if outputs:
        pool = {**once, **variants}
        left = sorted(pool, key=lambda b: (-len(pool[b]), b))
        while size > page and left:
            fits = [b for b in left if size - (len(pool[b]) - 1) <= page]
            block = fits[-1] if fits else left[0]
            left.remove(block)
            chosen[block] = pool[block]
            size -= len(pool[block]) - 1
        once, variants = {}, {}
    for pool in (once, variants):
        for block in sorted(pool, key=lambda b: (-len(pool[b]), b)):
            if size <= page:
                break
            chosen[block] = pool[block]
            size -= len(pool[block]) - 1
    kinds = {c.id: c.kind or "Block" for c in graph.clusters}
    return _collapse(graph, chosen, {b: one_line(kinds[b]) for b in chosen}) if chosen else graph


def _collapse(graph: Graph, regions: dict[str, list[str]],
              names: dict[str, str] | None = None) -> Graph:
    owner: dict[str, str] = {}
    boxes: dict[str, Node] = {}  # first member id -> the box
    for key, members in regions.items():
        path = _path(key)
        inside = set(members)
        nodes = [graph.node(i) for i in members]
        exit_id = [i for i in members if any(e.dst not in inside for e in graph.out_edges(i))][-1]
        last = graph.node(exit_id)
        name = (names or {}).get(key) or _name(graph, path)
        boxes[members[0]] = Node(
            id=f"{key}:module", kind=Kind.OTHER, type_name=COLLAPSED_TYPE, scope=path,
            attrs=(("module", name), ("ops", _ops_of(nodes))),
            label=name, code=name, shape=last.shape, feature_axis=last.feature_axis,
            params=sum(n.params for n in nodes), macs=sum(n.macs for n in nodes),
        )
        owner.update(dict.fromkeys(members, f"{key}:module"))
    # a mark the module computes on its way in (a norm of its input) is inside the box
    box_path = {box.id: box.scope for box in boxes.values()}
    edges = tuple(
        replace(e, mark=None, change=None) if e.mark is not None and e.dst in owner and e.src not in owner
        and within(e.mark.scope, box_path[owner[e.dst]]) else e
        for e in graph.edges
    )
    merged = merge_regions(replace(graph, edges=edges), owner, boxes)
    return _marks_into_boxes(graph, merged, owner)


def _ops_of(nodes: list[Node]) -> tuple[tuple[str, int], ...]:
    """The ``(kind, count)`` pairs of the ops ``nodes`` stand for (boxes among them
    count what they hold)."""
    counts: Counter[str] = Counter()
    for node in nodes:
        if node.type_name != COLLAPSED_TYPE:  # a box inside counts what it holds
            counts[node.kind.value] += 1
        held = node.attr("ops")
        if isinstance(held, tuple):
            counts.update(dict(held))
    return tuple(sorted(counts.items()))


def _marks_into_boxes(graph: Graph, merged: Graph, owner: dict[str, str]) -> Graph:
    """Add to each box the parameters and op counts of the marked ops its module
    computed that no edge of the collapsed graph carries any more (each op once)."""
    kept = mark_ops(merged)
    found: dict[str, dict[str, tuple[Kind, int]]] = {}
    for edge in graph.edges:
        mark = edge.mark
        if mark is None:
            continue
        boxes = [owner[i] for i in (edge.dst, edge.src) if i in owner]
        if not boxes:
            continue
        home = next((b for b in boxes if within(mark.scope, merged.node(b).scope)), boxes[0])
        ops = mark_ops(replace(graph, edges=(edge,)))
        for node_id, (kind, params, _) in ops.items():
            if node_id not in kept and not any(node_id in f for f in found.values()):
                found.setdefault(home, {})[node_id] = (kind, params)
    if not found:
        return merged
    nodes = []
    for node in merged.nodes:
        held = found.get(node.id, {}).values()
        if held:
            counts = Counter(dict(node.attr("ops") or ()))  # type: ignore[arg-type]
            counts.update(kind.value for kind, _ in held)
            attrs = tuple(("ops", tuple(sorted(counts.items()))) if k == "ops" else (k, v)
                          for k, v in node.attrs)
            node = evolve(node, attrs=attrs, params=node.params + sum(p for _, p in held))
        nodes.append(node)
    return replace(merged, nodes=tuple(nodes))
