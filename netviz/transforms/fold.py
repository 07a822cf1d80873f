"""Fold runs of identical (or near-identical) blocks into one cluster."""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable
from dataclasses import replace
from itertools import groupby

from netviz.ir import Cluster, Edge, Graph, Kind, Node, evolve
from netviz.ir.accounting import cluster_ops, cluster_totals, mark_ops, mark_owner, tally
from netviz.transforms.scopes import within

CHANNEL_ATTRS = frozenset({
    "in_channels", "out_channels", "num_features", "num_channels", "weight_shape",
    "in_features", "out_features", "normalized_shape", "embedding_dim", "num_parameters",
    "dim", "hidden_size", "input_size", "embed_dim", "d_model", "dim_feedforward", "kdim",
    "vdim", "size",
})
"""Attributes that only state a channel count: blocks may differ in them and still fold."""

PAGE = 60
"""Nodes a folded figure may have (about what a page holds legibly; see
[`collapse_to_page`][netviz.transforms.collapse.collapse_to_page])."""


def block_signature(graph: Graph, cluster: Cluster) -> Hashable:
    """What makes two blocks identical: ops, every attribute, shapes and wiring, never names.

    Requires labelled nodes (run the labelling transform first).
    """
    return _signature(graph, cluster, _exact)


def similar_signature(graph: Graph, cluster: Cluster) -> Hashable:
    """What makes two blocks near-identical: the same ops, attributes and wiring but for
    their channel counts. The block's inputs count as one: a dense layer fed by the
    concatenation of all earlier outputs is like the first layer, fed by one."""
    entry = {i for i in cluster.node_ids if graph.node(i).kind is Kind.DATA}
    ops = [i for i in cluster.node_ids if i not in entry]
    position = {node_id: i for i, node_id in enumerate(ops)}
    position.update(dict.fromkeys(entry, -1))
    wiring = sorted({
        (position.get(e.src), position.get(e.dst), _own_mark(e, cluster))
        for node_id in ops
        for e in (*graph.in_edges(node_id), *graph.out_edges(node_id))
    }, key=repr)
    return tuple(_loose(graph.node(i)) for i in ops), tuple(wiring)


def _exact(node: Node) -> Hashable:
    if node.kind is Kind.DATA:  # the tensor entering a block, whatever its layout or view
        return node.kind, node.width, math.prod(node.shape or ())
    return node.kind, node.label, node.code, node.shape, node.params, node.macs, node.attrs


def _loose(node: Node) -> Hashable:
    attrs = tuple((k, v) for k, v in node.attrs if k not in CHANNEL_ATTRS and k != "groups")
    return node.kind, node.type_name, attrs, grouping(node), _spatial(node)


def grouping(node: Node) -> str | None:
    """How a conv groups its channels, whatever their count: ``"depthwise"``,
    ``"grouped"``, or ``None`` (not grouped)."""
    groups = node.attr("groups")
    if groups in (None, 1):
        return None
    return "depthwise" if groups == node.attr("in_channels") else "grouped"


def _spatial(node: Node) -> tuple[int, ...]:
    shape = node.shape or ()
    if not shape:
        return ()
    axis = (node.feature_axis if node.feature_axis is not None else 0) % len(shape)
    return shape[:axis] + shape[axis + 1:]


def _signature(
    graph: Graph, cluster: Cluster, describe: Callable[[Node], Hashable]
) -> Hashable:
    position = {node_id: i for i, node_id in enumerate(cluster.node_ids)}
    ops = tuple(describe(graph.node(i)) for i in cluster.node_ids)
    # a set: how many consumers outside read the block's output (the next block, or
    # the head and a second output after the last) does not make blocks differ
    wiring = sorted({
        (position.get(e.src), position.get(e.dst), _own_mark(e, cluster))
        for node_id in cluster.node_ids
        for e in (*graph.in_edges(node_id), *graph.out_edges(node_id))
    }, key=repr)
    return ops, tuple(wiring)


def _own_mark(edge: Edge, cluster: Cluster) -> tuple[str, ...] | None:
    """The mark's op names when the block computes it (not the head's or the previous block's)."""
    if edge.mark is None or not any(within(edge.mark.scope, b) for b in cluster.blocks):
        return None
    return edge.mark.type_names + (edge.mark.label,) if edge.mark.label else edge.mark.type_names


Merge = Callable[[Graph, list[Cluster]], Cluster]
Align = Callable[[Graph, Cluster, Cluster], dict[str, str]]
Run = tuple[int, list[Cluster]]
"""A run of consecutive clusters of one group and its period: ``(1, [A, A, A])`` draws one
``A``; ``(2, [A, B, A, B])`` draws ``A`` and ``B``."""


def _runs(graph: Graph, signature: Callable[[Graph, Cluster], Hashable]) -> list[Run]:
    signatures = {c.id: signature(graph, c) for c in graph.clusters}
    runs: list[Run] = []
    for _, group in groupby(graph.clusters, key=lambda c: c.group):
        for _, same in groupby(group, key=lambda c: signatures[c.id]):
            runs.append((1, list(same)))
    return runs


def fold_runs(graph: Graph, runs: list[Run], merge: Merge, align: Align | None = None) -> Graph:
    """Draw each run's first period once; each later block stands for the kept block at
    its place in the period, and edges leaving the run leave that kept block.

    Args:
        graph: The graph.
        runs: Every cluster of ``graph``, in order, as runs with their period.
        merge: Makes the cluster standing for a run's blocks at one place of the period.
        align: Which kept node each node of a folded block stands for (default: ops by
            their order, data nodes by the kept block's).
    """
    align = align or _alignment
    if all(len(run) == period for period, run in runs):
        return graph
    drop: set[str] = set()
    rename: dict[str, str] = {}
    inner: dict[str, str] = {}  # node id -> id of the run's first cluster
    clusters = []
    for period, run in runs:
        for node_id in (i for c in run for i in c.node_ids):
            inner[node_id] = run[0].id
        for index, other in enumerate(run[period:], start=period):
            drop.update(other.node_ids)
            rename.update(align(graph, other, run[index % period]))
        for offset in range(period):
            members = run[offset::period]
            clusters.append(merge(graph, members) if len(members) > 1 else members[0])

    dropped = [b for period, run in runs for c in run[period:] for b in c.blocks]
    kept_marks = {(e.src, e.mark.type_names): e.mark for e in graph.edges
                  if e.mark is not None and e.src not in drop and e.dst not in drop}
    kept = [b for period, run in runs for c in run[:period] for b in c.blocks]
    into_run = {e.src: e.mark for e in graph.edges
                if e.mark is not None and e.src not in drop and e.dst in drop
                and any(within(e.mark.scope, b) for b in kept)}
    edges: list[Edge] = []
    seen: set[Edge] = set()
    for edge in graph.edges:
        src_run, dst_run = inner.get(edge.src), inner.get(edge.dst)
        if src_run is not None and src_run == dst_run:
            if edge.src in drop or edge.dst in drop:
                continue
        elif edge.dst in drop:
            continue
        mark = edge.mark
        if edge.src in drop and mark is not None and any(within(mark.scope, b) for b in dropped):
            # a folded block's mark on the edge leaving the run: the kept block's own,
            # where it still shows (else this one stands for it)
            mark = kept_marks.get((rename.get(edge.src, edge.src), mark.type_names), mark)
        elif edge.src in drop and mark is None:
            # the kept block's exit mark, which rode on its edge into the next block
            mark = into_run.get(rename.get(edge.src, edge.src))
        src = rename.get(edge.src, edge.src)
        # evolve: no __init__ per edge; an edge that does not change is kept as it is
        new = edge if (src is edge.src and mark is edge.mark and edge.change is None) \
            else evolve(edge, src=src, mark=mark, change=None)
        if new not in seen:
            seen.add(new)
            edges.append(new)
    nodes = tuple(n for n in graph.nodes if n.id not in drop)
    folded = replace(graph, nodes=nodes, edges=tuple(edges), clusters=tuple(clusters))
    return keep_loose_marks(graph, folded, inner)


def keep_loose_marks(graph: Graph, folded: Graph, inner: dict[str, str]) -> Graph:
    """``folded`` (``graph`` with runs folded; ``inner`` maps each node of a run to the
    id of the run's first cluster), counting in its run's cluster a mark no block
    computes (a norm applied by the model's own forward between two blocks) that rode
    only on an edge inside the run: folding drops that edge, not what it stands for."""
    kept = mark_ops(folded)
    runs: dict[str, str | None] = {}
    for edge in graph.edges:
        if edge.mark is not None:
            for node_id in edge.mark.node_ids:
                runs.setdefault(node_id, inner.get(edge.src) or inner.get(edge.dst))
    lost: dict[str, list[tuple[Kind, int]]] = {}
    for node_id, (kind, params, mark) in mark_ops(graph).items():
        run = runs.get(node_id)
        if node_id not in kept and run is not None and mark_owner(folded, mark) is None:
            lost.setdefault(run, []).append((kind, params))
    if not lost:
        return folded
    clusters = []
    for cluster in folded.clusters:
        if cluster.id in lost:
            params, macs = cluster_totals(folded, cluster)
            ops = cluster_ops(folded, cluster)
            for kind, _ in lost[cluster.id]:
                ops[kind.value] = ops.get(kind.value, 0) + 1
            cluster = replace(cluster, totals=(params + sum(p for _, p in lost[cluster.id]), macs),
                              ops=tuple(sorted(ops.items())))
        clusters.append(cluster)
    return replace(folded, clusters=tuple(clusters))


def _alignment(graph: Graph, other: Cluster, kept: Cluster) -> dict[str, str]:
    """Which kept node each node of a folded block stands for: ops by their order, every
    data node by the kept block's first (a dense layer has one per earlier output)."""
    def split(cluster: Cluster) -> tuple[list[str], list[str]]:
        data = [i for i in cluster.node_ids if graph.node(i).kind is Kind.DATA]
        return data, [i for i in cluster.node_ids if i not in set(data)]

    (other_data, other_ops), (kept_data, kept_ops) = split(other), split(kept)
    mapping = dict(zip(other_ops, kept_ops))
    if kept_data:
        mapping.update(dict.fromkeys(other_data, kept_data[0]))
    if len(other_data) == len(kept_data):
        mapping.update(zip(other_data, kept_data))
    return mapping


def _merge_identical(graph: Graph, run: list[Cluster]) -> Cluster:
    return replace(run[0], blocks=tuple(b for c in run for b in c.blocks),
                   repeat=sum(c.repeat for c in run))


def fold_repeats(graph: Graph) -> Graph:
    """Draw each run of identical consecutive blocks of a group once, with a repeat count.

    The first block of the run stands for all of them; edges leaving the run's
    last block leave the kept block instead. Idempotent.
    """
    return fold_runs(graph, _runs(graph, block_signature), _merge_identical)


def _periodic_runs(graph: Graph, longest: int = 4) -> list[Run]:
    """Runs whose blocks repeat with a period of 2 to ``longest`` (a Swin stage's plain
    and shifted blocks), at least twice over; other clusters as runs of their own."""
    signatures = [block_signature(graph, c) for c in graph.clusters]
    clusters = list(graph.clusters)
    runs: list[Run] = []
    i = 0
    while i < len(clusters):
        best: Run = (1, [clusters[i]])
        for period in range(2, longest + 1):
            end = i
            while (end + period < len(clusters)
                   and clusters[end + period].group == clusters[i].group
                   and clusters[end + period].repeat == clusters[end].repeat == 1
                   and signatures[end + period] == signatures[end]):
                end += 1
            length = (end - i + period) // period * period
            if length >= 2 * period and length > len(best[1]):
                best = (period, clusters[i : i + length])
        runs.append(best)
        i += len(best[1])
    return runs


def _merge_periodic(graph: Graph, members: list[Cluster]) -> Cluster:
    return replace(_merge_identical(graph, members), period=members[1].index - members[0].index)


def fold_periods(graph: Graph) -> Graph:
    """Draw a run of blocks that repeats with a period (plain, shifted, plain, shifted…)
    as its first period, each block with the count of its repeats. Run after
    ``fold_repeats``. Idempotent."""
    return fold_runs(graph, _periodic_runs(graph), _merge_periodic)


def _width(node: Node | None) -> int | None:
    if node is None or not node.shape:
        return None
    return node.width if node.width is not None else node.shape[0]


def _entry_width(graph: Graph, cluster: Cluster) -> int | None:
    """The width entering a block: its data node's; the sum over several when one
    concatenation reads them all (a dense layer concatenates everything before it),
    else the first's (a cell reading this and the previous cell's output)."""
    data = [graph.node(i) for i in cluster.node_ids if graph.node(i).kind is Kind.DATA]
    widths = [_width(d) for d in data]
    if not widths or any(w is None for w in widths):
        return None
    readers = [{e.dst for e in graph.out_edges(d.id)} for d in data]
    if len(data) > 1 and not (all(len(r) == 1 for r in readers)
                              and len(set().union(*readers)) == 1
                              and graph.node(next(iter(readers[0]))).kind is Kind.CAT):
        return widths[0]
    return sum(w for w in widths if w is not None)


def _exit_width(graph: Graph, cluster: Cluster) -> int | None:
    """The width after a block: its output's, or the concatenation's that reads it (a
    dense block ends in the concatenation of every layer's output)."""
    inside = set(cluster.node_ids)
    for node_id in reversed(cluster.node_ids):
        for edge in graph.out_edges(node_id):
            if edge.dst not in inside:
                after = graph.node(edge.dst)
                own = _width(graph.node(node_id))
                if after.kind is Kind.CAT or after.kind is Kind.DATA or own is None:
                    return _width(after) if _width(after) is not None else own
                return own
    return None


def merge_similar(graph: Graph, run: list[Cluster]) -> Cluster:
    """The cluster standing for a run of blocks that differ: the first block's nodes,
    every block's path, the width entering each block and leaving the last, and the
    exact totals of all of them."""
    widths: list[int] = []
    for cluster in run:
        entry = _entry_width(graph, cluster)
        if cluster.widths:
            widths += cluster.widths[:-1]
            continue
        if entry is None:
            widths = []
            break
        widths += [entry] * cluster.repeat
    end = _exit_width(graph, run[-1])
    totals, ops = tally(graph, run)
    return replace(
        run[0],
        blocks=tuple(b for c in run for b in c.blocks),
        repeat=sum(c.repeat for c in run),
        widths=(*widths, end) if widths and end is not None else (),
        totals=totals,
        ops=tuple(sorted(ops.items())),
    )


def fold_similar(graph: Graph) -> Graph:
    """Draw each run of consecutive blocks of a group that differ only in their channel
    counts once (a dense block's layers, inception modules of one stage), keeping the
    widths they span and their exact totals. Run after ``fold_repeats``. Idempotent.
    """
    return fold_runs(graph, _runs(graph, similar_signature), merge_similar)
