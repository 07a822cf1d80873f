"""Unfold folded runs where the other model split them: compare block by block there.

A change to one block of a run (B's second block lost its shortcut) splits B's folded
cluster ``x N = 3`` into ``Block``, ``Block 1``, ``Block 2``; compared folded, A's one
cluster would pair with one of them and the others would look added. So where one
model's stage has clusters that pair with none of the other's, the other's runs of
identical blocks in that stage are compared as their blocks, one cluster each (the
run's first block, copied); the diff keeps this only when fewer clusters are left
unpaired.

The numbers stay exact, the blocks of such a run being identical. A is never drawn; B's
figure then draws the run block by block, as ``netviz render --no-fold`` would.
"""

from __future__ import annotations

from dataclasses import replace

from netviz.ir import Cluster, Edge, Graph, Node, evolve
from netviz.transforms.titles import title_clusters

COPY = "#"
"""Separator of a virtual block's number in its copied node ids (``add_0#1``)."""


def unfoldable(cluster: Cluster) -> bool:
    """Whether a cluster stands for a run of identical blocks (its drawn nodes, times its
    repeat, are every block's exactly)."""
    return cluster.repeat > 1 and cluster.totals is None and cluster.period == 1 \
        and len(cluster.blocks) == cluster.repeat


def unfold(graph: Graph, indices: set[int]) -> tuple[Graph, frozenset[str]]:
    """``graph`` with the clusters at ``indices`` (each [`unfoldable`][netviz.transforms.diff.unfold.unfoldable])
    replaced by one cluster per block (titled as an unfolded figure titles it): the kept
    block's nodes, copied, chained as the blocks ran; and the ids of those clusters."""
    if not indices:
        return graph, frozenset()
    copies: dict[str, list[str]] = {}  # node id -> its id in every copy, the first's own
    runs: dict[str, list[Node]] = {}  # a run's first node -> every copy of the run, in order
    clusters: list[Cluster] = []
    for index, cluster in enumerate(graph.clusters):
        if index not in indices:
            clusters.append(cluster)
            continue
        copied = []
        for k, block in enumerate(cluster.blocks):
            ids = tuple(_copy_id(n, k) for n in cluster.node_ids)
            clusters.append(replace(cluster, id=block, index=cluster.index + k, blocks=(block,),
                                    node_ids=ids, title="", repeat=1))
            copied += [evolve(graph.node(n), id=_copy_id(n, k),
                              scope=_moved(graph.node(n).scope, cluster, k))
                       for n in cluster.node_ids]
        for node_id in cluster.node_ids:
            copies[node_id] = [_copy_id(node_id, k) for k in range(cluster.repeat)]
        runs[cluster.node_ids[0]] = copied
    order: list[Node] = []
    for node in graph.nodes:
        if node.id in runs:
            order.extend(runs[node.id])
        elif node.id not in copies:
            order.append(node)
    unfolded = replace(graph, nodes=tuple(order), edges=tuple(_edges(graph, indices, copies)),
                       clusters=tuple(clusters))
    titled = title_clusters(unfolded)
    blocks = frozenset(c.id for c in clusters if not c.title)
    return replace(unfolded, clusters=tuple(
        new if not old.title else old for old, new in zip(unfolded.clusters, titled.clusters))
    ), blocks


def _copy_id(node_id: str, k: int) -> str:
    return node_id if k == 0 else f"{node_id}{COPY}{k}"


def _block_of(scope: str, cluster: Cluster) -> str | None:
    """The block of the run that ``scope`` lies in, if any."""
    for block in cluster.blocks:
        if scope == block or scope.startswith(block + "."):
            return block
    return None


def _moved(scope: str, cluster: Cluster, k: int) -> str:
    """A scope inside one of the run's blocks, moved into its ``k``-th block."""
    block = _block_of(scope, cluster)
    return scope if block is None else cluster.blocks[k] + scope[len(block):]


def _edges(graph: Graph, indices: set[int], copies: dict[str, list[str]]) -> list[Edge]:
    """Each run's inner edges in every block, its entering edges into the first block, its
    leaving edges out of the last, and from each block into the next as they leave."""
    member = {n: graph.clusters[i] for i in indices for n in graph.clusters[i].node_ids}
    edges: list[Edge] = []
    for edge in graph.edges:
        run = member.get(edge.src)
        if run is None:  # outside every run, or into a run's first block (its own ids)
            edges.append(edge)
        elif member.get(edge.dst) is run:
            edges += [_copied(edge, copies[edge.src][k], copies[edge.dst][k], run, k)
                      for k in range(run.repeat)]
        else:
            edges.append(replace(edge, src=copies[edge.src][-1]))
            entries = dict.fromkeys(e.dst for n in run.node_ids for e in graph.in_edges(n)
                                    if member.get(e.src) is not run)
            # between blocks, the ops a block ends with (a mark of the run's own); a mark of
            # what follows the run (the head's norm) is only after the last block
            own = edge.mark is not None and _block_of(edge.mark.scope, run) is not None
            between = edge if own or edge.mark is None else replace(edge, mark=None)
            edges += [_copied(between, copies[edge.src][k], copies[entry][k + 1], run, k, chain=True)
                      for k in range(run.repeat - 1) for entry in entries]
    return edges


def _copied(edge: Edge, src: str, dst: str, run: Cluster, k: int, chain: bool = False) -> Edge:
    """``edge`` in the ``k``-th block (its mark's ops copied too, but for the first
    block's own edges); ``chain``: the edge from that block into the next."""
    mark = edge.mark
    if mark is not None and (k or chain):
        mark = replace(mark, node_ids=tuple(f"{n}{COPY}{k}" for n in mark.node_ids),
                       scope=_moved(mark.scope, run, k))
    return Edge(src, dst, mark)
