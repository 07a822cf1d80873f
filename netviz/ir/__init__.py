"""The intermediate representation: plain typed data, no torch.

A traced model is a [`Graph`][netviz.ir.Graph] of [`Node`][netviz.ir.Node]s in
execution order, joined by [`Edge`][netviz.ir.Edge]s. Transforms turn the raw
trace into the notation graph by fusing norm/activation chains into edge
[`Mark`][netviz.ir.Mark]s and grouping blocks into [`Cluster`][netviz.ir.Cluster]s.
"""

from netviz.ir.changes import Change, ChangeKind
from netviz.ir.graph import (
    Attr, Cluster, Edge, Graph, Mark, Node, Repeat, Shape, evolve, feature_width,
)
from netviz.ir.kinds import Kind

__all__ = [
    "Attr", "Change", "ChangeKind", "Cluster", "Edge", "Graph", "Kind", "Mark", "Node", "Repeat",
    "Shape",
    "evolve",
    "feature_width",
]
