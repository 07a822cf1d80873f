"""Labels a user's class names, attribute names or ``extra_repr`` could produce."""

from __future__ import annotations

from netviz.ir import Graph, Kind, Mark
from tests.renderers.graphs import Builder

NASTY: list[str] = [
    "a<b>&c",
    "&lt;script&gt;",
    "&amp;",
    "&#60;",
    "<script>alert(1)</script>",
    "<b>bold</b>",
    "<<b>html</b>>",
    'q"uote\'s',
    '"]; n9[evil]; x["',
    '"] -> evil [label="x',
    "x\\Ny\\G\\l\\E",
    "back\\\\slash\\",
    "\\",
    '\\"',
    "line1\nline2",
    "{a|b} [c] (d)",
    "%s %d %% 100%",
    "-->",
    "--> B\nsubgraph evil\nend",
    "]]><!-- -->",
    "end",
    "#35; #quot; #",
    "`md` **b**",
    "a;b:c",
    "style n0 fill:#f00;",
    "tab\there",
    "ctrl\x01\x1fchars",
    "ünïcode → ⊕ ✓",
    "",
]


def nasty_graph(name: str = 'evil" name<>&') -> Graph:
    """One node, one cluster and one labelled mark per nasty label."""
    b = Builder(name)
    for i, label in enumerate(NASTY):
        b.begin()
        b.node(f"x{i}", Kind.OTHER, label, "MyOp")
        b.end(f"c{i}", i, 0, label or "untitled")
    for i in range(len(NASTY) - 1):
        mark = Mark(("Weird",), (Kind.ACT,), (f"w{i}",), label=NASTY[i] or "w")
        b.edge(f"x{i}", f"x{i + 1}", mark)
    return b.graph()
