"""Renderers: the notation graph as DOT, Mermaid, pseudocode, SVG/PNG/PDF via ``dot``, or
TikZ from ``dot``'s layout ([`draw_figure`][netviz.renderers.figure.draw_figure] picks one).

Renderers never look at torch; they draw a [`Graph`][netviz.ir.Graph] whose labels,
marks and clusters the transforms have already set. The five renderers below are
imported when first used, so drawing one format loads only its own modules.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from netviz.renderers.binary import render_binary
    from netviz.renderers.dot import render_dot
    from netviz.renderers.mermaid import render_mermaid
    from netviz.renderers.pseudocode import render_pseudocode
    from netviz.renderers.tikz import render_tikz

_RENDERERS = {
    "render_binary": "netviz.renderers.binary",
    "render_dot": "netviz.renderers.dot",
    "render_mermaid": "netviz.renderers.mermaid",
    "render_pseudocode": "netviz.renderers.pseudocode",
    "render_tikz": "netviz.renderers.tikz",
}

__all__ = ["render_binary", "render_dot", "render_mermaid", "render_pseudocode", "render_tikz"]


def __getattr__(name: str) -> Any:
    if name in _RENDERERS:
        value = getattr(import_module(_RENDERERS[name]), name)
        globals()[name] = value  # later lookups (and monkeypatching) see a plain attribute
        return value
    raise AttributeError(f"module 'netviz.renderers' has no attribute {name!r}")
