"""The IR as JSON: any IR value round-trips exactly, new fields need no code, other
schemas are refused (no torch)."""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netviz.ir import Cluster, Edge, Graph, Kind, Mark, Node
from netviz.ir import serialize
from netviz.ir.serialize import dumps, loads, schema_fingerprint
from netviz.transforms import NotationOptions, to_notation
from tests.transforms.raw import residual_net

names = st.text(max_size=12)
ints = st.integers(min_value=-(2**62), max_value=2**62)
floats = st.floats(allow_nan=False)  # NaN != NaN: equality could not tell
scalars = st.one_of(st.none(), st.booleans(), ints, floats, names)
values = st.recursive(scalars, lambda inner: st.tuples(inner, inner) | st.tuples(inner), max_leaves=6)
shapes = st.none() | st.tuples(*[st.integers(1, 512)] * 3)
kinds = st.sampled_from(list(Kind))
_TYPES = serialize.ir_types()


@st.composite
def nodes(draw: st.DrawFn) -> Node:
    return Node(
        id=draw(names),
        kind=draw(kinds),
        type_name=draw(names),
        scope=draw(names),
        attrs=tuple(draw(st.lists(st.tuples(names, values), max_size=4))),
        shape=draw(shapes),
        params=draw(st.integers(0, 10**9)),
        label=draw(names),
        code=draw(names),
    )


@st.composite
def marks(draw: st.DrawFn) -> Mark:
    count = draw(st.integers(1, 3))
    return Mark(
        type_names=tuple(draw(names) for _ in range(count)),
        kinds=tuple(draw(kinds) for _ in range(count)),
        node_ids=tuple(draw(names) for _ in range(count)),
        scope=draw(names),
        params=draw(st.integers(0, 1000)),
        label=draw(names),
        names=tuple(draw(st.lists(names, max_size=2))),
    )


@st.composite
def graphs(draw: st.DrawFn) -> Graph:
    drawn = tuple(draw(st.lists(nodes(), max_size=6)))
    edges = tuple(Edge(draw(names), draw(names), draw(st.none() | marks())) for _ in drawn)
    clusters = tuple(
        Cluster(draw(names), draw(st.integers(0, 5)), 0, (draw(names),), (n.id,), draw(names), 2)
        for n in drawn[:2]
    )
    meta = tuple(draw(st.lists(st.tuples(names, values), max_size=2)))
    return Graph(draw(names), drawn, edges, clusters, meta)


def _only_tuples(value: Any) -> bool:
    """No list anywhere inside an IR value (every sequence is a tuple)."""
    if isinstance(value, list):
        return False
    if isinstance(value, tuple):
        return all(_only_tuples(item) for item in value)
    if dataclasses.is_dataclass(value):
        return all(_only_tuples(getattr(value, f.name)) for f in dataclasses.fields(value))
    return True


@settings(max_examples=150, deadline=None)
@given(graphs())
def test_any_graph_round_trips_exactly(graph: Graph) -> None:
    back = loads(dumps(graph))
    assert back == graph
    assert _only_tuples(back)
    assert all(type(node.kind) is Kind for node in back.nodes)


def test_notation_graph_round_trips_with_marks_clusters_and_labels() -> None:
    graph = to_notation(residual_net(), NotationOptions())
    back = loads(dumps(graph))
    assert back == graph
    assert back.clusters and any(edge.mark for edge in back.edges)
    assert back.node("avgpool").attr("kernel_size") == graph.node("avgpool").attr("kernel_size")


def test_infinities_and_bools_keep_their_type() -> None:
    node = Node("x", Kind.OTHER, "f", attrs=(("eps", math.inf), ("flag", True), ("n", 1), ("z", 0)))
    back = loads(dumps(node))
    assert back == node
    assert [type(v) for _, v in back.attrs] == [float, bool, int, int]


def test_fields_left_at_their_default_are_not_written() -> None:
    text = dumps(Node("x", Kind.INPUT, "input")).decode()
    assert '"label"' not in text and '"params"' not in text and '"id":"x"' in text


def test_a_new_field_needs_no_code_and_changes_the_fingerprint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = schema_fingerprint()
    written = dumps(Node("conv", Kind.CONV, "Conv2d"))
    # Node as the IR grows it: two more fields with defaults
    grown = dataclasses.make_dataclass(
        "Node",
        [("id", str), ("kind", Kind), ("type_name", str), ("macs", int, 0),
         ("feature_axis", "int | None", None)],
        frozen=True,
    )
    monkeypatch.setattr(serialize, "ir_types", lambda: {**_TYPES, "Node": grown})
    assert schema_fingerprint() != before
    node = grown("conv", Kind.CONV, "Conv2d", macs=12, feature_axis=0)
    assert loads(dumps(node)) == node
    with pytest.raises(ValueError, match="another IR schema"):
        loads(written)


def test_the_fingerprint_is_stable_within_a_schema() -> None:
    assert schema_fingerprint() == schema_fingerprint()
    assert len(schema_fingerprint()) == 16


@pytest.mark.parametrize("value", [[1, 2], {"a": 1}, object(), (1, [2])])
def test_values_the_ir_does_not_hold_are_refused(value: object) -> None:
    with pytest.raises(TypeError):
        dumps(value)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not json",
        b"[1, 2]",
        b'{"schema": "x", "value": 1}',
        json.dumps({"schema": schema_fingerprint(), "value": {"@": "Nope"}}).encode(),
        json.dumps({"schema": schema_fingerprint(), "value": {"@": "Node", "id": "x"}}).encode(),
        b"\xff\xfe",
    ],
)
def test_anything_else_is_a_value_error(data: bytes) -> None:
    with pytest.raises(ValueError):
        loads(data)
