"""Parameter and MAC counts on the figure: under each cluster's title, and a caption.

A pure transform over the notation graph and numbers computed elsewhere (the
summary's by-group rows, so figure and table agree exactly): the title
``Group 0 x (N - 1) = 3`` gains a second line ``18,560 params each`` (a folded run of
identical blocks counts one block; a run of blocks that differ counts them ``in all``),
and the graph's caption holds the model's totals (``1,467,610 params · 214.35 M MACs``).
A module drawn as one box (``--depth``) gains its own counts under its label, from the
trace (its parameters and MACs are those of every op it stands for).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from netviz.errors import UsageError
from netviz.ir import Cluster, Graph, Node, evolve
from netviz.text import short_count

ANNOTATIONS = ("params", "macs")
"""What a figure can be annotated with, in the order the counts are written."""


@dataclass(frozen=True)
class Counts:
    """Parameters and multiply-accumulates (one sample) of a part of a model."""

    params: int
    macs: int


def parse_annotations(value: str | Sequence[str] | None) -> tuple[str, ...]:
    """The annotations asked for: ``"params"``, ``"params,macs"`` or a list of those.

    Returns:
        The distinct annotations in [`ANNOTATIONS`][netviz.transforms.annotate.ANNOTATIONS]
        order; empty for ``None``.

    Raises:
        UsageError: an unknown or empty annotation.
    """
    if value is None:
        return ()
    parts = [value] if isinstance(value, str) else list(value)
    asked = [word.strip().lower() for part in parts for word in str(part).split(",")]
    for word in asked:
        if word not in ANNOTATIONS:
            shown = repr(word) if word else "an empty name"
            raise UsageError(f"unknown annotation {shown}; choose from: {', '.join(ANNOTATIONS)}")
    return tuple(kind for kind in ANNOTATIONS if kind in asked)


def counts_text(counts: Counts, what: Sequence[str]) -> str:
    """``"18,560 params · 18.87 M MACs"``: the counts asked for, joined by ``·``."""
    parts = {"params": f"{counts.params:,} params", "macs": f"{short_count(counts.macs, exact_under=1e6)} MACs"}
    return " · ".join(parts[kind] for kind in what)


def annotate(
    graph: Graph, clusters: Mapping[int, Counts], total: Counts, what: Sequence[str]
) -> Graph:
    """Write ``what`` (see [`ANNOTATIONS`][netviz.transforms.annotate.ANNOTATIONS]) on
    the figure: each cluster's counts under its title, the totals as its caption.

    Args:
        graph: The notation graph (clusters titled).
        clusters: Counts of every block a cluster stands for, by cluster index;
            clusters missing here keep their plain title.
        total: The model's totals.
        what: Which counts to write; nothing changes when empty.
    """
    if not what:
        return graph
    titled = tuple(
        _annotated(cluster, clusters[index], what) if index in clusters else cluster
        for index, cluster in enumerate(graph.clusters)
    )
    nodes = tuple(_boxed(node, what) if node.attr("box") is not None else node
                  for node in graph.nodes)
    return replace(graph, nodes=nodes, clusters=titled, caption=counts_text(total, what))


def _boxed(node: Node, what: Sequence[str]) -> Node:
    """A module drawn as one box (``--depth``) with its counts under its label: per module
    where it stands for several identical ones (``each``)."""
    repeat = node.attr("repeat")
    count = repeat if isinstance(repeat, int) and repeat > 1 else 1
    counts = Counts(node.params // count, node.macs // count)
    line = counts_text(counts, what) + (" each" if count > 1 else "")
    return evolve(node, label=f"{node.label}\n{line}")


def _annotated(cluster: Cluster, counts: Counts, what: Sequence[str]) -> Cluster:
    """The cluster's title with a second line: its own counts, per block where the
    blocks are identical (``each``), else of every block (``in all``)."""
    repeat = max(cluster.repeat, 1)
    if repeat == 1:
        line = counts_text(counts, what)
    elif (cluster.totals is None and counts.params % repeat == 0
          and counts.macs % repeat == 0):
        line = counts_text(Counts(counts.params // repeat, counts.macs // repeat), what) + " each"
    else:
        line = counts_text(counts, what) + " in all"
    title = cluster.title or cluster.id
    return replace(cluster, title=f"{title}\n{line}")
