"""Fold a whole stage into one cluster when the figure is still over a page.

A stage's first block usually differs from the blocks after it in what a diagram can
afford to gloss over on a crowded page: it changes the width or the resolution (a
stride of 2), so its shortcut is a 1x1 projection or there is none (MobileNet and
EfficientNet drop the residual sum where the width changes), and later blocks differ
from each other only in scaling constants (NFNet's ``× β``). Seen without its
shortcut, every block of such a stage computes the same thing: the *main path* (the
ops from the block's entry to its output, leaving out residual sums and the ops only
the shortcut runs) has the same ops with the same attributes but for channel counts,
strides and constants. [`fold_stages`][netviz.transforms.stages.fold_stages] draws a
run of such blocks once, as its first block, titled with the widths it spans; the
cluster keeps the exact parameter and MAC totals of every block it stands for.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import replace

from netviz.ir import Cluster, Graph, Kind, Node
from netviz.transforms.blocks import residual_joins
from netviz.transforms.fold import CHANNEL_ATTRS, Run, fold_runs, grouping, merge_similar

_GLOSSED = CHANNEL_ATTRS | {"stride", "groups", "scalar", "value", "other", "exponent", "alpha"}
"""Attributes a stage's blocks may differ in: channel counts, strides, constants."""


def _shortcut_ops(graph: Graph, cluster: Cluster, joins: set[str]) -> set[str]:
    """Ops of the block that only its shortcut runs: for each residual sum inside it,
    the ops feeding the operand with fewer of its own (a 1x1 projection; none for the
    identity)."""
    members = set(cluster.node_ids)
    found: set[str] = set()
    for join in (i for i in cluster.node_ids if i in joins):
        branches = [_ancestors(graph, e.src, members) for e in graph.in_edges(join)]
        if len(branches) < 2:
            continue
        own = [b - set().union(*(o for o in branches if o is not b)) for b in branches]
        found |= min(own, key=len)
    return found


def _ancestors(graph: Graph, node_id: str, members: set[str]) -> set[str]:
    """``node_id`` and the members it is computed from (within the block)."""
    seen: set[str] = set()
    stack = [node_id]
    while stack:
        current = stack.pop()
        if current in seen or current not in members:
            continue
        seen.add(current)
        stack.extend(e.src for e in graph.in_edges(current))
    return seen


def glossed(node: Node) -> Hashable:
    """What a stage's blocks share of an op: its kind and attributes but for channel
    counts, strides and constants."""
    attrs = tuple((k, v) for k, v in node.attrs if k not in _GLOSSED)
    label = node.label if node.kind is Kind.OTHER and node.attrs == () else None
    return node.kind, node.type_name, attrs, grouping(node), label


def main_path_signature(graph: Graph, cluster: Cluster, joins: set[str]) -> Hashable:
    """What a stage's blocks share: the main path's ops (residual sums and shortcut-only
    ops left out) with their attributes but for channel counts, strides and constants,
    and how they are wired to each other."""
    skip = _shortcut_ops(graph, cluster, joins) | joins
    ops = [i for i in cluster.node_ids if graph.node(i).kind is not Kind.DATA and i not in skip]
    position = {node_id: i for i, node_id in enumerate(ops)}
    wiring = sorted({
        (position[e.src], position[e.dst], e.mark.type_names if e.mark else None)
        for node_id in ops for e in graph.out_edges(node_id) if e.dst in position
    }, key=repr)
    return tuple(glossed(graph.node(i)) for i in ops), tuple(wiring)


def _feeds(graph: Graph, before: Cluster, after: Cluster) -> bool:
    """Whether ``after`` reads nothing from outside it but ``before``'s output."""
    first = set(before.node_ids)
    inside = set(after.node_ids)
    return all(e.src in first for i in after.node_ids for e in graph.in_edges(i)
               if e.src not in inside)


def _stage_runs(graph: Graph, across: bool) -> list[Run]:
    joins = residual_joins(graph)
    runs: list[Run] = []
    previous: tuple[int, Hashable] | None = None
    for cluster in graph.clusters:
        here = (-1 if across else cluster.group, main_path_signature(graph, cluster, joins))
        last = runs[-1][1][-1] if runs else None
        if (last is not None and previous == here and cluster.period == last.period == 1
                and (not across or cluster.group == last.group or _feeds(graph, last, cluster))):
            runs[-1][1].append(cluster)
        else:
            runs.append((1, [cluster]))
        previous = here
    return runs


def _exit_alignment(graph: Graph, other: Cluster, kept: Cluster) -> dict[str, str]:
    """Every node of a folded block stands for the kept block's exit (the node whose
    output leaves it), every data node for the kept block's first."""
    inside = set(kept.node_ids)
    leaving = [i for i in kept.node_ids if any(e.dst not in inside for e in graph.out_edges(i))]
    exit_id = leaving[-1] if leaving else kept.node_ids[-1]
    data = next((i for i in kept.node_ids if graph.node(i).kind is Kind.DATA), exit_id)
    return {i: data if graph.node(i).kind is Kind.DATA else exit_id for i in other.node_ids}


def fold_stages(graph: Graph, *, across: bool = False) -> Graph:
    """Draw each run of a group's blocks whose main paths match (see the module docs)
    once, as its first block, with the widths the run spans and its exact totals.

    Args:
        graph: A labelled graph with clusters.
        across: Let a run go on into the next groups, where one group's blocks read
            nothing but the last group's output (stages with nothing drawn between
            them); the cluster's ``span`` says how many groups it covers.

    Idempotent; a graph with no such run is returned unchanged.
    """
    return fold_runs(graph, _stage_runs(graph, across), merge_spanning, _exit_alignment)


def merge_spanning(graph: Graph, run: list[Cluster]) -> Cluster:
    """[`merge_similar`][netviz.transforms.fold.merge_similar], with the number of groups
    the run's blocks come from as the cluster's ``span`` (and, over several groups, the
    blocks it takes from each as its ``places``)."""
    end = max(c.group + c.span for c in run)
    span = end - run[0].group
    merged = replace(merge_similar(graph, run), span=span)
    return replace(merged, places=places(run)) if span > 1 else merged


def places(run: Sequence[Cluster]) -> tuple[tuple[int, int, int], ...]:
    """``(group, index of the first block, how many blocks)`` of the run's blocks in each
    group they come from, in order (see ``Cluster.places``)."""
    found: dict[int, tuple[int, int]] = {}
    for cluster in run:
        for group, index, count in cluster.places or ((cluster.group, cluster.index,
                                                        cluster.repeat),):
            first, held = found.get(group, (index, 0))
            found[group] = (min(first, index), held + count)
    return tuple((group, index, count) for group, (index, count) in found.items())
