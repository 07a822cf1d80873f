"""One table from edge marks (fused norm/act ops) to the glyph each renderer draws.

The seed's ``---o`` circle means exactly "BatchNorm then ReLU". Every other mark
gets a distinct glyph *and* an edge label naming its ops, so a figure never
claims an op that is not there.
"""

from __future__ import annotations

from dataclasses import dataclass

from netviz.ir import Kind, Mark
from netviz.ops import has_trait, trait_name


@dataclass(frozen=True)
class Glyph:
    """How an edge mark is drawn.

    Attributes:
        name: Stable key: ``bn-relu``, ``norm-act``, ``norm``, ``act`` or ``chain``.
        arrowhead: DOT ``arrowhead`` at the end of the edge.
        mermaid: Mermaid link: ``--o`` (circle end) or ``-->``.
        labelled: Whether the edge also shows the mark's label.
        meaning: What the glyph stands for, for the legend.
    """

    name: str
    arrowhead: str
    mermaid: str
    labelled: bool
    meaning: str


BN_RELU = Glyph("bn-relu", "odot", "--o", False,
                f"{trait_name('batch_norm')} then {trait_name('relu')}")
GLYPHS: dict[str, Glyph] = {
    glyph.name: glyph
    for glyph in (
        BN_RELU,
        Glyph("norm-act", "dot", "--o", True, "other norm then activation (labelled)"),
        Glyph("norm", "obox", "-->", True, "normalization alone (labelled)"),
        Glyph("act", "odiamond", "-->", True, "activation alone (labelled)"),
        Glyph("chain", "normal", "-->", True, "other fused ops (labelled)"),
    )
}
"""Every glyph, in legend order."""


def glyph_name(mark: Mark) -> str:
    """The key of the glyph for ``mark``: what its kinds and op names are."""
    kinds = tuple(mark.kinds)
    if kinds == (Kind.NORM, Kind.ACT):
        names = tuple(mark.type_names)
        if (len(names) == 2 and has_trait(names[0], "batch_norm")
                and has_trait(names[1], "relu")):
            return "bn-relu"
        return "norm-act"
    if kinds == (Kind.NORM,):
        return "norm"
    if kinds == (Kind.ACT,):
        return "act"
    return "chain"


def glyph_for(mark: Mark | None) -> Glyph | None:
    """The glyph for ``mark``; ``None`` for a plain edge."""
    if mark is None:
        return None
    return GLYPHS[glyph_name(mark)]


def mark_text(mark: Mark) -> str:
    """The mark's label, or its op names joined with arrows when unlabelled."""
    return mark.label or " → ".join(mark.type_names)
