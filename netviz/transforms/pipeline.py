"""The transform pipeline from raw trace to notation graph."""

from __future__ import annotations

from dataclasses import dataclass

from netviz.ir import Graph


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
    """Run every transform in order (work in progress)."""
    raise NotImplementedError
