"""B's notation graph with the differences from A marked on it, ghosts of A's lost parts
included: what a diff figure draws.

- A node, edge or block of B that pairs with none of A's is marked *added*.
- One of A's that pairs with none of B's comes back as a *ghost* at its place: after the
  B node that A's previous paired node became (a removed block in its stage, a removed op
  in its block), joined by ghost edges to whatever its neighbours became; ghosts count
  no parameters or MACs, so the graph still stands for B's numbers.
- A paired node whose label or parameters differ is *changed*, labelled ``old → new``;
  a block whose title differs (its fold count, say) is titled the same way
  (``Group 2 x (N - 1) = 5 → 22``), and an edge whose fused ops differ says what they were.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from netviz.ir import Change, ChangeKind, Cluster, Edge, Graph, Kind, Mark, Node, evolve
from netviz.transforms.diff.match import Matching, title_rest

GHOST_PREFIX = "removed:"
"""Prefix of the ids of ghosts (A's nodes, blocks and marks that B lacks)."""

ADDED_NOTE = "(added)"
REMOVED_NOTE = "(removed)"
"""Words after the title of a block only B has, or only A had."""

ARROW = " → "

_ROUND = frozenset({Kind.DATA, Kind.ADD})
"""Kinds drawn as circles: a changed label goes on two lines, to keep them small."""


def changed_label(before: str, after: str, *, stacked: bool = False) -> str:
    """A changed label: ``before → after`` (``3x3 64C 1S 1P → 3x3 640C 1S 1P``); on two
    lines when ``stacked`` (a circle's label: ``32C`` over ``→ 160C``) or when either
    text holds several lines or an arrow of its own."""
    if stacked or "→" in before + after or "\n" in before + after:
        return f"{before}\n→ {after}"
    return f"{before}{ARROW}{after}"


def changed_title(before: str, after: str) -> str:
    """A changed title: ``before → after`` with the words both share at either end
    written once (``Group 2 x (N - 1) = 5 → 22``); else as
    [`changed_label`][netviz.transforms.diff.marks.changed_label]."""
    old, new = before.split(" "), after.split(" ")
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    old_mid, new_mid = " ".join(old[start : len(old) - end]), " ".join(new[start : len(new) - end])
    if not (old_mid and new_mid and (start or end)) or "→" in before + after or "\n" in before + after:
        return changed_label(before, after)
    head, tail = " ".join(old[:start]), " ".join(old[len(old) - end :])
    return " ".join(part for part in (head, f"{old_mid}{ARROW}{new_mid}", tail) if part)


def mark_text(mark: Mark | None) -> str:
    """What an edge's fused ops are, for comparing and for the text form; empty for none."""
    if mark is None:
        return ""
    return mark.label or ARROW.join(mark.type_names)


def marked_graph(
    a: Graph, b: Graph, matching: Matching, unfolded: frozenset[str] = frozenset()
) -> Graph:
    """B's graph with its differences from A marked and A's lost parts as ghosts.

    ``unfolded``: ids of clusters that are blocks of a run unfolded for the comparison
    (``a:`` or ``b:`` and the cluster id); their titles name the block, not the run, so
    a difference in title is none.
    """
    back = {bid: aid for aid, bid in matching.nodes.items()}
    taken = {node.id for node in b.nodes}
    ghost_ids: dict[str, str] = {}
    for node in a.nodes:
        if node.id not in matching.nodes:
            ghost_ids[node.id] = _fresh(GHOST_PREFIX + node.id, taken)

    nodes = {node.id: _marked_node(node, a.node(back[node.id]) if node.id in back else None)
             for node in b.nodes}
    for aid, gid in ghost_ids.items():
        ghost = a.node(aid)
        nodes[gid] = evolve(ghost, id=gid, params=0, macs=0,
                            change=Change(ChangeKind.REMOVED, before=ghost.label))
    order = _order(a, b, matching.nodes, ghost_ids)
    position = {node_id: k for k, node_id in enumerate(order)}

    clusters = []
    for i, j in matching.clusters:
        if j is not None:
            cluster = b.clusters[j]
            old = a.clusters[i] if i is not None else None
            ghosts = tuple(ghost_ids[n] for n in old.node_ids if n in ghost_ids) if old else ()
            split = old is not None and (f"a:{old.id}" in unfolded or f"b:{cluster.id}" in unfolded)
            clusters.append(_marked_cluster(cluster, old, cluster.node_ids + ghosts, split))
        elif i is not None:
            clusters.append(_ghost_cluster(a.clusters[i], ghost_ids))
    clusters = [replace(c, node_ids=tuple(sorted(dict.fromkeys(c.node_ids), key=position.__getitem__)))
                for c in clusters if c.node_ids]
    clusters.sort(key=lambda c: position[c.node_ids[0]])

    edges = _marked_edges(a, b, matching.nodes, back, ghost_ids)
    return replace(b, nodes=tuple(nodes[i] for i in order), edges=tuple(edges),
                   clusters=tuple(clusters))


def _fresh(wanted: str, taken: set[str]) -> str:
    name, k = wanted, 1
    while name in taken:
        k += 1
        name = f"{wanted}~{k}"
    taken.add(name)
    return name


def _marked_node(node: Node, old: Node | None) -> Node:
    """B's node marked: added, changed (``old → new``; the parameters when only they
    differ, an op whose input width is no label of its own), or as it is."""
    if old is None:
        return evolve(node, change=Change(ChangeKind.ADDED, after=node.label))
    if old.label != node.label:
        label = changed_label(old.label, node.label, stacked=node.kind in _ROUND)
        return evolve(node, label=label, change=Change(ChangeKind.CHANGED, old.label, node.label))
    if old.params == node.params:
        return node
    before, after = _with_params(old), _with_params(node)
    counts = changed_title(f"{old.params:,} params", f"{node.params:,} params")
    return evolve(node, label=f"{node.label}\n{counts}",
                  change=Change(ChangeKind.CHANGED, before, after))


_PARAMS = " params"


def _with_params(node: Node) -> str:
    return f"{node.label}, {node.params:,}{_PARAMS}"


def label_after(change: Change) -> str:
    """The label a changed node has in B (without the parameters of a counts-only change)."""
    label, _, count = change.after.rpartition(", ")
    return label if label and count.endswith(_PARAMS) else change.after


def change_text(change: Change) -> str:
    """One line saying what changed: the label (``3x3 32C 1S 1P → 3x3 160C 1S 1P``), or,
    where only the parameters did, ``Linear 10C, 1,290 → 6,410 params``."""
    if change.kind is ChangeKind.ADDED:
        return change.after
    if change.kind is ChangeKind.REMOVED:
        return change.before
    old_label, _, old_count = change.before.rpartition(", ")
    new_label, _, new_count = change.after.rpartition(", ")
    if old_label == new_label and old_count.endswith(_PARAMS) and new_count.endswith(_PARAMS):
        return f"{old_label}, {changed_title(old_count, new_count)}"
    return changed_label(change.before, change.after).replace("\n", " ")


def _order(a: Graph, b: Graph, pairs: Mapping[str, str], ghosts: dict[str, str]) -> list[str]:
    """B's nodes, each ghost right after the B node its previous paired A node became."""
    after: dict[str | None, list[str]] = {}
    anchor: str | None = None
    for node in a.nodes:
        if node.id in pairs:
            anchor = pairs[node.id]
        else:
            after.setdefault(anchor, []).append(ghosts[node.id])
    order = list(after.get(None, ()))
    for node in b.nodes:
        order.append(node.id)
        order.extend(after.get(node.id, ()))
    return order


def _marked_cluster(
    cluster: Cluster, old: Cluster | None, node_ids: tuple[str, ...], split: bool = False
) -> Cluster:
    if old is None:
        return replace(cluster, node_ids=node_ids, title=f"{cluster.title} {ADDED_NOTE}",
                       change=Change(ChangeKind.ADDED, after=cluster.title))
    if title_rest(old) == title_rest(cluster) or split:
        return replace(cluster, node_ids=node_ids)
    before = f"Group {cluster.group} {title_rest(old)}".strip()  # in B's numbering
    return replace(cluster, node_ids=node_ids, title=changed_title(before, cluster.title),
                   change=Change(ChangeKind.CHANGED, old.title, cluster.title))


def _ghost_cluster(old: Cluster, ghosts: dict[str, str]) -> Cluster:
    return replace(
        old, id=GHOST_PREFIX + old.id, blocks=tuple(GHOST_PREFIX + p for p in old.blocks),
        node_ids=tuple(ghosts[n] for n in old.node_ids if n in ghosts),
        title=f"{old.title} {REMOVED_NOTE}", totals=None,
        change=Change(ChangeKind.REMOVED, before=old.title),
    )


def _marked_edges(
    a: Graph, b: Graph, pairs: Mapping[str, str], back: dict[str, str], ghosts: dict[str, str]
) -> list[Edge]:
    """B's edges marked, then A's lost edges as ghosts. An edge that only bridges ops
    added or removed is no change of its own: B's ``x → z`` where A ran ``x → y → z``
    and ``y`` is gone (its ghost shows it), A's ``x → z`` where B inserted ``y``."""
    old_edges: dict[tuple[str, str], Edge] = {}
    for edge in a.edges:
        old_edges.setdefault((edge.src, edge.dst), edge)
    kept: set[tuple[str, str]] = set()
    edges = []
    for edge in b.edges:
        src, dst = back.get(edge.src), back.get(edge.dst)
        old = old_edges.get((src, dst)) if src is not None and dst is not None else None
        if old is None:
            bridged = src is not None and dst is not None and _bridges(a, src, dst, set(pairs))
            edges.append(edge if bridged else replace(
                edge, change=Change(ChangeKind.ADDED, after=mark_text(edge.mark))))
            continue
        kept.add((old.src, old.dst))
        before, after = mark_text(old.mark), mark_text(edge.mark)
        edges.append(edge if before == after else
                     replace(edge, change=Change(ChangeKind.CHANGED, before, after)))
    for edge in a.edges:
        if (edge.src, edge.dst) in kept:
            continue
        kept.add((edge.src, edge.dst))
        src = pairs.get(edge.src) or ghosts[edge.src]
        dst = pairs.get(edge.dst) or ghosts[edge.dst]
        if edge.src in pairs and edge.dst in pairs and _bridges(b, src, dst, set(back)):
            continue
        mark = edge.mark and replace(edge.mark, params=0,
                                     node_ids=tuple(GHOST_PREFIX + n for n in edge.mark.node_ids))
        edges.append(Edge(src, dst, mark, Change(ChangeKind.REMOVED, before=mark_text(edge.mark))))
    return edges


def _bridges(graph: Graph, src: str, dst: str, paired: set[str]) -> bool:
    """Whether ``graph`` leads from ``src`` to ``dst`` through unpaired nodes only (at
    least one)."""
    frontier = [e.dst for e in graph.out_edges(src) if e.dst not in paired]
    seen = set(frontier)
    while frontier:
        node_id = frontier.pop()
        for edge in graph.out_edges(node_id):
            if edge.dst == dst:
                return True
            if edge.dst not in paired and edge.dst not in seen:
                seen.add(edge.dst)
                frontier.append(edge.dst)
    return False
