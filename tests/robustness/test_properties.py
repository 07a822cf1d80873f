"""Property tests over random residual networks (issue 6).

Each example builds one random network on the meta device and traces it once;
every property is then checked on that trace: every conv is in the figure (count
× repeat), parameters survive the transforms, node ids are unique and edges and
clusters point at real nodes, each transform is pure and idempotent, every text
format renders (and parses), and the same graph gives the same bytes.
"""

from __future__ import annotations

import copy
import warnings

import pytest
from hypothesis import event, given

import netviz
from netviz import api
from netviz.ir import Graph, Kind
from netviz.ir.accounting import count_ops, count_params
from netviz.renderers import render_dot, render_mermaid, render_pseudocode
from netviz.tracing.forwards import hooks_forward
from netviz.transforms import NotationOptions, to_notation
from netviz.transforms.pipeline import pipeline
from tests.properties import steady
from tests.renderers import mermaid_parse
from tests.renderers.dot_parse import cluster_titles, figure_nodes, parse_dot
from tests.robustness.random_nets import NetSpec, build, net_specs

PROPERTY = steady(200)


def check_wellformed(graph: Graph) -> None:
    """Unique node ids; edges and clusters name existing nodes; a node in one cluster."""
    ids = [n.id for n in graph.nodes]
    assert len(ids) == len(set(ids)), "duplicate node ids"
    known = set(ids)
    for edge in graph.edges:
        assert edge.src in known and edge.dst in known, edge
    assert len(graph.edges) == len(set(graph.edges)), "duplicate edges"
    clustered = [i for c in graph.clusters for i in c.node_ids]
    assert set(clustered) <= known
    assert len(clustered) == len(set(clustered)), "a node drawn in two clusters"
    cluster_ids = [c.id for c in graph.clusters]
    assert len(cluster_ids) == len(set(cluster_ids))
    for cluster in graph.clusters:
        assert cluster.repeat == len(cluster.blocks) >= 1


def check_counts(graph: Graph, spec: NetSpec, params: int) -> None:
    assert count_ops(graph, Kind.CONV) == spec.convs
    assert count_params(graph) == params


def trace(spec: NetSpec) -> tuple[Graph, int]:
    model = build(spec, "meta")
    params = sum(p.numel() for p in model.parameters())
    with warnings.catch_warnings():
        warnings.simplefilter("error", netviz.errors.TraceFallbackWarning)
        raw = api.trace(model, [spec.input_shape])
    return raw, params


@PROPERTY
@given(spec=net_specs())
def test_random_networks(spec: NetSpec) -> None:
    raw, params = trace(spec)
    check_wellformed(raw)
    check_counts(raw, spec, params)
    frozen = copy.deepcopy(raw)

    for fold in (True, False):
        options = NotationOptions(fold=fold)
        graph = to_notation(raw, options)
        assert raw == frozen, "to_notation changed its input"
        check_wellformed(graph)
        check_counts(graph, spec, params)
        assert to_notation(graph, options) == graph, "to_notation is not idempotent"
        assert to_notation(raw, options) == graph, "to_notation is not deterministic"
        check_steps(raw, options)
        check_renders(graph, spec)
        if fold:
            check_folding(graph, spec)

    listing = to_notation(raw, NotationOptions.listing())
    check_wellformed(listing)
    check_counts(listing, spec, params)
    text = render_pseudocode(listing)
    assert text == render_pseudocode(to_notation(raw, NotationOptions.listing()))
    assert text.endswith("\n") and "\n\n" not in text
    conv_lines = sum(line.count("Conv torch.Size(") for line in text.splitlines())
    assert conv_lines == spec.convs


def check_steps(raw: Graph, options: NotationOptions) -> None:
    """Each transform leaves its input unchanged and is idempotent."""
    graph = raw
    for name, step in pipeline(options):
        before = copy.deepcopy(graph)
        out = step(graph)
        assert graph == before, f"{name} changed its input"
        assert step(out) == out, f"{name} is not idempotent"
        graph = out
    assert graph == to_notation(raw, options), "steps differ from to_notation"


def check_renders(graph: Graph, spec: NetSpec) -> None:
    """DOT and Mermaid render, parse, draw every node, and repeat byte for byte."""
    for legend in (False, True):
        dot = render_dot(graph, legend=legend)
        assert dot == render_dot(graph, legend=legend)
        parsed = parse_dot(dot)
        assert len(figure_nodes(parsed)) == len(graph.nodes)
        assert cluster_titles(parsed) == [c.title for c in graph.clusters if c.title]
        mmd = render_mermaid(graph, legend=legend)
        assert mmd == render_mermaid(graph, legend=legend)
        diagram = mermaid_parse.parse(mmd)
        assert len([n for n in diagram.nodes if not n.startswith("legend")]) == len(graph.nodes)
    titles = [c.title for c in graph.clusters]
    assert all(titles), "an untitled cluster"


def check_folding(graph: Graph, spec: NetSpec) -> None:
    """Folded clusters stand for every block of the model, in order."""
    assert sum(c.repeat for c in graph.clusters) == sum(spec.blocks)
    per_group: dict[int, int] = {}
    for cluster in graph.clusters:
        per_group[cluster.group] = per_group.get(cluster.group, 0) + cluster.repeat
    assert sorted(per_group.values()) == sorted(spec.blocks)


@PROPERTY
@given(spec=net_specs())
def test_tracing_twice_gives_the_same_graph_and_bytes(spec: NetSpec) -> None:
    """End to end determinism: two fresh builds and traces, equal graphs, equal bytes."""
    first, _ = trace(spec)
    again, _ = trace(spec)
    assert first == again
    options = NotationOptions()
    assert render_dot(to_notation(first, options)) == render_dot(to_notation(again, options))


@PROPERTY
@given(spec=net_specs())
def test_the_hooks_fallback_draws_what_fx_draws(spec: NetSpec) -> None:
    """The fallback (one real forward) gives the figure and listing torch.fx gives,
    or fails the same way (an input too small for a layer)."""
    model = build(spec, "cpu")
    try:
        by_fx, _ = trace(spec)
    except netviz.errors.NetvizError as error:
        event(f"fx rejects the network: {type(error).__name__}")
        with pytest.raises(type(error)):
            hooks_forward(model, [spec.input_shape], name="RandomNet", reason="test")
        return
    by_hooks, _ = hooks_forward(model, [spec.input_shape], name=by_fx.name, reason="test")
    check_wellformed(by_hooks)
    check_counts(by_hooks, spec, sum(p.numel() for p in model.parameters()))
    listing = NotationOptions.listing()
    assert render_dot(to_notation(by_hooks)) == render_dot(to_notation(by_fx))
    assert render_pseudocode(to_notation(by_hooks, listing)) == render_pseudocode(
        to_notation(by_fx, listing)
    )
