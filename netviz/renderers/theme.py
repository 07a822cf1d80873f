"""Colour themes and the compact, print-ready graph style shared by DOT renders: fonts,
spacing, node shapes per kind, and the edge weights that keep columns straight."""

from __future__ import annotations

from dataclasses import dataclass

from netviz.errors import UsageError
from netviz.vocabulary import DIRECTIONS
from netviz.ir import Kind

FONT = "Helvetica,Arial,sans-serif"


@dataclass(frozen=True)
class Theme:
    """Colours of one theme.

    Attributes:
        name: ``"light"``, ``"dark"`` or ``"paper"``.
        background: Page colour.
        stroke: Node outlines, edges and arrowheads.
        text: Labels.
        cluster: Cluster outline.
        cluster_text: Cluster titles.
        muted: Edge labels of marks.
        line: Line width (points) of nodes and edges.
        cluster_line: Line width (points) of cluster outlines.
        cluster_style: DOT ``style`` of cluster outlines.
        added: Outline of what a diff figure marks as added (drawn thick too).
        removed: Outline and text of a removed part's ghost (drawn dashed too).
        changed: Outline of a changed part (its label says ``old → new`` too).
    """

    name: str
    background: str
    stroke: str
    text: str
    cluster: str
    cluster_text: str
    muted: str
    line: str = "0.8"
    cluster_line: str = "0.6"
    cluster_style: str = "rounded"
    added: str = "#1a7f37"
    removed: str = "#a0a0a0"
    changed: str = "#9a6700"


THEMES: dict[str, Theme] = {
    "light": Theme("light", "white", "black", "black", "#8c8c8c", "#404040", "#404040"),
    "dark": Theme("dark", "#1e1e1e", "#e0e0e0", "#f0f0f0", "#8c8c8c", "#c8c8c8", "#c8c8c8",
                  added="#56d364", removed="#7d8590", changed="#e3b341"),
    # Print: black on no background, fine lines; clusters differ from nodes by their
    # dashed outline, not by a grey that a printer or a photocopy may lose.
    # A diff's marks are told apart by line weight, dashes and words, never by colour.
    "paper": Theme("paper", "transparent", "black", "black", "black", "black", "black",
                   line="0.5", cluster_line="0.4", cluster_style="rounded,dashed",
                   added="black", removed="#707070", changed="black"),
}

PALETTES = THEMES
"""One palette per theme of [`netviz.vocabulary.THEMES`][netviz.vocabulary.THEMES]."""


@dataclass(frozen=True)
class Spacing:
    """How tightly a figure is laid out.

    Attributes:
        name: ``"regular"`` (the screen figure) or ``"print"`` (a figure fitted to a page).
        nodesep: Inches between neighbours in a rank.
        ranksep: Inches between ranks.
        node_height: Least node height (inches).
        node_margin: DOT ``margin`` of a node's label (inches, ``"x,y"``).
        cluster_margin: Points between a cluster's outline and its nodes.
        pad: Inches around the drawing.
        mark_font: Point size of a mark's label on an edge.
        mark_label: How a mark's label is attached to its edge: ``label`` (laid out with
            the figure, in a rank of its own) or ``xlabel`` (placed once the figure is
            laid out, beside the edge: a tighter figure).
        row_titles: How a cluster's title is drawn in a left-to-right figure: ``node``
            (a text node in the rank of its first node) or ``label`` (the cluster's label,
            above its row: no wider than the row).
    """

    name: str
    nodesep: str
    ranksep: str
    node_height: str
    node_margin: str
    cluster_margin: str
    pad: str
    mark_font: str
    mark_label: str = "label"
    row_titles: str = "node"


REGULAR = Spacing("regular", "0.2", "0.25", "0.3", "0.08,0.03", "6", "0.1", "8")
PRINT = Spacing("print", "0.1", "0.12", "0.22", "0.08,0.02", "4", "0.03", "9", "xlabel",
                "label")
"""A figure fitted to a page: tight, and every text as large as a node's label (the
smallest text sets the figure's scale). The margins beside a label stay: Latin Modern
takes up to 12% more room than the Helvetica Graphviz measured."""


def get_theme(name: str) -> Theme:
    """The theme called ``name`` (``UsageError`` if unknown)."""
    try:
        return THEMES[name]
    except KeyError:
        raise UsageError(f"unknown theme {name!r}; choose one of: {', '.join(THEMES)}") from None


def check_direction(direction: str) -> str:
    """``direction`` if it is ``TB`` or ``LR`` (``UsageError`` otherwise)."""
    if direction not in DIRECTIONS:
        raise UsageError(f"unknown direction {direction!r}; choose one of: {', '.join(DIRECTIONS)}")
    return direction


def graph_attrs(theme: Theme, direction: str, spacing: Spacing = REGULAR) -> dict[str, str]:
    """Graph attributes for a compact figure: small fonts, tight spacing."""
    return {
        "rankdir": direction,
        "bgcolor": theme.background,
        "fontname": FONT,
        "fontsize": "10",
        "fontcolor": theme.cluster_text,
        "nodesep": spacing.nodesep,
        "ranksep": spacing.ranksep,
        "pad": spacing.pad,
        "margin": "0",
        "newrank": "true",
        "labeljust": "l",
    }


def node_attrs(theme: Theme, spacing: Spacing = REGULAR) -> dict[str, str]:
    """Default node attributes: plain box, small label."""
    return {
        "shape": "box",
        "fontname": FONT,
        "fontsize": "9",
        "height": spacing.node_height,
        "width": "0.4",
        "margin": spacing.node_margin,
        "penwidth": theme.line,
        "color": theme.stroke,
        "fontcolor": theme.text,
    }


def edge_attrs(theme: Theme, spacing: Spacing = REGULAR) -> dict[str, str]:
    """Default edge attributes: thin lines, small arrowheads, mark labels one point
    smaller than node labels (as large in print)."""
    return {
        "fontname": FONT,
        "fontsize": spacing.mark_font,
        "fontcolor": theme.muted,
        "arrowsize": "0.6",
        "penwidth": theme.line,
        "color": theme.stroke,
    }


def cluster_attrs(theme: Theme, spacing: Spacing = REGULAR) -> dict[str, str]:
    """Cluster attributes: thin rounded outline (the title is a node, see ``title_attrs``)."""
    return {
        "style": theme.cluster_style,
        "color": theme.cluster,
        "penwidth": theme.cluster_line,
        "margin": spacing.cluster_margin,
    }


def title_attrs(theme: Theme) -> dict[str, str]:
    """A cluster title drawn as a text-only node, as large as node labels, in the muted
    title colour (dot routes edges around nodes, never around cluster labels)."""
    return {
        "shape": "plaintext",
        "fontsize": "9",
        "fontcolor": theme.cluster_text,
        "width": "0",
        "height": "0",
        "margin": "0",
    }


ADD_SIZE = "0.24"
"""Diameter (inches) of the small ``+`` circle."""

SPINE_GROUP = "col0"
"""DOT ``group`` of the spine (input → … → output): one straight column."""

COLUMN_WEIGHT = "10"
"""Edge weight along a column: dot keeps heavier edges short and straight."""

BRANCH_WEIGHT = "2"
"""Edge weight from a column into a branch: the branch starts beside its source."""


def shape_attrs(kind: Kind) -> dict[str, str]:
    """DOT node attributes that draw ``kind`` in the notation."""
    if kind is Kind.CONV:
        return {"shape": "box", "style": "rounded"}
    if kind is Kind.DATA:
        return {"shape": "doublecircle", "margin": "0.02", "width": "0.3"}
    if kind is Kind.ADD:
        return {"shape": "circle", "fixedsize": "true", "width": ADD_SIZE, "fontsize": "11"}
    return {"shape": "box"}


BOX_SHAPE = {"shape": "box3d"}
"""DOT attributes of a module drawn as one box (``--depth``): a box with depth, a stack."""
