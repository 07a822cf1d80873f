"""The transform pipeline from raw trace to notation graph."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial

from netviz.ir import Graph


@dataclass(frozen=True)
class NotationOptions:
    """Choices that shape the notation graph.

    Attributes:
        fold: Fold runs of identical blocks into one cluster with a repeat count.
        shapes: Show spatial sizes in data nodes (``32C 16x16``).
        hide_reshapes: Draw the compact diagram: hide ops that change no values (views,
            selections, eval-mode dropout) and collapse hand-written attention into one
            box. The listing keeps every op.
        depth: Draw each module of this level of the module tree (0: the model, 1: its
            children...) as one box (see
            [`collapse_depth`][netviz.transforms.depth.collapse_depth]); ``None``: every op.
    """

    fold: bool = True
    shapes: bool = False
    hide_reshapes: bool = True
    depth: int | None = None

    @classmethod
    def listing(cls) -> NotationOptions:
        """Options for the pseudocode listing: every block, every op."""
        return cls(fold=False, shapes=False, hide_reshapes=False)


Step = tuple[str, Callable[[Graph], Graph]]
"""One named transform of the pipeline."""

ATTENTION_TRAITS = ("softmax", "attention")
"""The traits of the ops an attention core starts from (``attention.CORE_TRAITS``): a
graph without one has no attention to collapse."""


def _collapse_attention(graph: Graph) -> Graph:
    """[`collapse_attention`][netviz.transforms.attention.collapse_attention], its module
    imported only for a graph with an op an attention core starts from (a cold render of
    a convolutional network never loads it)."""
    from netviz.ops import has_trait

    if not any(has_trait(n.type_name, t) for n in graph.nodes for t in ATTENTION_TRAITS):
        return graph
    from netviz.transforms.attention import collapse_attention

    return collapse_attention(graph)


def _collapse_to_page(graph: Graph) -> Graph:
    """[`collapse_to_page`][netviz.transforms.collapse.collapse_to_page], its module
    imported only for a figure over the page (most fit one)."""
    from netviz.transforms.fold import PAGE

    if len(graph.nodes) <= PAGE:
        return graph
    from netviz.transforms.collapse import collapse_to_page

    return collapse_to_page(graph, PAGE)


def pipeline(options: NotationOptions = NotationOptions()) -> list[Step]:
    """The transforms [`to_notation`][netviz.transforms.to_notation] applies, in order.

    Order: drop unused free ops, draw modules of any class as the op they compute,
    (draw the modules of one level as boxes,) (collapse attention, mixtures of
    experts and written-out reductions (L2 norms, gathers at an argmax), hide ops that
    change no values), make constant-operand adds plain ops, group blocks, insert data nodes
    (at block starts, and where a norm/activation chain would leave a block), fuse
    norm/act into edge marks (after the data nodes, so a mark never spans a block's
    start), label, (fold identical, periodic and near-identical runs of blocks and
    keep the figure to a page), title clusters.
    """
    # Imported here: the options (a cache key) are needed without the transforms
    # (a cached render draws a cached notation graph). Attention and the page's
    # collapsing are imported only when a graph needs them (see their steps).
    from netviz.transforms.blocks import group_blocks
    from netviz.transforms.experts import collapse_experts
    from netviz.transforms.data_nodes import insert_data_nodes, insert_exit_nodes, mark_token_ids
    from netviz.transforms.fold import fold_periods, fold_repeats, fold_similar
    from netviz.transforms.titles import title_clusters
    from netviz.transforms.fuse import fuse_marks
    from netviz.transforms.labels import label
    from netviz.transforms.operands import constant_operand_ops
    from netviz.transforms.prune import prune_dead
    from netviz.transforms.reductions import collapse_reductions
    from netviz.transforms.recognize import recognize_modules
    from netviz.transforms.reshapes import hide_reshapes

    steps: list[Step] = [("prune_dead", prune_dead), ("recognize_modules", recognize_modules)]
    if options.depth is not None:
        from netviz.transforms.depth import collapse_depth  # only here: a cold render pays less

        steps.append(("collapse_depth",
                      partial(collapse_depth, depth=options.depth, fold=options.fold)))
    if options.hide_reshapes:
        steps += [("collapse_attention", _collapse_attention),
                  ("collapse_experts", collapse_experts),
                  ("collapse_reductions", collapse_reductions), ("hide_reshapes", hide_reshapes)]
    steps += [
        ("constant_operand_ops", constant_operand_ops),
        ("group_blocks", group_blocks),
        ("insert_data_nodes", insert_data_nodes),
        ("insert_exit_nodes", insert_exit_nodes),
        ("mark_token_ids", mark_token_ids),
        ("fuse_marks", fuse_marks),
        ("label", partial(label, shapes=options.shapes)),
    ]
    if options.fold:
        steps += [("fold_repeats", fold_repeats), ("fold_periods", fold_periods),
                  ("fold_similar", fold_similar), ("collapse_to_page", _collapse_to_page)]
    steps.append(("title_clusters", title_clusters))
    return steps


def to_notation(graph: Graph, options: NotationOptions = NotationOptions()) -> Graph:
    """Turn a raw trace into the notation graph, one pure transform at a time (see
    [`pipeline`][netviz.transforms.pipeline.pipeline]). Idempotent as a whole. Long
    chains of alike blocks the trace records are folded without walking each block
    (see [`netviz.transforms.repeats`][netviz.transforms.repeats]): the same graph."""
    steps = pipeline(options)
    if graph.repeats:
        from netviz.transforms.repeats import folded_without_walking

        folded = folded_without_walking(graph, steps)
        if folded is not None:
            return folded
        graph = replace(graph, repeats=())  # they describe the raw trace only
    for _, step in steps:
        graph = step(graph)
    return graph
