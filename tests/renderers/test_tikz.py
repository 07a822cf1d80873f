"""TikZ from Graphviz's layout: the same drawing as the SVG, in pgf commands."""

from __future__ import annotations

import re
import warnings
from typing import Any

import pytest

from netviz.errors import LabelSizeWarning, NetvizError
from netviz.ir import Graph
from netviz.latex import escape_latex
from netviz.renderers import render_binary, render_dot, render_tikz
from netviz.renderers.binary import layout_json
from netviz.renderers.size import Width, parse_width
from netviz.renderers.tikz import DOCUMENT
from tests.renderers import tikz_read
from tests.renderers.nasty import nasty_graph

LAYOUT: dict[str, Any] = {
    "bb": "0,0,100,50",
    "pad": "0.1",
    "_draw_": [
        {"op": "c", "grad": "none", "color": "#fffffe00"},
        {"op": "C", "grad": "none", "color": "#ffffff"},
        {"op": "P", "points": [[-7.2, -7.2], [-7.2, 57.2], [107.2, 57.2], [107.2, -7.2]]},
    ],
    "objects": [
        {"_draw_": [
            {"op": "S", "style": "setlinewidth(0.6)"},
            {"op": "S", "style": "dashed"},
            {"op": "c", "grad": "none", "color": "#8c8c8c"},
            {"op": "p", "points": [[0, 0], [10, 0], [10, 5]]},
        ], "_ldraw_": [
            {"op": "F", "size": 9.0, "face": "Helvetica"},
            {"op": "c", "grad": "none", "color": "#000000"},
            {"op": "T", "pt": [5, 2.5], "align": "c", "width": 9.0, "text": "a_b & 50%"},
            {"op": "T", "pt": [0, 1], "align": "l", "width": 9.0, "text": "BN → ReLU"},
            {"op": "T", "pt": [9, 1], "align": "r", "width": 9.0, "text": "x"},
        ]},
    ],
    "edges": [
        {"_draw_": [{"op": "c", "grad": "none", "color": "#000000"},
                    {"op": "b", "points": [[0, 0], [1, 1], [2, 2], [3, 3]]}],
         "_hdraw_": [{"op": "S", "style": "solid"}, {"op": "C", "grad": "none", "color": "#000000"},
                     {"op": "E", "rect": [3, 3, 1.5, 1.5]},
                     {"op": "e", "rect": [4, 4, 2, 1]},
                     {"op": "L", "points": [[1, 2], [3, 4]]}]},
    ],
}


def test_each_xdot_operation_is_one_tikz_command() -> None:
    lines = render_tikz(LAYOUT).splitlines()
    assert lines[1].startswith("\\begin{tikzpicture}[x=1bp, y=1bp")
    body = [line for line in lines if line.startswith(("\\path", "\\node"))]
    assert body == [
        "\\path[use as bounding box] (-7.2,-7.2) rectangle (107.2,57.2);",
        # the background: a transparent pen draws nothing, the fill stays
        "\\path[fill=nv0] (-7.2,-7.2) -- (-7.2,57.2) -- (107.2,57.2) -- (107.2,-7.2) -- cycle;",
        "\\path[draw=nv1, line width=0.6bp, dash pattern=on 5bp off 2bp] (0,0) -- (10,0) -- (10,5) -- cycle;",
        "\\node[text node, anchor=base, text=nv2, font=\\fontsize{9bp}{10.8bp}\\selectfont] "
        "at (5,2.5) {a\\_b \\& 50\\%};",
        "\\node[text node, anchor=base west, text=nv2, font=\\fontsize{9bp}{10.8bp}\\selectfont] "
        "at (0,1) {BN $\\rightarrow$ ReLU};",
        "\\node[text node, anchor=base east, text=nv2, font=\\fontsize{9bp}{10.8bp}\\selectfont] "
        "at (9,1) {x};",
        "\\path[draw=nv2, line width=1bp] (0,0) .. controls (1,1) and (2,2) .. (3,3);",
        "\\path[draw=nv2, fill=nv2, line width=1bp] (3,3) ellipse [x radius=1.5, y radius=1.5];",
        "\\path[draw=nv2, line width=1bp] (4,4) ellipse [x radius=2, y radius=1];",
        "\\path[draw=nv2, line width=1bp] (1,2) -- (3,4);",
    ]
    assert lines[-1] == "\\end{tikzpicture}"
    colours = [line for line in lines if line.startswith("\\definecolor")]
    assert colours == ["\\definecolor{nv0}{HTML}{FFFFFF}", "\\definecolor{nv1}{HTML}{8C8C8C}",
                       "\\definecolor{nv2}{HTML}{000000}"]


def test_a_width_scales_everything_drawn() -> None:
    # natural width: 100 + 2 * 7.2 padding = 114.4 points; at 228.8 points: twice that
    tikz = render_tikz(LAYOUT, width=Width("228.8pt", 228.8))
    assert "(-14.4,-14.4) rectangle (214.4,114.4)" in tikz
    assert "\\fontsize{18bp}{21.6bp}" in tikz
    assert "line width=1.2bp, dash pattern=on 10bp off 4bp] (0,0) -- (20,0) -- (20,10)" in tikz
    assert "(6,6) ellipse [x radius=3, y radius=3]" in tikz


def test_the_document_is_one_page_of_the_figures_size() -> None:
    doc = render_tikz(LAYOUT, standalone=True, title="tiny_net")
    assert doc.startswith("\\documentclass{article}\n")
    assert "paperwidth=114.4bp, paperheight=64.4bp, margin=0pt" in doc
    assert "% tiny_net: drawn by netviz from Graphviz's layout" in doc
    assert doc.endswith("\\end{tikzpicture}\n\\end{document}\n")
    packages = re.findall(r"\\usepackage(?:\[[^\]]*\])?\{(\w+)\}", doc)
    # Everything here is in texlive-latex-base/-recommended, lmodern and pgf (TikZ)
    assert packages == ["fontenc", "inputenc", "lmodern", "tikz", "geometry"]
    assert "standalone" not in doc and "preview" not in doc


def test_the_picture_alone_says_what_it_needs() -> None:
    tikz = render_tikz(LAYOUT, title="tiny_net")
    assert tikz.splitlines()[:2] == [
        "% tiny_net: drawn by netviz from Graphviz's layout",
        "% Needs \\usepackage{tikz} (and T1 fonts for accented names).",
    ]
    assert "\\documentclass" not in tikz and "\\begin{document}" not in tikz


def test_too_large_for_tex_is_a_clear_error() -> None:
    tall = {**LAYOUT, "bb": "0,0,100,20000"}
    with pytest.raises(NetvizError, match=r"too large for TeX .* fold it, use --direction LR"):
        render_tikz(tall)


def test_deterministic() -> None:
    assert render_tikz(LAYOUT, standalone=True) == render_tikz(LAYOUT, standalone=True)
    assert DOCUMENT.count("%(") == 4


def _same_drawing(dot: str) -> None:
    """The TikZ of ``dot`` draws what its SVG draws, where the SVG draws it."""
    svg = render_binary(dot, "svg")
    tikz = render_tikz(layout_json(dot))
    expected = [tikz_read.Placed(escape_latex(t.text), t.x, t.y, t.anchor)
                for t in tikz_read.svg_texts(svg)]
    assert tikz_read.tikz_texts(tikz) == sorted(expected)
    assert tikz_read.tikz_points(tikz) == tikz_read.svg_points(svg)
    assert tikz_read.tikz_radii(tikz) == tikz_read.svg_radii(svg)


@pytest.mark.needs_dot
@pytest.mark.parametrize("direction", ["TB", "LR"])
@pytest.mark.parametrize("theme", ["light", "dark", "paper"])
def test_positions_equal_the_svgs(wrn: Graph, direction: str, theme: str) -> None:
    _same_drawing(render_dot(wrn, direction=direction, theme=theme, legend=True))


@pytest.mark.needs_dot
def test_every_glyph_and_nasty_label_is_where_the_svg_has_it(all_marks: Graph) -> None:
    _same_drawing(render_dot(all_marks, legend=True))
    _same_drawing(render_dot(nasty_graph()))


@pytest.mark.needs_dot
def test_a_width_sets_the_size_of_every_sized_format(wrn: Graph) -> None:
    dot = render_dot(wrn)
    width = parse_width("8.5cm")  # 240.94 points
    svg = render_binary(dot, "svg", width=width).decode()
    assert re.search(r'<svg width="241pt"', svg)
    pdf = render_binary(dot, "pdf", width=width)
    assert re.search(rb"/MediaBox \[\s*0 0 241 ", pdf)
    png = render_binary(dot, "png", width=width, dpi=144)
    assert int.from_bytes(png[16:20], "big") in (481, 482)  # 3.346 in * 144 dpi
    tex = render_tikz(layout_json(dot), standalone=True, width=width)
    assert "paperwidth=240.94bp" in tex


@pytest.mark.needs_dot
def test_labels_under_six_points_warn_once(wrn: Graph) -> None:
    layout = layout_json(render_dot(wrn))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tikz = render_tikz(layout, width=parse_width("3cm"))
    assert [type(w.message) for w in caught] == [LabelSizeWarning]
    message = str(caught[0].message)
    assert re.fullmatch(r"at width 3cm the smallest labels are \d\.\d pt, under 6 pt in print; "
                        r"give a larger --width \(at least (\d+(\.\d)?)cm\)", message)
    smallest = float(message.split(" pt,")[0].rsplit(" ", 1)[1])
    assert min(tikz_read.tikz_font_sizes(tikz)) == pytest.approx(smallest, abs=0.05)
    least = message.rsplit("at least ", 1)[1].removesuffix("cm)")
    enough = render_tikz(layout, width=parse_width(f"{least}cm"))
    assert min(tikz_read.tikz_font_sizes(enough)) >= 6  # the advice is enough
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        render_tikz(layout, width=parse_width("15cm"))
    assert caught == []


def test_colour_names_xcolor_lacks_are_drawn_black() -> None:
    def drawn(colour: str) -> str:
        layout = {"bb": "0,0,10,10", "objects": [{"_draw_": [
            {"op": "c", "grad": "none", "color": colour},
            {"op": "L", "points": [[0, 0], [1, 1]]},
        ]}]}
        (line,) = [line for line in render_tikz(layout).splitlines() if "-- (1,1)" in line]
        return line.split("draw=")[1].split(",")[0]

    assert drawn("red") == "red"
    assert drawn("lightgoldenrodyellow") == "black"
    assert drawn("#123456") == "nv0"
    assert "\\definecolor{nv0}{HTML}{123456}" in render_tikz(
        {"bb": "0,0,1,1", "_draw_": [{"op": "c", "grad": "none", "color": "#123456"},
                                     {"op": "L", "points": [[0, 0], [1, 1]]}]})
