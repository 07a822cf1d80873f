"""What a legend must explain: the node shapes and edge marks a graph actually uses.

Renderers turn this neutral description into their own legend box, like the
seed's "These are equivalent": ``A → BatchNorm → ReLU → B`` drawn beside
``A --o B``, then one node per shape (Conv Block, Data, +).
"""

from __future__ import annotations

from dataclasses import dataclass

from netviz.ir import ChangeKind, Graph, Kind
from netviz.renderers.glyphs import GLYPHS, Glyph, glyph_for, mark_text
from netviz.renderers.layout import is_box

LEGEND_TITLE = "Legend"
EQUIVALENT_TITLE = "These are equivalent"

SHAPE_TEXT: dict[Kind, str] = {
    Kind.CONV: "Conv Block",
    Kind.DATA: "Data",
    Kind.ADD: "Add",
    Kind.ATTENTION: "Attention: h heads, width D",
}
"""Legend text of each node kind the legend explains, in legend order (written beside a
small glyph of the kind's shape)."""

SAMPLE_TEXT: dict[Kind, str] = {Kind.ADD: "+", Kind.ATTENTION: "MHA"}
"""What the small glyph of a kind shows inside it (the others are empty)."""

TOKEN_DATA_TEXT = "Data: width C (channels) or D (tokens)"
"""The data entry's text when a figure has token tensors (``768D``) too."""

BOX_TEXT = "Module drawn as one box (depth)"
"""The legend text of a module drawn as one box (``--depth``)."""


@dataclass(frozen=True)
class MarkEntry:
    """One edge mark to explain.

    Attributes:
        glyph: How the mark is drawn.
        ops: The fused ops in order (``("BatchNorm", "ReLU")``: the mark's readable
            names where the labelling transform set them, else its type names).
        text: The edge label drawn beside labelled glyphs.
    """

    glyph: Glyph
    ops: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class Legend:
    """Mark entries (glyph order, then first use), node kinds with their own shape, and
    whether modules are drawn as boxes, and the marks of a diff figure (added, removed,
    changed) it uses."""

    marks: tuple[MarkEntry, ...]
    kinds: tuple[Kind, ...]
    tokens: bool = False
    boxes: bool = False
    changes: tuple[ChangeKind, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.marks or self.kinds or self.boxes or self.changes)

    def text(self, kind: Kind) -> str:
        """The legend text of ``kind`` in this figure."""
        if kind is Kind.DATA and self.tokens:
            return TOKEN_DATA_TEXT
        return SHAPE_TEXT[kind]


def legend_of(graph: Graph) -> Legend:
    """The legend entries for the marks and node kinds ``graph`` uses."""
    seen: dict[tuple[str, tuple[str, ...], str], MarkEntry] = {}
    for edge in graph.edges:
        glyph = glyph_for(edge.mark)
        if glyph is None or edge.mark is None:
            continue
        ops = edge.mark.names or edge.mark.type_names
        entry = MarkEntry(glyph, tuple(ops), mark_text(edge.mark))
        seen.setdefault((glyph.name, entry.ops, entry.text), entry)
    order = list(GLYPHS)
    marks = sorted(seen.values(), key=lambda entry: order.index(entry.glyph.name))
    used = {node.kind for node in graph.nodes}
    kinds = tuple(kind for kind in SHAPE_TEXT if kind in used)
    tokens = any(n.kind is Kind.DATA and n.label.split(" ")[0].endswith("D") for n in graph.nodes)
    boxes = any(is_box(n) for n in graph.nodes)
    changes = [*(n.change for n in graph.nodes), *(e.change for e in graph.edges),
               *(c.change for c in graph.clusters)]
    marked = {change.kind for change in changes if change is not None}
    return Legend(tuple(marks), kinds, tokens, boxes, tuple(k for k in ChangeKind if k in marked))
