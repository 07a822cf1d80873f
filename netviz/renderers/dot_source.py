"""DOT text built statement by statement, written exactly as the ``graphviz`` package's
``Digraph`` writes it.

The renderers add nodes, edges, attribute statements and subgraphs to a
[`Digraph`][netviz.renderers.dot_source.Digraph] and read its ``source``. Every name and
value is quoted as the DOT language needs ([`quote`][netviz.renderers.dot_source.quote]);
attributes are written sorted by name. The text is the one ``graphviz.Digraph``
(0.20 on) writes for the same calls (a property test holds it to that), without
importing that package and its rendering and viewing back ends, which no render uses:
that was a sixth of what a render imported.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

_HTML = re.compile(r"<.*>$", re.DOTALL)
_ID = re.compile(r"([a-zA-Z_][a-zA-Z0-9_]*|-?(\.[0-9]+|[0-9]+(\.[0-9]*)?))$")
_KEYWORDS = frozenset({"node", "edge", "graph", "digraph", "subgraph", "strict"})
_ODD_BACKSLASHES = re.compile(r"(?<!\\)(?:\\{2})*\\$")
_QUOTE = re.compile(r'(?P<backslashes>(?:\\{2})*)\\?(?P<quote>")')
"""A double quote, escaped or not, after an even run of backslashes."""


class NoHtml(str):
    """A text that is never an HTML-like label, even one that reads ``<...>``."""

    __slots__ = ()


def nohtml(text: str) -> NoHtml:
    """``text`` marked as no HTML-like label: it is quoted like any other text."""
    return NoHtml(text)


def quote(text: str) -> str:
    """``text`` as a DOT ID: as it is when it is a name (``n0``), a number or an
    HTML-like label (``<...>``, unless marked [`NoHtml`][netviz.renderers.dot_source.NoHtml]);
    else in double quotes, its own double quotes escaped. A DOT keyword is quoted."""
    if _HTML.match(text) and not isinstance(text, NoHtml):
        return text
    if not _ID.match(text) or text.lower() in _KEYWORDS:
        if _ODD_BACKSLASHES.search(text):
            warnings.warn(f"expect syntax error scanning invalid quoted string: {text!r}",
                          RuntimeWarning, stacklevel=2)
        return '"' + _QUOTE.sub(r"\g<backslashes>\\\g<quote>", text) + '"'
    return text


def _quote_edge(end: str) -> str:
    """An edge's end, ``node[:port[:compass]]``, each part quoted (the compass as it is)."""
    node, _, rest = end.partition(":")
    parts = [quote(node)]
    if rest:
        port, _, compass = rest.partition(":")
        parts.append(quote(port))
        if compass:
            parts.append(compass)
    return ":".join(parts)


def _a_list(label: str | None, attrs: Mapping[str, str | None]) -> str:
    """``label=... a=1 b=2``: the label first, then the attributes by name (``None``: left out)."""
    items = sorted(attrs.items()) if type(attrs) is dict else attrs.items()
    words = [f"label={quote(label)}"] if label is not None else []
    words += [f"{quote(key)}={quote(value)}" for key, value in items if value is not None]
    return " ".join(words)


def _attr_list(label: str | None, attrs: Mapping[str, str | None]) -> str:
    """`` [label=... a=1]``, or nothing for no attributes."""
    content = _a_list(label, attrs)
    return f" [{content}]" if content else ""


class Digraph:
    """A DOT ``digraph`` (or a subgraph of one), built statement by statement.

    Attributes:
        name: The graph's DOT name (``None``: none).
        graph_attr: Attributes of the graph.
        node_attr: Defaults of its nodes.
        edge_attr: Defaults of its edges.
        body: Its statements, each one line of DOT.
    """

    def __init__(
        self,
        name: str | None = None,
        *,
        graph_attr: Mapping[str, str] | None = None,
        node_attr: Mapping[str, str] | None = None,
        edge_attr: Mapping[str, str] | None = None,
    ) -> None:
        """A graph called ``name`` with these graph, node and edge attributes."""
        self.name = name
        self.graph_attr = dict(graph_attr) if graph_attr is not None else {}
        self.node_attr = dict(node_attr) if node_attr is not None else {}
        self.edge_attr = dict(edge_attr) if edge_attr is not None else {}
        self.body: list[str] = []

    def node(self, name: str, label: str | None = None, **attrs: str) -> None:
        """Add node ``name`` with its label and attributes."""
        self.body.append(f"\t{quote(name)}{_attr_list(label, attrs)}\n")

    def edge(self, tail: str, head: str, label: str | None = None, **attrs: str) -> None:
        """Add an edge from ``tail`` to ``head`` (``node[:port[:compass]]``)."""
        self.body.append(f"\t{_quote_edge(tail)} -> {_quote_edge(head)}{_attr_list(label, attrs)}\n")

    def attr(self, **attrs: str) -> None:
        """Set attributes of the (sub)graph from here on (``rank="same"``, ``label=...``)."""
        if attrs:
            self.body.append(f"\t{_a_list(None, attrs)}\n")

    @contextmanager
    def subgraph(self, name: str | None = None) -> Iterator[Digraph]:
        """A subgraph (a cluster if ``name`` starts with ``cluster``), added to this graph
        when the ``with`` block ends without an error."""
        sub = Digraph(name)
        yield sub
        self.body += [f"\t{line}" for line in sub._lines(subgraph=True)]

    @property
    def source(self) -> str:
        """The DOT text."""
        return "".join(self._lines())

    def _lines(self, *, subgraph: bool = False) -> Iterator[str]:
        named = f"{quote(self.name)} " if self.name else ""
        if subgraph:
            yield f"subgraph {named}{{\n" if self.name else "{\n"
        else:
            yield f"digraph {named}{{\n"
        for kind, attrs in (("graph", self.graph_attr), ("node", self.node_attr),
                            ("edge", self.edge_attr)):
            if attrs:
                yield f"\t{kind}{_attr_list(None, attrs)}\n"
        yield from self.body
        yield "}\n"
