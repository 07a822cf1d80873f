"""netviz's DOT writer writes, for every call, the very text ``graphviz.Digraph`` writes
(the ``graphviz`` package is the independent reference here: netviz no longer imports it)."""

from __future__ import annotations

import warnings
from typing import Any

import graphviz
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netviz.renderers import dot_source
from netviz.renderers.dot_source import Digraph, quote

TEXTS = st.one_of(
    st.sampled_from(["n0", "t3", "cluster_1", "node", "Edge", "strict", "-4.2", ".42", "1.",
                     "", "a b", "<b>x</b>", "<lambda>", 'say "hi"', '\\"', "\\\\\"", "x\\",
                     "3x3 16C 1S 1P", "Group 0 x (N - 1) = 3", "→ ≡", "a:b", "a:b:s"]),
    st.text(alphabet=st.sampled_from('ab0_-. <>"\\:\nλ'), max_size=8),
)
"""Names and values: plain IDs, numbers, keywords, HTML-like, quotes, backslashes, ports."""

VALUES = st.tuples(TEXTS, st.booleans())
"""A text, and whether it is marked as no HTML."""

KEYS = ["id", "shape", "color", "xlabel", "a b", "rank", "style", "node"]
ATTRS = st.dictionaries(st.sampled_from(["label", *KEYS]), st.one_of(st.none(), VALUES),
                        max_size=4)
"""Attributes of a graph or an attribute statement."""
ELEMENT_ATTRS = st.dictionaries(st.sampled_from(KEYS), st.one_of(st.none(), VALUES), max_size=4)
"""Attributes of a node or edge besides its label (an argument of its own)."""


def _value(value: tuple[str, bool], module: Any) -> str:
    text, plain = value
    return module.nohtml(text) if plain else text


def _attrs(attrs: dict[str, tuple[str, bool] | None], module: Any) -> dict[str, Any]:
    return {k: None if v is None else _value(v, module) for k, v in attrs.items()}


STATEMENTS = st.recursive(
    st.one_of(
        st.tuples(st.just("node"), TEXTS, st.one_of(st.none(), VALUES), ELEMENT_ATTRS),
        st.tuples(st.just("edge"), TEXTS, TEXTS, st.one_of(st.none(), VALUES), ELEMENT_ATTRS),
        st.tuples(st.just("attr"), ATTRS),
    ),
    lambda inner: st.tuples(st.just("subgraph"), st.one_of(st.none(), TEXTS),
                            st.lists(inner, max_size=4)),
    max_leaves=12,
)


def _build(graph: Any, statements: list[Any], module: Any) -> None:
    for statement in statements:
        kind = statement[0]
        if kind == "node":
            _, name, label, attrs = statement
            graph.node(name, label=None if label is None else _value(label, module),
                       **_attrs(attrs, module))
        elif kind == "edge":
            _, tail, head, label, attrs = statement
            graph.edge(tail, head, label=None if label is None else _value(label, module),
                       **_attrs(attrs, module))
        elif kind == "attr":
            graph.attr(**_attrs(statement[1], module))
        else:
            _, name, inner = statement
            with graph.subgraph(name=name) as sub:
                _build(sub, inner, module)


@settings(max_examples=300, deadline=None)
@given(name=st.one_of(st.none(), TEXTS), graph_attr=ATTRS, node_attr=ATTRS, edge_attr=ATTRS,
       statements=st.lists(STATEMENTS, max_size=6))
def test_the_text_is_the_one_graphviz_writes(
    name: str | None, graph_attr: dict[str, Any], node_attr: dict[str, Any],
    edge_attr: dict[str, Any], statements: list[Any],
) -> None:
    texts = []
    warned = []
    for module, cls in ((graphviz, graphviz.Digraph), (dot_source, Digraph)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            graph = cls(name=name, graph_attr=_attrs(graph_attr, module),
                        node_attr=_attrs(node_attr, module), edge_attr=_attrs(edge_attr, module))
            _build(graph, statements, module)
            texts.append(graph.source)
        warned.append([str(w.message) for w in caught])
    assert texts[1] == texts[0]
    assert warned[1] == warned[0]  # a quoted text ending in an odd backslash


@pytest.mark.parametrize("text", ["n0", "node", "<b>x</b>", 'a "b"', "x\\", "", "-1.5", "é"])
def test_quote_is_graphviz_quote(text: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert quote(text) == graphviz.quoting.quote(text)
        assert quote(dot_source.nohtml(text)) == graphviz.quoting.quote(graphviz.nohtml(text))


def test_a_subgraph_left_by_an_error_is_not_added() -> None:
    graph = Digraph("g")
    with pytest.raises(KeyError):
        with graph.subgraph(name="cluster_0") as sub:
            sub.node("a")
            raise KeyError("stop")
    assert graph.source == "digraph g {\n}\n"
