"""The intermediate representation: plain typed data, no torch.

A traced model is a [`Graph`][netviz.ir.Graph] of [`Node`][netviz.ir.Node]s in
execution order, joined by [`Edge`][netviz.ir.Edge]s. Transforms turn the raw
trace into the notation graph by fusing norm/activation chains into edge
[`Mark`][netviz.ir.Mark]s and grouping blocks into [`Cluster`][netviz.ir.Cluster]s.
"""

from typing import TYPE_CHECKING, Any

from netviz.ir.graph import (
    Attr, Cluster, Edge, Graph, Mark, Node, Repeat, Shape, evolve, feature_width,
)
from netviz.ir.kinds import Kind

if TYPE_CHECKING:
    from netviz.ir.changes import Change, ChangeKind

__all__ = [
    "Attr", "Change", "ChangeKind", "Cluster", "Edge", "Graph", "Kind", "Mark", "Node", "Repeat",
    "Shape",
    "evolve",
    "feature_width",
]


def __getattr__(name: str) -> Any:
    # The marks of a diff figure, imported by what draws or makes one: a plain
    # render never needs them.
    if name in ("Change", "ChangeKind"):
        from netviz.ir import changes

        return getattr(changes, name)
    raise AttributeError(f"module 'netviz.ir' has no attribute {name!r}")
