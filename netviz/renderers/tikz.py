"""The figure as TikZ: Graphviz's own drawing of the DOT figure, replayed as pgf paths.

``dot -Tjson`` lays the figure out as for the SVG and lists every shape, spline,
arrowhead and text it draws (xdot operations). Each becomes one TikZ command at the
same coordinates (points, ``y`` up), so the figure looks like the SVG: rounded conv
boxes, double circles, ``+`` circles, clusters with their titles, the mark glyphs at
edge ends, the legend. Texts are nodes in the document's own font, at Graphviz's
sizes, anchored where Graphviz anchors them (baseline, centre or side). Colours
become ``\\definecolor`` lines; nothing outside pgf/TikZ is needed.

[`render_tikz`][netviz.renderers.tikz.render_tikz] writes the ``tikzpicture`` alone
(``fig.tikz``, to ``\\input`` after ``\\usepackage{tikz}``) or a whole document
(``fig.tex``) whose page is the figure, made of packages every TeX distribution has.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from netviz.errors import NetvizError
from netviz.latex import escape_latex
from netviz.renderers.size import Width, natural_box, scale_to
from netviz.text import one_line

TEX_LIMIT = 16000.0
"""The largest coordinate (points) written: TeX's dimensions end at 16383.99 pt."""

_DRAWS = ("_draw_", "_ldraw_", "_hdraw_", "_tdraw_", "_hldraw_", "_tldraw_")
"""xdot operation lists of an object, in the order Graphviz draws them."""
_ANCHORS = {"l": "base west", "c": "base", "r": "base east"}
_DASHES = {"dashed": (5.0, 2.0), "dotted": (1.0, 5.0)}
"""Dash and gap lengths (points) of Graphviz's dashed and dotted lines (as in its SVG)."""
_XCOLOR_NAMES = frozenset(
    "black white gray darkgray lightgray red green blue cyan magenta yellow brown lime olive "
    "orange pink purple teal violet".split()
)
"""Colour names every xcolor knows (Graphviz writes most colours as ``#rrggbb``)."""
_HEX = re.compile(r"#([0-9a-fA-F]{6})([0-9a-fA-F]{2})?")

DOCUMENT = r"""\documentclass{article}
\usepackage[T1]{fontenc}
\usepackage[utf8]{inputenc}
\usepackage{lmodern}
\usepackage{tikz}
\usepackage[paperwidth=%(width)sbp, paperheight=%(height)sbp, margin=0pt]{geometry}
\pagestyle{empty}
\setlength{\parindent}{0pt}
\setlength{\topskip}{0pt}
\begin{document}
%% %(title)s
%(picture)s\end{document}
"""


@dataclass
class _Pen:
    """The drawing state xdot operations set: colours, line width, dashes, font size."""

    stroke: str = "black"
    fill: str = "black"
    width: float = 1.0
    dash: str = ""
    font: float = 14.0


@dataclass
class _Picture:
    """TikZ commands and the colours they name, at one scale."""

    scale: float
    colours: dict[str, str] = field(default_factory=dict)

    def num(self, value: float) -> str:
        return _num(value * self.scale)

    def point(self, p: list[float]) -> str:
        x, y = p[0] * self.scale, p[1] * self.scale
        if max(abs(x), abs(y)) > TEX_LIMIT:
            raise NetvizError(
                f"the figure is too large for TeX ({max(abs(x), abs(y)):.0f} pt; TeX ends at "
                f"16383 pt): fold it, use --direction LR, or give a smaller --width"
            )
        return f"({_num(x)},{_num(y)})"

    def colour(self, value: str) -> str | None:
        """A named colour for an xdot colour (``None`` for a transparent one)."""
        match = _HEX.fullmatch(value)
        if match is None:  # a colour name: xcolor's own, else drawn black
            if value in ("none", "transparent"):
                return None
            return value if value in _XCOLOR_NAMES else "black"
        if match.group(2) == "00":
            return None
        rgb = match.group(1).upper()
        if rgb not in self.colours:
            self.colours[rgb] = f"nv{len(self.colours)}"
        return self.colours[rgb]


def render_tikz(
    layout: dict[str, Any], *, standalone: bool = False, width: Width | None = None,
    title: str = "", warn: bool = True,
) -> str:
    """Draw a Graphviz layout (``dot -Tjson`` of a DOT figure) as TikZ.

    Args:
        layout: The parsed ``dot -Tjson`` output
            ([`layout_json`][netviz.renderers.binary.layout_json]).
        standalone: A whole LaTeX document whose one page is the figure (``.tex``);
            else the ``tikzpicture`` alone (``.tikz``).
        width: Scale the figure to this width (texts, lines and arrowheads too).
        title: One comment line naming the figure.
        warn: Warn when ``width`` makes labels too small to read.

    Returns:
        LaTeX text; the same layout always gives the same text.

    Raises:
        NetvizError: the figure is taller or wider than TeX can measure.
    """
    picture = _Picture(scale_to(layout, width, warn=warn))
    x0, y0, x1, y1 = natural_box(layout)
    body = [f"\\path[use as bounding box] {picture.point([x0, y0])} rectangle "
            f"{picture.point([x1, y1])};"]
    for obj in _drawn_objects(layout):
        pen = _Pen()
        for key in _DRAWS:
            body += _commands(picture, pen, obj.get(key, []))
    colours = [f"\\definecolor{{{name}}}{{HTML}}{{{rgb}}}" for rgb, name in picture.colours.items()]
    comment = f"% {one_line(title)}: drawn by netviz from Graphviz's layout" if title else ""
    lines = [
        *([comment] if comment and not standalone else []),
        *([] if standalone else ["% Needs \\usepackage{tikz} (and T1 fonts for accented names)."]),
        "\\begin{tikzpicture}[x=1bp, y=1bp, text node/.style={inner sep=0pt, outer sep=0pt}]",
        *colours,
        *body,
        "\\end{tikzpicture}",
    ]
    picture_text = "\n".join(lines) + "\n"
    if not standalone:
        return picture_text
    return DOCUMENT % {
        "width": picture.num(x1 - x0),
        "height": picture.num(y1 - y0),
        "title": one_line(title or "figure") + ": drawn by netviz from Graphviz's layout",
        "picture": picture_text,
    }


def _drawn_objects(layout: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The graph (its background first, its label last), clusters and nodes, edges.

    A transparent background is not drawn (Graphviz's JSON fills it white all the same).
    """
    if layout.get("bgcolor") not in ("transparent", "none"):
        yield {"_draw_": layout.get("_draw_", [])}
    yield from layout.get("objects", [])
    yield from layout.get("edges", [])
    yield {"_ldraw_": layout.get("_ldraw_", [])}


def _commands(picture: _Picture, pen: _Pen, ops: list[dict[str, Any]]) -> Iterator[str]:
    """TikZ commands for one list of xdot operations."""
    for op in ops:
        kind = op["op"]
        if kind == "c":
            pen.stroke = op["color"]
        elif kind == "C":
            pen.fill = op["color"]
        elif kind == "S":
            _style(pen, op["style"])
        elif kind == "F":
            pen.font = float(op["size"])
        elif kind == "T":
            yield _text(picture, pen, op)
        elif kind in "pPLbBeE":
            shape = _path(picture, kind, op)
            options = _options(picture, pen, filled=kind in "PBE")
            if options is not None:
                yield f"\\path[{options}] {shape};"


def _style(pen: _Pen, style: str) -> None:
    width = re.fullmatch(r"setlinewidth\(([\d.]+)\)", style)
    if width:
        pen.width = float(width.group(1))
    elif style in ("dashed", "dotted"):
        pen.dash = style
    elif style == "solid":
        pen.dash = ""


def _options(picture: _Picture, pen: _Pen, filled: bool) -> str | None:
    """``draw=..., fill=..., line width=...`` for the pen (``None``: nothing visible)."""
    stroke = picture.colour(pen.stroke)
    fill = picture.colour(pen.fill) if filled else None
    if stroke is None and fill is None:
        return None
    options = [f"draw={stroke}"] if stroke else []
    options += [f"fill={fill}"] if fill else []
    if stroke:
        options.append(f"line width={picture.num(pen.width)}bp")
        if pen.dash:
            on, off = _DASHES[pen.dash]
            options.append(f"dash pattern=on {picture.num(on)}bp off {picture.num(off)}bp")
    return ", ".join(options)


def _path(picture: _Picture, kind: str, op: dict[str, Any]) -> str:
    if kind in "eE":
        cx, cy, rx, ry = op["rect"]
        return (f"{picture.point([cx, cy])} ellipse [x radius={picture.num(rx)}, "
                f"y radius={picture.num(ry)}]")
    points = [picture.point(p) for p in op["points"]]
    if kind in "bB":  # a cubic B-spline: start, then (control, control, end) triples
        parts = [points[0]]
        for i in range(1, len(points) - 2, 3):
            parts.append(f".. controls {points[i]} and {points[i + 1]} .. {points[i + 2]}")
        return " ".join(parts) + (" -- cycle" if kind == "B" else "")
    return " -- ".join(points) + (" -- cycle" if kind in "pP" else "")


def _text(picture: _Picture, pen: _Pen, op: dict[str, Any]) -> str:
    size = pen.font * picture.scale
    colour = picture.colour(pen.stroke) or "black"
    return (
        f"\\node[text node, anchor={_ANCHORS.get(op['align'], 'base')}, text={colour}, "
        f"font=\\fontsize{{{_num(size)}bp}}{{{_num(size * 1.2)}bp}}\\selectfont] "
        f"at {picture.point(op['pt'])} {{{escape_latex(op['text'])}}};"
    )


def _num(value: float) -> str:
    """A coordinate: two decimals at most, no trailing zeros, never ``-0``."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
