"""The transform pipeline from raw trace to notation graph."""

from __future__ import annotations

from dataclasses import dataclass

from netviz.ir import Graph
from netviz.transforms.blocks import group_blocks
from netviz.transforms.data_nodes import insert_data_nodes
from netviz.transforms.fold import fold_repeats, title_clusters
from netviz.transforms.fuse import fuse_marks
from netviz.transforms.labels import label
from netviz.transforms.reshapes import hide_reshapes


@dataclass(frozen=True)
class NotationOptions:
    """Choices that shape the notation graph.

    Attributes:
        fold: Fold runs of identical blocks into one cluster with a repeat count.
        shapes: Show spatial sizes in data nodes (``32C 16x16``).
        hide_reshapes: Drop view/flatten nodes (the diagram does; the listing does not).
    """

    fold: bool = True
    shapes: bool = False
    hide_reshapes: bool = True

    @classmethod
    def listing(cls) -> NotationOptions:
        """Options for the pseudocode listing: every block, every op."""
        return cls(fold=False, shapes=False, hide_reshapes=False)


def to_notation(graph: Graph, options: NotationOptions = NotationOptions()) -> Graph:
    """Turn a raw trace into the notation graph, one pure transform at a time.

    Order: fuse norm/act into edge marks, (hide reshapes), group blocks, insert
    data nodes, label, (fold repeats), title clusters. Idempotent as a whole.
    """
    graph = fuse_marks(graph)
    if options.hide_reshapes:
        graph = hide_reshapes(graph)
    graph = group_blocks(graph)
    graph = insert_data_nodes(graph)
    graph = label(graph, shapes=options.shapes)
    if options.fold:
        graph = fold_repeats(graph)
    return title_clusters(graph, folded=options.fold)
