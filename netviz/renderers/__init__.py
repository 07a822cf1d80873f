"""Renderers: the notation graph as DOT, Mermaid, pseudocode, SVG/PNG/PDF via ``dot``, or
TikZ from ``dot``'s layout ([`draw_figure`][netviz.renderers.figure.draw_figure] picks one).

Renderers never look at torch; they draw a [`Graph`][netviz.ir.Graph] whose labels,
marks and clusters the transforms have already set.
"""

from netviz.renderers.binary import render_binary
from netviz.renderers.dot import render_dot
from netviz.renderers.mermaid import render_mermaid
from netviz.renderers.pseudocode import render_pseudocode
from netviz.renderers.tikz import render_tikz

__all__ = ["render_binary", "render_dot", "render_mermaid", "render_pseudocode", "render_tikz"]
