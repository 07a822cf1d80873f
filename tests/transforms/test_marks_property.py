"""Marks sit where their ops are: a property over random pre-norm and post-norm residual nets."""

from __future__ import annotations

from hypothesis import given, settings

from netviz.ir import Graph, Kind
from netviz.transforms import NotationOptions, to_notation
from netviz.transforms.scopes import within
from tests.transforms.raw import build_random_net, random_nets

def raw_consumers(raw: Graph, node_id: str) -> set[str]:
    """Who reads ``node_id``'s result, looking through hidden views."""
    found: set[str] = set()
    for edge in raw.out_edges(node_id):
        if raw.node(edge.dst).kind is Kind.RESHAPE:
            found |= raw_consumers(raw, edge.dst)
        else:
            found.add(edge.dst)
    return found


@settings(max_examples=250, derandomize=True, deadline=None)
@given(desc=random_nets)
def test_every_norm_and_activation_is_one_mark_on_an_edge_into_its_consumer(desc: dict) -> None:
    raw = build_random_net(desc)
    graph = to_notation(raw, NotationOptions(fold=False))
    fused = [n.id for n in raw.nodes if n.kind in (Kind.NORM, Kind.ACT)]
    marks = {e.mark.node_ids: e.mark for e in graph.edges if e.mark is not None}
    for op in fused:  # exactly once: one mark holds it, and only one
        assert sum(op in ids for ids in marks) == 1, op
    blocks = [c for c in graph.clusters]
    for edge in graph.edges:
        if edge.mark is None:
            continue
        last = edge.mark.node_ids[-1]
        head = graph.node(edge.dst)
        assert head.kind is Kind.DATA or edge.dst in raw_consumers(raw, last), (edge, last)
        scopes = {raw.node(i).scope for i in edge.mark.node_ids}
        homes = {next((c.id for c in blocks if within(s, c.id)), None) for s in scopes}
        assert len(homes) == 1, f"mark {edge.mark.node_ids} spans blocks {homes}"
