"""How a diff figure draws its marks ([`Change`][netviz.ir.Change]), in every theme.

- **added**: a thick outline (twice or more the theme's line), in the theme's ``added``
  colour; a block's title ends in ``(added)``;
- **removed**: a ghost, dashed (a block dotted where the theme dashes every block), in
  the faint ``removed`` colour, its text too; a block's title ends in ``(removed)``;
- **changed**: the label or title says ``old → new``, outlined in the ``changed`` colour;
  an edge whose fused ops changed says what they were (``was BN → ReLU``).

Every mark has a cue besides its colour (weight, dashes, words), so the ``paper`` theme,
black on white, keeps them all.
"""

from __future__ import annotations

from netviz.ir import Change, ChangeKind, Edge, Kind
from netviz.renderers.theme import Theme, shape_attrs

CHANGE_TEXT: dict[ChangeKind, str] = {
    ChangeKind.ADDED: "Added (only in B)",
    ChangeKind.REMOVED: "Removed (only in A)",
    ChangeKind.CHANGED: "Changed: A → B",
}
"""Legend text of each mark, in legend order."""

_THICK = 2.5
"""An added part's line, in multiples of the theme's."""


def thick(width: str) -> str:
    """A line ``_THICK`` times as wide as ``width`` (points), at least 1.5 points."""
    return f"{max(float(width) * _THICK, 1.5):g}"


def colour_of(change: Change, theme: Theme) -> str:
    """The theme's colour for ``change``."""
    return {ChangeKind.ADDED: theme.added, ChangeKind.REMOVED: theme.removed,
            ChangeKind.CHANGED: theme.changed}[change.kind]


def node_attrs(change: Change | None, kind: Kind, theme: Theme) -> dict[str, str]:
    """DOT attributes of a node with ``change`` (none for an unchanged node)."""
    if change is None:
        return {}
    colour = colour_of(change, theme)
    if change.kind is ChangeKind.ADDED:
        return {"color": colour, "penwidth": thick(theme.line)}
    if change.kind is ChangeKind.REMOVED:
        style = ",".join(filter(None, (shape_attrs(kind).get("style"), "dashed")))
        return {"color": colour, "fontcolor": colour, "style": style}
    return {"color": colour}


def edge_attrs(change: Change | None, theme: Theme) -> dict[str, str]:
    """DOT attributes of an edge with ``change``."""
    if change is None:
        return {}
    colour = colour_of(change, theme)
    if change.kind is ChangeKind.ADDED:
        return {"color": colour, "penwidth": thick(theme.line)}
    if change.kind is ChangeKind.REMOVED:
        return {"color": colour, "fontcolor": colour, "style": "dashed"}
    return {"color": colour}


def edge_note(edge: Edge) -> str:
    """What an edge whose fused ops changed says of A's: ``was BN → ReLU``; else empty."""
    change = edge.change
    if change is None or change.kind is not ChangeKind.CHANGED:
        return ""
    return f"was {change.before}" if change.before else "was a plain edge"


def cluster_attrs(change: Change | None, theme: Theme) -> dict[str, str]:
    """DOT attributes of a block cluster with ``change``."""
    if change is None:
        return {}
    colour = colour_of(change, theme)
    if change.kind is ChangeKind.ADDED:
        return {"color": colour, "penwidth": thick(theme.cluster_line)}
    if change.kind is ChangeKind.REMOVED:
        dashes = "dotted" if "dashed" in theme.cluster_style else "dashed"
        return {"color": colour, "style": f"rounded,{dashes}"}
    return {"color": colour}


def title_attrs(change: Change | None, theme: Theme) -> dict[str, str]:
    """DOT attributes of a block's title with ``change``: a removed block's is faint."""
    if change is None or change.kind is not ChangeKind.REMOVED:
        return {}
    return {"fontcolor": theme.removed}
