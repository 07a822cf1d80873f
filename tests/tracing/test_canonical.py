"""Calls of one module on one input, in an order Python does not fix (a set of strings,
as transformers' Gemma 3 iterates its layer types), trace to the same graph in any order."""

from __future__ import annotations

import torch
from torch import nn

from netviz.ir import Edge, Graph, Kind, Node
from netviz.tracing import trace_model
from netviz.tracing.canonical import canonical_calls

D = 8


class Model(nn.Module):
    """Computes one table per kind, in ``order``; layer ``i`` reads kind ``KINDS[i]``'s."""

    KINDS = ("a", "b", "a")

    def __init__(self, order: tuple[str, ...]) -> None:
        super().__init__()
        self.order = order
        self.table = nn.Linear(D, D)
        self.layers = nn.ModuleList(nn.Linear(D, D) for _ in self.KINDS)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        tables = {kind: self.table(x) for kind in self.order}
        for layer, kind in zip(self.layers, self.KINDS):
            x = layer(x) + tables[kind]
        return x


def test_the_order_of_interchangeable_calls_does_not_change_the_graph() -> None:
    graphs = [trace_model(Model(order), [(D,)], name="m") for order in (("a", "b"), ("b", "a"))]
    assert graphs[0] == graphs[1]
    assert repr(graphs[0]) == repr(graphs[1])
    table = [n for n in graphs[0].nodes if n.scope == "table"]
    assert [n.params for n in table] == [D * D + D, 0]  # the first call holds the weights
    readers = {e.dst for e in graphs[0].edges if e.src == table[0].id}
    assert readers == {"add", "add_2"}  # the first table is the one layers 0 and 2 read


def _node(node_id: str, scope: str, type_name: str, params: int = 0) -> Node:
    return Node(id=node_id, kind=Kind.LINEAR, type_name=type_name, scope=scope, params=params)


def test_only_calls_of_one_module_with_the_same_sources_are_reordered() -> None:
    x = Node(id="x", kind=Kind.INPUT, type_name="input")
    nodes = (x, _node("t", "t", "Linear", 72), _node("t_1", "t", "Linear"),
             _node("g", "t", "getitem"), _node("g_1", "t", "getitem"),
             _node("use_g1", "u", "Linear"), _node("use_g", "u", "Linear"),
             _node("use_t1", "v", "Linear"), _node("use_t", "v", "Linear"))
    edges = (Edge("x", "t"), Edge("x", "t_1"), Edge("x", "g"), Edge("x", "g_1"),
             Edge("g_1", "use_g1"), Edge("g", "use_g"), Edge("t_1", "use_t1"), Edge("t", "use_t"))
    graph = Graph(name="g", nodes=nodes, edges=edges,
                  modules=(("t", "Linear"), ("u", "Linear"), ("v", "Linear")))
    out = canonical_calls(graph)
    assert [n.id for n in out.nodes] == [n.id for n in nodes]
    assert [n.params for n in out.nodes[1:3]] == [72, 0]
    # t_1's result is used first: it now comes first, named t, with the weights
    assert {(e.src, e.dst) for e in out.edges} >= {("t", "use_t1"), ("t_1", "use_t")}
    assert {(e.src, e.dst) for e in out.edges} >= {("g_1", "use_g1"), ("g", "use_g")}  # ops: kept
    assert canonical_calls(out) == out
