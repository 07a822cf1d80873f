"""Summary rows per diagram group: the stem, each block cluster, the head.

The groups are the diagram engine's own clusters, so a paper's figure and its
table agree block for block. Every layer row goes to the cluster whose
``blocks`` contain its module path; rows outside every cluster go to ``Stem``
if they start before the first clustered row, else to ``Head``.
"""

from __future__ import annotations

from collections.abc import Sequence

from netviz.ir import Cluster, Graph, Shape
from netviz.summaries.table import GroupRow, LayerRow, SummaryTable
from netviz.transforms.annotate import Counts
from netviz.summaries.view import subtree_ends

STEM = "Stem"
HEAD = "Head"
WHOLE = "Model"


def group_rows(table: SummaryTable, graph: Graph) -> tuple[GroupRow, ...]:
    """One [`GroupRow`][netviz.summaries.table.GroupRow] per group of ``graph``, in order.

    The group rows' parameters and mult-adds sum to the table's totals.
    """
    return tuple(row for _, row in _keyed_rows(table, graph))


def cluster_counts(table: SummaryTable, graph: Graph) -> tuple[dict[int, Counts], Counts]:
    """The numbers of the by-group summary, for annotating the figure of ``graph``:
    each cluster's row (by cluster index) and the table's totals."""
    clusters = {
        key: Counts(row.params, row.mult_adds)
        for key, row in _keyed_rows(table, graph)
        if 0 <= key < len(graph.clusters)
    }
    return clusters, Counts(table.total_params, table.mult_adds)


def _keyed_rows(table: SummaryTable, graph: Graph) -> list[tuple[int, GroupRow]]:
    """Group rows with their keys: -1 for the stem, the cluster's index, or
    ``len(graph.clusters)`` for the head."""
    clusters = graph.clusters
    owner = {block: i for i, cluster in enumerate(clusters) for block in cluster.blocks}
    found = [_cluster_of(row.path, owner) for row in table.rows]
    first = next((i for i, c in enumerate(found) if c is not None), len(found))
    # Group keys: -1 stem, cluster index, len(clusters) head.
    head = len(clusters)
    keys = [
        c if c is not None else (-1 if i < first else head) for i, c in enumerate(found)
    ]
    uniform = _uniform_subtrees(table.rows, keys)
    titles = {-1: STEM if clusters else WHOLE, head: HEAD}
    titles.update({i: _title(c) for i, c in enumerate(clusters)})
    blocks = {i: len(c.blocks) for i, c in enumerate(clusters)}

    out: list[tuple[int, GroupRow]] = []
    for key in sorted(set(keys)):
        members = [r for r, k in zip(table.rows, keys) if k == key]
        # Rows spanning other groups too (the model itself, a stage's Sequential)
        # carry no numbers of their own worth a group: they never define a shape.
        own = [r for r in members if uniform[r.index]]
        if key not in blocks and not own:
            continue
        row = GroupRow(
            title=titles[key],
            blocks=blocks.get(key, 0),
            params=sum(r.params for r in members),
            trainable_params=sum(r.trainable_params for r in members),
            mult_adds=sum(r.mult_adds for r in members),
            output_shape=_last_output(own),
        )
        out.append((key, row))
    return out


def _cluster_of(path: str, owner: dict[str, int]) -> int | None:
    """The cluster owning ``path`` or its deepest owned ancestor (``""`` owns all)."""
    parts = path.split(".") if path else []
    for n in range(len(parts), -1, -1):
        hit = owner.get(".".join(parts[:n]))
        if hit is not None:
            return hit
    return None


def _uniform_subtrees(rows: Sequence[LayerRow], keys: list[int]) -> list[bool]:
    """Whether each row's subtree (itself and the deeper rows after it) is in one group."""
    n = len(rows)
    differs = [n] * n  # index of the next row whose key differs from this row's
    for i in range(n - 2, -1, -1):
        differs[i] = i + 1 if keys[i + 1] != keys[i] else differs[i + 1]
    return [differs[i] >= end for i, end in enumerate(subtree_ends(rows))]


def _last_output(rows: Sequence[LayerRow]) -> Shape | None:
    finished = [r for r in rows if r.finish is not None and r.output_shape is not None]
    if not finished:
        return None
    return max(finished, key=lambda r: r.finish or 0).output_shape


def _title(cluster: Cluster) -> str:
    return cluster.title or f"Group {cluster.group}"
