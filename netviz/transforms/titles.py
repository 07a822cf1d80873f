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
    (its ``span``) is titled ``Groups g-h …``. Idempotent.
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
        if cluster.widths:
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
