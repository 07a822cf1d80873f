"""The legend of a DOT figure: the marks and shapes it uses, continuing its spine.

The legend is ranked after the figure's last spine node and its first lane shares the
spine's ``group``, so it makes the figure longer, never wider than the figure or the
legend itself around the spine. A TB figure is a few nodes wide: the legend takes two
lanes there (``≡`` and the glyph beside each chain, ``Add`` beside ``+``). An LR figure
is about one block high: everything follows in one lane.
"""

from __future__ import annotations

from itertools import count

import graphviz

from netviz.ir import Change, Kind
from netviz.renderers import changes
from netviz.renderers.escape import dot_label
from netviz.renderers.legend import EQUIVALENT_TITLE, LEGEND_TITLE, Legend
from netviz.renderers.theme import (
    COLUMN_WEIGHT,
    SPINE_GROUP,
    Theme,
    cluster_attrs,
    shape_attrs,
    title_attrs,
)

_PLAIN = {"shape": "plaintext", "width": "0", "margin": "0"}
_LANE = {"group": SPINE_GROUP}
_ASIDE = {"group": "legend"}
"""The second lane (TB): a straight column of its own."""


class _LegendBuilder:
    """Declares the legend's nodes and the invisible edges that rank and order them.

    Edges that leave the legend cluster are declared at the top level: an edge declared
    inside a cluster pulls both its ends into it.
    """

    def __init__(self, dot: graphviz.Digraph, box: graphviz.Digraph, prefix: str,
                 after: str, two_lanes: bool) -> None:
        self.dot, self.box, self.prefix = dot, box, prefix
        self.previous = after
        self.two_lanes = two_lanes
        self._names = count()

    def node(self, text: str, attrs: dict[str, str]) -> str:
        name = f"legend{next(self._names)}"
        self.box.node(name, label=dot_label(text), id=f"{self.prefix}-{name}", **attrs)
        return name

    def edge(self, src: str, dst: str, key: str, **attrs: str) -> None:
        self.box.edge(src, dst, id=f"{self.prefix}-legend-{key}", **attrs)

    def follow(self, names: list[str], key: str, drawn: int = 0) -> None:
        """Rank ``names`` one after another along the flow, after the previous ones; the
        first ``drawn`` steps are visible edges already."""
        self.dot.edge(self.previous, names[0], style="invis", weight=COLUMN_WEIGHT,
                      id=f"{self.prefix}-legend-{key}")
        for step, (src, dst) in enumerate(zip(names, names[1:])):
            if step >= drawn:
                self.edge(src, dst, f"{key}-{step}", style="invis")
        self.previous = names[-1]

    def beside(self, main: str, aside: str, key: str) -> None:
        """Put ``aside`` in ``main``'s rank, in the second lane."""
        with self.box.subgraph() as row:
            row.attr(rank="same")
            row.node(main)
            row.node(aside)
        self.edge(main, aside, key, style="invis")


def add_legend(
    dot: graphviz.Digraph, entries: Legend, prefix: str, colours: Theme, *, after: str,
    direction: str,
) -> None:
    """Add the legend cluster to ``dot``, after node ``after`` (the spine's end).

    Headings "Legend" and "These are equivalent" are text nodes (like cluster titles: a
    cluster label would take a band across the whole legend); each mark is the chain
    ``A → ops → B`` with ``≡`` and ``A --glyph--> B``; then one node per shape.
    """
    with dot.subgraph(name="cluster_legend") as box:
        box.attr(**cluster_attrs(colours), id=f"{prefix}-legend")
        legend = _LegendBuilder(dot, box, prefix, after, two_lanes=direction == "TB")
        headings = [LEGEND_TITLE, *([EQUIVALENT_TITLE] if entries.marks else [])]
        legend.follow([legend.node(text, title_attrs(colours)) for text in headings], "h")
        for number, entry in enumerate(entries.marks):
            chain = [legend.node(text, _LANE) for text in ["A", *entry.ops, "B"]]
            for step, (src, dst) in enumerate(zip(chain, chain[1:])):
                legend.edge(src, dst, f"m{number}-{step}")
            lane2 = _ASIDE if legend.two_lanes else {}
            same = legend.node("≡", {**_PLAIN, **lane2})
            a, b = legend.node("A", lane2), legend.node("B", lane2)
            glyph = {"arrowhead": entry.glyph.arrowhead}
            if entry.glyph.labelled:
                glyph["label"] = dot_label(entry.text)
            legend.edge(a, b, f"m{number}", **glyph)
            if legend.two_lanes:
                legend.follow(chain, f"m{number}-f", drawn=len(chain))
                for step, (main, aside) in enumerate(zip(chain, [same, a, b])):
                    legend.beside(main, aside, f"m{number}-b{step}")
            else:
                legend.follow([*chain, same, a], f"m{number}-f", drawn=len(chain) - 1)
                legend.previous = b
        if entries.kinds:
            _add_shapes(legend, entries)
        if entries.changes:
            _add_changes(legend, entries, colours)


def _add_shapes(legend: _LegendBuilder, entries: Legend) -> None:
    """One node per shape used (``Add`` written beside the bare ``+``)."""
    shapes: list[str] = []
    named: dict[str, str] = {}
    for kind in entries.kinds:
        if kind is Kind.ADD:
            shapes.append(legend.node("+", {**shape_attrs(kind), **_LANE}))
            named[shapes[-1]] = legend.node("Add", _PLAIN)
        else:
            grown = {k: v for k, v in shape_attrs(kind).items() if k not in ("fixedsize", "width")}
            shapes.append(legend.node(entries.text(kind), {**grown, **_LANE}))
    if legend.two_lanes:
        legend.follow(shapes, "s")
        for main, aside in named.items():
            legend.beside(main, aside, "s-add")
    else:
        legend.follow([n for s in shapes for n in (s, *([named[s]] if s in named else []))], "s")


def _add_changes(legend: _LegendBuilder, entries: Legend, colours: Theme) -> None:
    """One box per mark of a diff figure used, drawn as the figure draws it."""
    boxes = []
    for kind in entries.changes:
        looks = changes.node_attrs(Change(kind), Kind.OTHER, colours)
        boxes.append(legend.node(changes.CHANGE_TEXT[kind], {**looks, **_LANE}))
    legend.follow(boxes, "d")
