"""Fold runs of whole stages alike but for their widths, when a figure is still over a page.

Many networks repeat a *stage* rather than a block: a downsampling layer, then a few
convolution blocks, then a transformer block (EdgeNeXt, SwiftFormer, EfficientViT),
stage after stage at growing widths. Once each stage is folded to its distinct blocks,
such a figure can still be over a page, one copy of the stage per resolution.
[`fold_stage_runs`][netviz.transforms.spans.fold_stage_runs] draws a run of
consecutive stages that match (the ops leading into each stage, such as its
downsampling convolution, and the main path of each of its clusters, see
[`main_path_signature`][netviz.transforms.stages.main_path_signature]) as its first
stage: the ops leading into it join its first cluster, and each cluster stands for the
blocks at its place in every stage of the run, titled ``Groups g-h …`` with the widths
they span and their exact totals.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, replace

from netviz.ir import Cluster, Edge, Graph, Kind
from netviz.ir.accounting import cluster_totals
from netviz.transforms.blocks import residual_joins
from netviz.transforms.fold import keep_loose_marks, merge_similar
from netviz.transforms.stages import glossed, main_path_signature, places


@dataclass
class _Stage:
    """One group: the free ops leading into it and its clusters."""

    group: int
    lead: list[str]
    clusters: list[Cluster]

    def node_ids(self) -> list[str]:
        return [*self.lead, *(i for c in self.clusters for i in c.node_ids)]


def _stages(graph: Graph) -> list[_Stage]:
    """The groups in order, each with the ops drawn between the previous group and it."""
    position = {n.id: i for i, n in enumerate(graph.nodes)}
    stages: list[_Stage] = []
    for cluster in graph.clusters:
        if stages and stages[-1].group == cluster.group:
            stages[-1].clusters.append(cluster)
        else:
            stages.append(_Stage(cluster.group, [], [cluster]))
    for before, stage in zip(stages, stages[1:]):
        start = max(position[i] for c in before.clusters for i in c.node_ids)
        end = min(position[i] for i in stage.clusters[0].node_ids)
        stage.lead = [n.id for n in graph.nodes[start + 1 : end]
                      if graph.cluster_of(n.id) is None
                      and n.kind not in (Kind.INPUT, Kind.OUTPUT)]
    return stages


def _signature(graph: Graph, stage: _Stage, joins: set[str]) -> Hashable:
    return (tuple(glossed(graph.node(i)) for i in stage.lead),
            tuple((c.period, main_path_signature(graph, c, joins)) for c in stage.clusters))


def _follows(graph: Graph, before: _Stage, stage: _Stage) -> bool:
    """Whether ``stage`` reads nothing but ``before``, and ``before`` feeds nothing but
    ``stage``: a chain, with no tap on the way (a feature pyramid's)."""
    earlier, later = set(before.node_ids()), set(stage.node_ids())
    reads = all(e.src in earlier for i in later for e in graph.in_edges(i) if e.src not in later)
    feeds = all(e.dst in later for i in earlier for e in graph.out_edges(i) if e.dst not in earlier)
    return reads and feeds


def _runs(graph: Graph, longest: int = 3) -> list[tuple[int, list[_Stage]]]:
    """Runs of stages that repeat with a period of 1 to ``longest`` stages (a stage of
    conv blocks then one of a transformer block, again and again), each link of the run
    a chain; other stages as runs of their own."""
    joins = residual_joins(graph)
    stages = _stages(graph)
    signatures = [_signature(graph, stage, joins) for stage in stages]
    runs: list[tuple[int, list[_Stage]]] = []
    i = 0
    while i < len(stages):
        best: tuple[int, list[_Stage]] = (1, [stages[i]])
        for period in range(1, longest + 1):
            end = i + period
            while (end < len(stages) and signatures[end] == signatures[end - period]
                   and _follows(graph, stages[end - 1], stages[end])):
                end += 1
            length = (end - i) // period * period
            if length >= 2 * period and length > len(best[1]) and all(
                    _follows(graph, a, b) for a, b in zip(stages[i:i + period],
                                                          stages[i + 1:i + period])):
                best = (period, stages[i:i + length])
        runs.append(best)
        i += len(best[1])
    return runs


def _exit(graph: Graph, stage: _Stage) -> str:
    last = stage.clusters[-1]
    inside = set(last.node_ids)
    leaving = [i for i in last.node_ids if any(e.dst not in inside for e in graph.out_edges(i))]
    return leaving[-1] if leaving else last.node_ids[-1]


def _merge(graph: Graph, run: list[_Stage]) -> list[Cluster]:
    """The first stage's clusters, each standing for its place in every stage of the run;
    the first holds the ops leading into the first stage and counts every stage's."""
    span = max(c.group + c.span for stage in run for c in stage.clusters) - run[0].group
    merged = []
    for place, first in enumerate(run[0].clusters):
        members = [stage.clusters[place] for stage in run]
        cluster = replace(merge_similar(graph, members), span=span, places=places(members))
        if place == 0:
            lead = [graph.node(i) for stage in run for i in stage.lead]
            params, macs = cluster_totals(graph, cluster)
            ops = dict(cluster.ops)
            for node in lead:
                held = node.attr("ops")
                inside = held if isinstance(held, tuple) else ()
                for name, count in ((node.kind.value, 1), *inside):
                    ops[name] = ops.get(name, 0) + count
            cluster = replace(
                cluster, node_ids=(*run[0].lead, *cluster.node_ids),
                totals=(params + sum(n.params for n in lead), macs + sum(n.macs for n in lead)),
                ops=tuple(sorted(ops.items())))
        merged.append(cluster)
    return merged


def fold_stage_runs(graph: Graph) -> Graph:
    """Draw each run of consecutive matching stages once (see the module docs); a run
    that repeats with a period of several stages draws its first period.

    Edges leaving the run leave the kept stage at the same place in the period.
    Idempotent; a graph with no such run is returned unchanged.
    """
    runs = [(period, run) for period, run in _runs(graph) if len(run) > period]
    if not runs:
        return graph
    drop: set[str] = set()
    rename: dict[str, str] = {}
    inner: dict[str, str] = {}
    replaced: dict[str, list[Cluster]] = {}
    gone: set[str] = set()
    for period, run in runs:
        for stage in run:
            inner.update(dict.fromkeys(stage.node_ids(), run[0].clusters[0].id))
        for index, stage in enumerate(run[period:], start=period):
            drop.update(stage.node_ids())
            rename.update(dict.fromkeys(stage.node_ids(), _exit(graph, run[index % period])))
            gone.update(c.id for c in stage.clusters)
        for phase in range(period):
            replaced[run[phase].clusters[0].id] = _merge(graph, run[phase::period])
            gone.update(c.id for c in run[phase].clusters[1:])
    clusters: list[Cluster] = []
    for cluster in graph.clusters:
        if cluster.id in replaced:
            clusters += replaced[cluster.id]
        elif cluster.id not in gone:
            clusters.append(cluster)
    edges: list[Edge] = []
    seen: set[Edge] = set()
    for edge in graph.edges:
        if edge.dst in drop or (edge.src in drop and inner.get(edge.dst) == inner[edge.src]):
            continue
        new = replace(edge, src=rename.get(edge.src, edge.src), change=None)
        if new not in seen:
            seen.add(new)
            edges.append(new)
    folded = replace(graph, nodes=tuple(n for n in graph.nodes if n.id not in drop),
                     edges=tuple(edges), clusters=tuple(clusters))
    return keep_loose_marks(graph, folded, inner)
