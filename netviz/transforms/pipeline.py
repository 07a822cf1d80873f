"""The transform pipeline from raw trace to notation graph."""

from __future__ import annotations

from dataclasses import dataclass

from netviz.ir import Graph
from netviz.transforms.attention import collapse_attention
from netviz.transforms.blocks import group_blocks
from netviz.transforms.collapse import collapse_to_page
from netviz.transforms.data_nodes import insert_data_nodes, insert_exit_nodes
from netviz.transforms.fold import fold_periods, fold_repeats, fold_similar, title_clusters
from netviz.transforms.fuse import fuse_marks
from netviz.transforms.labels import label
from netviz.transforms.operands import constant_operand_ops
from netviz.transforms.prune import prune_dead
from netviz.transforms.reshapes import hide_reshapes


@dataclass(frozen=True)
class NotationOptions:
    """Choices that shape the notation graph.

    Attributes:
        fold: Fold runs of identical blocks into one cluster with a repeat count.
        shapes: Show spatial sizes in data nodes (``32C 16x16``).
        hide_reshapes: Draw the compact diagram: hide ops that change no values (views,
            selections, eval-mode dropout) and collapse hand-written attention into one
            box. The listing keeps every op.
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

    Order: drop unused free ops, (collapse attention, hide ops that change no
    values), make constant-operand adds plain ops, group blocks, insert data
    nodes, fuse norm/act into edge marks (after the data nodes, so a mark never
    spans a block's start), label, (fold repeats and keep the figure to a page),
    title clusters. Idempotent as
    a whole.
    """
    graph = prune_dead(graph)
    if options.hide_reshapes:
        graph = collapse_attention(graph)
        graph = hide_reshapes(graph)
    graph = constant_operand_ops(graph)
    graph = group_blocks(graph)
    graph = insert_exit_nodes(insert_data_nodes(graph))
    graph = fuse_marks(graph)
    graph = label(graph, shapes=options.shapes)
    if options.fold:
        graph = collapse_to_page(fold_similar(fold_periods(fold_repeats(graph))))
    return title_clusters(graph, folded=options.fold)
