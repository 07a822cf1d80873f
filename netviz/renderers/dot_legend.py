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
from netviz.renderers.legend import BOX_TEXT, EQUIVALENT_TITLE, LEGEND_TITLE, SAMPLE_TEXT, Legend
from netviz.renderers.theme import (
    BOX_SHAPE,
    COLUMN_WEIGHT,
    REGULAR,
    SPINE_GROUP,
    Spacing,
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
                 after: str | None, two_lanes: bool) -> None:
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
        if self.previous is not None:
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
    dot: graphviz.Digraph, entries: Legend, prefix: str, colours: Theme, *, after: str | None,
    direction: str, spacing: Spacing = REGULAR,
) -> None:
    """Add the legend cluster to ``dot``, after node ``after`` (the spine's end; ``None``:
    a legend alone).

    Headings "Legend" and "These are equivalent" are text nodes (like cluster titles: a
    cluster label would take a band across the whole legend); each mark is the chain
    ``A → ops → B`` with ``≡`` and ``A --glyph--> B``; then a small glyph per shape, its
    words beside it.
    """
    with dot.subgraph(name="cluster_legend") as box:
        box.attr(**cluster_attrs(colours, spacing), id=f"{prefix}-legend")
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
        if entries.kinds or entries.boxes:
            _add_shapes(legend, entries)
        if entries.changes:
            _add_changes(legend, entries, colours)


def _add_shapes(legend: _LegendBuilder, entries: Legend) -> None:
    """A small glyph per shape used, its words beside it (``Add`` beside ``+``)."""
    glyphs: list[str] = []
    words: dict[str, str] = {}
    for kind in entries.kinds:
        glyphs.append(legend.node(SAMPLE_TEXT.get(kind, ""), {**_glyph(kind), **_LANE}))
        words[glyphs[-1]] = legend.node(entries.text(kind), _PLAIN)
    if entries.boxes:
        glyphs.append(legend.node("", {**BOX_SHAPE, **_SMALL, **_LANE}))
        words[glyphs[-1]] = legend.node(BOX_TEXT, _PLAIN)
    if legend.two_lanes:
        legend.follow(glyphs, "s")
        for number, (main, aside) in enumerate(words.items()):
            legend.beside(main, aside, f"w{number}")
    else:
        legend.follow([n for g in glyphs for n in (g, words[g])], "s")


_SMALL = {"width": "0.3", "height": "0.18", "margin": "0.02"}
"""A legend glyph: as small as the shape can be drawn."""


def _glyph(kind: Kind) -> dict[str, str]:
    """The small glyph of ``kind``'s shape (the ``+`` circle as in the figure)."""
    if kind is Kind.ADD:
        return shape_attrs(kind)
    if kind is Kind.DATA:
        return {**shape_attrs(kind), "width": "0.2", "fixedsize": "true"}
    if kind is Kind.ATTENTION:
        return {**shape_attrs(kind), "height": "0.18", "margin": "0.03,0.01"}
    return {**shape_attrs(kind), **_SMALL}


def _add_changes(legend: _LegendBuilder, entries: Legend, colours: Theme) -> None:
    """One box per mark of a diff figure used, drawn as the figure draws it."""
    boxes = []
    for kind in entries.changes:
        looks = changes.node_attrs(Change(kind), Kind.OTHER, colours)
        boxes.append(legend.node(changes.CHANGE_TEXT[kind], {**looks, **_LANE}))
    legend.follow(boxes, "d")
