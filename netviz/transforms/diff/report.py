"""What the text form of a diff lists: the changes by group, and the parameters and MACs
of A, of B and their difference, per group and in total.

The groups are those of ``netviz summary --by-group``: the stem (ops before the first
block), each block cluster, the head. Their numbers come from the notation graphs
themselves ([`netviz.ir.accounting`][netviz.ir.accounting]: every op and fused mark,
times its cluster's repeat), so a diff needs no torch when both models are cached.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from netviz.ir import ChangeKind, Cluster, Graph, Kind, Node
from netviz.ir.accounting import cluster_totals, mark_owner, unreached_params
from netviz.transforms.annotate import Counts
from netviz.transforms.diff.marks import GHOST_PREFIX, change_text, label_after
from netviz.transforms.diff.match import Matching

STEM = "Stem"
HEAD = "Head"
WHOLE = "Model"
UNREACHED = "Not reached"
"""The row of the parameters no op of a traced forward held (modules never run)."""
"""The one group of models without blocks (as in ``netviz summary --by-group``)."""


@dataclass(frozen=True)
class ChangeLine:
    """One difference, as the text form lists it.

    Attributes:
        kind: Added, removed or changed.
        what: ``block``, ``op``, ``data`` (a data node: a width), ``sum`` (an add: a
            residual shortcut's end) or ``edge``.
        text: What it is: ``3x3 32C 1S 1P → 3x3 160C 1S 1P``, ``Group 2 x (N - 1) = 5 → 22``.
        count: How many alike differences of the group this line stands for.
    """

    kind: ChangeKind
    what: str
    text: str
    count: int = 1


@dataclass(frozen=True)
class GroupDiff:
    """One group of the diff: its changes and its numbers in A and B.

    Attributes:
        title: ``Stem``, the block cluster's title in the diff figure, or ``Head``.
        changes: The group's differences, in drawing order.
        before: Parameters and MACs of the group in A (zero where A lacks it).
        after: Its parameters and MACs in B (zero where B lacks it).
    """

    title: str
    changes: tuple[ChangeLine, ...]
    before: Counts
    after: Counts


def group_counts(graph: Graph) -> tuple[Counts, list[Counts], Counts]:
    """``(stem, per cluster, head)`` parameters and MACs of a notation graph; they add up
    to [`count_params`][netviz.ir.accounting.count_params] and ``count_macs``, less the
    parameters the traced forward did not reach (their own row in a diff).

    A fused mark outside every block counts where its edge starts, or ends if it starts
    in a block.
    """
    clustered = {node_id for c in graph.clusters for node_id in c.node_ids}
    first = next((k for k, n in enumerate(graph.nodes) if n.id in clustered), len(graph.nodes))
    stem_ids = {n.id for n in graph.nodes[:first]}
    stem, head = [0, 0], [0, 0]
    for node in graph.nodes:
        if node.id not in clustered:
            side = stem if node.id in stem_ids else head
            side[0] += node.params
            side[1] += node.macs
    seen: set[tuple[str, ...]] = set()
    for edge in graph.edges:
        mark = edge.mark
        if mark is None or mark.node_ids in seen:
            continue
        seen.add(mark.node_ids)
        if mark_owner(graph, mark) is None:
            end = edge.src if edge.src not in clustered else edge.dst
            (stem if end in stem_ids else head)[0] += mark.params
    clusters = [Counts(*cluster_totals(graph, c)) for c in graph.clusters]
    return Counts(*stem), clusters, Counts(*head)


def group_diffs(a: Graph, b: Graph, marked: Graph, matching: Matching) -> tuple[GroupDiff, ...]:
    """The groups of the diff in drawing order: stem, every cluster of A or B, head."""
    a_stem, a_clusters, a_head = group_counts(a)
    b_stem, b_clusters, b_head = group_counts(b)
    by_id = {c.id: c for c in marked.clusters}
    clustered = {node_id for c in marked.clusters for node_id in c.node_ids}
    first = next((k for k, n in enumerate(marked.nodes) if n.id in clustered), len(marked.nodes))
    top = [n for n in marked.nodes if n.id not in clustered]
    stem_ids = {n.id for n in marked.nodes[:first]}
    rows = [GroupDiff(STEM, _lines(marked, [n for n in top if n.id in stem_ids], None),
                      a_stem, b_stem)]
    zero = Counts(0, 0)
    for i, j in matching.clusters:
        key = b.clusters[j].id if j is not None else GHOST_PREFIX + a.clusters[i].id  # type: ignore[index]
        cluster = by_id[key]
        members = [marked.node(n) for n in cluster.node_ids]
        rows.append(GroupDiff(
            cluster.title, _lines(marked, members, cluster),
            a_clusters[i] if i is not None else zero, b_clusters[j] if j is not None else zero,
        ))
    rows.append(GroupDiff(HEAD, _lines(marked, [n for n in top if n.id not in stem_ids], None),
                          a_head, b_head))
    if not a.clusters and not b.clusters:  # no blocks: one group, the whole model
        rows = [replace(rows[0], title=WHOLE)]
    if unreached_params(a) or unreached_params(b):  # the groups add up to the totals
        rows.append(GroupDiff(UNREACHED, (), Counts(unreached_params(a), 0),
                              Counts(unreached_params(b), 0)))
    return tuple(rows)


def _lines(graph: Graph, members: list[Node], cluster: Cluster | None) -> tuple[ChangeLine, ...]:
    """The changes of one group: its block's own, then its ops' and its edges' (those of
    a block added or removed whole are implied by the block's line)."""
    lines: list[ChangeLine] = []
    if cluster is not None and cluster.change is not None:
        change = cluster.change
        # as the figure titles it (in B's group numbering), the group's name left out:
        # x (N - 1) = 5 → 22
        text = (cluster.title.removeprefix(f"Group {cluster.group} ")
                if change.kind is ChangeKind.CHANGED else change_text(change))
        lines.append(ChangeLine(change.kind, "block", text))
        if change.kind is not ChangeKind.CHANGED:
            return tuple(lines)
    inside = {n.id for n in members}
    for node in members:
        if node.change is not None:
            what = {Kind.DATA: "data", Kind.ADD: "sum"}.get(node.kind, "op")
            lines.append(ChangeLine(node.change.kind, what, change_text(node.change)))
    for edge in graph.edges:
        if edge.change is None or edge.dst not in inside:
            continue
        ends = [graph.node(edge.src), graph.node(edge.dst)]
        if any(n.change is not None and n.change.kind is not ChangeKind.CHANGED for n in ends):
            continue  # an edge of an added or removed op: the op's line says it
        lines.append(ChangeLine(edge.change.kind, "edge", _edge_text(ends, edge.change.kind,
                                                                    edge.change.before,
                                                                    edge.change.after)))
    return tuple(_counted(lines))


def _edge_text(ends: list[Node], kind: ChangeKind, before: str, after: str) -> str:
    src, dst = (label_after(n.change) if n.change is not None else n.label for n in ends)
    text = f"from {src} to {dst}"
    if kind is ChangeKind.CHANGED:
        return f"{text}: {before or 'no fused ops'} ⇒ {after or 'no fused ops'}"
    mark = after if kind is ChangeKind.ADDED else before
    return f"{text} ({mark})" if mark else text


def _counted(lines: Iterable[ChangeLine]) -> list[ChangeLine]:
    """Alike lines once, with their count, in the order they first appear."""
    counts: dict[tuple[ChangeKind, str, str], int] = {}
    for line in lines:
        key = (line.kind, line.what, line.text)
        counts[key] = counts.get(key, 0) + 1
    return [ChangeLine(kind, what, text, count) for (kind, what, text), count in counts.items()]
