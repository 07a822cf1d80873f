"""Title every cluster in the seed's words, extended by what each block is."""

from __future__ import annotations

from dataclasses import replace

from netviz.ir import Cluster, Graph, Kind
from netviz.transforms.blocks import residual_joins
from netviz.transforms.fold import block_signature


def _widths_text(graph: Graph, cluster: Cluster) -> str:
    """``", 64C → 256C (+32C each)"``; nothing when every width is the same."""
    widths = cluster.widths
    if len(set(widths)) == 1:
        return ""
    first = graph.node(cluster.node_ids[0]) if cluster.node_ids else None
    letter = first.label.split(" ")[0][-1:] if first and first.kind is Kind.DATA else "C"
    letter = letter if letter in ("C", "D") else "C"
    text = f", {widths[0]}{letter} → {widths[-1]}{letter}"
    steps = {b - a for a, b in zip(widths, widths[1:])}
    if len(steps) == 1 and (step := steps.pop()) > 0:
        text += f" (+{step}{letter} each)"
    return text


def _blocks_text(index: int, count: int, period: int) -> str:
    """``"2"``, ``"2-4"``, or for blocks in a cycle ``"1, 3, … 7"``."""
    last = index + (count - 1) * period
    if count == 1:
        return str(index)
    if period == 1:
        return f"{index}-{last}"
    return f"{index}, {last}" if count == 2 else f"{index}, {index + period}, … {last}"


def _groups_text(cluster: Cluster) -> str:
    """``Groups 1-3``; ``Groups 0, 2`` for the groups of a cycle of stages."""
    groups = [group for group, _, _ in cluster.places]
    if groups == list(range(groups[0], groups[0] + len(groups))):
        return f"Groups {groups[0]}-{groups[-1]}"
    shown = map(str, groups) if len(groups) <= 3 else (str(groups[0]), str(groups[1]), "…",
                                                       str(groups[-1]))
    return "Groups " + ", ".join(shown)


def _places_text(cluster: Cluster) -> str:
    """Which blocks of each group a cluster over several groups stands for: ``Block 0
    of each``, ``Blocks 2-4 of each``, ``Blocks 0-1 or 0-2 of each`` (the ranges the
    groups have, in order; the first and the last of more than three)."""
    ranges = list(dict.fromkeys(
        _blocks_text(index, count, cluster.period) for _, index, count in cluster.places))
    word = "Block" if all(r.isdigit() for r in ranges) else "Blocks"
    shown = " or ".join(ranges) if len(ranges) <= 3 else f"{ranges[0]} … {ranges[-1]}"
    return f"{word} {shown} of each"


def has_projection(graph: Graph, cluster: Cluster, joins: set[str] | None = None) -> bool:
    """Whether the block changes the tensor's shape and its first residual sum takes no
    input straight from the block's entry: its shortcut is computed (a 1x1 projection),
    not the identity. ``joins``: the graph's
    [`residual_joins`][netviz.transforms.blocks.residual_joins], if known."""
    members = set(cluster.node_ids)
    found = residual_joins(graph) if joins is None else joins
    inside = [i for i in cluster.node_ids if i in found]
    if not inside:
        return False
    sources = {e.src for e in graph.in_edges(inside[0])}
    if not all(s in members and graph.node(s).kind is not Kind.DATA for s in sources):
        return False
    entries = [graph.node(i) for i in cluster.node_ids if graph.node(i).kind is Kind.DATA]
    leaving = [i for i in cluster.node_ids
               if any(e.dst not in members for e in graph.out_edges(i))]
    if len(entries) > 1 or len(leaving) > 1:
        return False  # several streams in and out (HRNet's module): no shortcut of one
    if not entries or not leaving:
        return True
    entry = entries[0]
    exit_shape = graph.node(leaving[-1]).shape
    # a permutation (channels first to channels last) changes no size
    return sorted(entry.shape or ()) != sorted(exit_shape or ())


def title_clusters(graph: Graph) -> Graph:
    """Title clusters in the seed's words, extended by what each block is.

    ``Group g Projection`` for a first block whose shortcut is computed (a 1x1
    projection), ``Group g x (N - 1) = r`` for the identical blocks after it (two or
    more: a single block after it is ``Block 1``, the title never claims a fold that
    folds nothing), ``Group g x N = r`` when every
    block of the group is identical, ``Group g Blocks i-j x r`` for another run;
    blocks that differ only in channel counts ``Group g Dense layer x 6, 64C → 256C
    (+32C each)``; a first block without a computed shortcut, or a group's only block,
    is named by its kind (``Group g Transition``, its module's class), any other
    block ``Group g Block i``. A cluster standing for blocks of several whole stages
    (its ``span``) is titled by those groups (``Groups g-h``, or ``Groups 0, 2`` for a
    cycle of stages) and which blocks of each it stands for
    (its ``places``): ``Groups 1-3 Block 0 of each: Cell x 3, 96C → 4320C``, ``Groups 1-10
    Block 2 or 3 of each: Hybrid block x 10``. Idempotent.
    """
    sizes: dict[int, int] = {}
    for cluster in graph.clusters:
        sizes[cluster.group] = sizes.get(cluster.group, 0) + cluster.repeat
    joins = residual_joins(graph)
    clusters = []
    for position, cluster in enumerate(graph.clusters):
        following = graph.clusters[position + 1 : position + 2]
        g, n = cluster.group, sizes[cluster.group]
        name = f"Group {g}" if cluster.span == 1 else f"Groups {g}-{g + cluster.span - 1}"
        rest = cluster.index == 1 and cluster.index + cluster.repeat == n
        if cluster.span > 1 and cluster.places:
            name = _groups_text(cluster)
            what = f"{cluster.kind} x {cluster.repeat}" if cluster.kind else f"x {cluster.repeat}"
            widths = _widths_text(graph, cluster) if cluster.widths else ""
            title = f"{name} {_places_text(cluster)}: {what}{widths}"
        elif cluster.widths:
            kind = cluster.kind or "Block"
            title = f"{name} {kind} x {cluster.repeat}{_widths_text(graph, cluster)}"
        elif cluster.period > 1:
            at = [cluster.index + k * cluster.period for k in range(cluster.repeat)]
            shown = ", ".join(map(str, at)) if len(at) <= 4 else f"{at[0]}, {at[1]}, … {at[-1]}"
            title = f"{name} Blocks {shown} x {cluster.repeat}"
        elif cluster.repeat > 1:
            if cluster.repeat == n:
                title = f"{name} x N = {n}"
            elif rest:
                title = f"{name} x (N - 1) = {cluster.repeat}"
            else:
                last = cluster.index + cluster.repeat - 1
                title = f"{name} Blocks {cluster.index}-{last} x {cluster.repeat}"
        elif cluster.index == 0 and has_projection(graph, cluster, joins):
            title = f"{name} Projection"
        elif n == 1:
            title = f"{name} {cluster.kind}" if cluster.kind else name
        elif cluster.index == 0 and cluster.kind and not (
            following
            and following[0].group == g
            and block_signature(graph, following[0]) == block_signature(graph, cluster)
        ):
            title = f"{name} {cluster.kind}"
        else:
            title = f"{name} Block {cluster.index}"
        clusters.append(replace(cluster, title=title))
    return replace(graph, clusters=tuple(clusters))
