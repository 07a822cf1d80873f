"""``netviz render MODEL -o fig.tex && pdflatex fig.tex``: one page, the figure of the SVG.

Each figure is compiled with pdflatex as a user would, then read back with poppler:
one page of the figure's size, every text the SVG shows typeset where Graphviz put
it (pdftotext's word boxes), and every label of the notation graph in the PDF.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from netviz import api
from netviz.cli import main
from netviz.ir import Graph
from netviz.latex import escape_latex
from netviz.renderers import render_binary
from netviz.renderers.binary import layout_json
from netviz.renderers.glyphs import glyph_for, mark_text
from netviz.renderers.layout import node_text
from netviz.renderers.size import natural_box
from tests.renderers import tikz_read
from tests.zoo import MODELS_FILE

ROOT = Path(__file__).parents[2]
ALL_MARKS = f"{ROOT / 'docs' / 'examples' / 'all_marks.py'}:AllMarks"

FIGURES: dict[str, list[str]] = {
    "wrn28_2": ["wrn28_2"],
    "resnet50": ["resnet50"],
    "legend": [ALL_MARKS, "--input-shape", "3,32,32", "--legend"],
    "lr": ["wrn28_2", "--direction", "LR", "--legend"],
    "nasty-names": [f"{MODELS_FILE}:NastyNames", "--input-shape", "3,8,8"],
    "nasty-class": [f"{MODELS_FILE}:NastyClassName", "--input-shape", "3,8,8"],
    "paper": ["resnet18", "--theme", "paper", "--annotate", "params,macs", "--width", "17cm"],
}
"""The reference models' figures: the seed's, a bottleneck net, every glyph in a legend,
a left-to-right figure, names with every LaTeX special character, a print figure."""

TOLERANCE = 1.5
"""Points between where Graphviz anchors a text and where pdflatex's words put it."""


def _render(argv: list[str], out: Path) -> None:
    assert main(["render", *argv[:1], "-o", str(out), *argv[1:]]) == 0


@pytest.mark.needs_dot
@pytest.mark.needs_tikz
@pytest.mark.parametrize("name", sorted(FIGURES))
def test_the_figure_compiles_to_one_page_that_is_the_svg(name: str, tmp_path: Path) -> None:
    argv = FIGURES[name]
    tex, dot = tmp_path / "fig.tex", tmp_path / "fig.dot"
    _render(argv, tex)
    _render([a for a in argv if a not in ("--width", "17cm")] if "--width" in argv else argv, dot)
    pdf = tikz_read.pdflatex(tex)
    info = tikz_read.pdf_info(pdf)
    assert info["Pages"] == "1"

    layout = layout_json(dot.read_text())
    x0, y0, x1, y1 = natural_box(layout)
    scale = 17 / 2.54 * 72 / (x1 - x0) if "--width" in argv else 1.0
    width, height = (float(v) for v in info["Page size"].split(" pts")[0].split(" x "))
    assert width == pytest.approx((x1 - x0) * scale, abs=0.2)
    assert height == pytest.approx((y1 - y0) * scale, abs=0.2)

    words = [tikz_read.Word(w.text, w.x0 / scale, w.y0 / scale, w.x1 / scale, w.y1 / scale)
             for w in tikz_read.pdf_words(pdf, (x0 * scale, y0 * scale), height)]
    svg = render_binary(dot.read_text(), "svg")
    measured = _graphviz_widths(layout)
    checked = 0
    for text in tikz_read.svg_texts(svg):
        if "U+" in escape_latex(text.text) or not text.text.strip():
            continue  # shown as its code point; nothing to find
        ends = tikz_read.typeset_where(text.text, text.x, text.y, words)
        assert ends is not None, f"{text.text!r} is not typeset at height {text.y}"
        at = {"base": sum(ends) / 2, "base west": ends[0], "base east": ends[1]}[text.anchor]
        assert at == pytest.approx(text.x, abs=TOLERANCE), text
        # In Latin Modern a text takes at most 12% more room than Graphviz measured in
        # Helvetica (a lone symbol, + or ≡, 20%): the 0.08 in margins of a box hold that.
        width = measured[(text.text, round(text.x), round(text.y))]
        assert ends[1] - ends[0] <= width * (1.12 if len(text.text) > 1 else 1.2) + 0.5, text
        checked += 1
    assert checked >= 3

    graph = _graph(argv)
    in_pdf = {w.text for w in words}
    assert _label_words(graph) <= in_pdf


def _graphviz_widths(layout: dict[str, Any]) -> dict[tuple[str, int, int], float]:
    """The width Graphviz measured for each text it draws, by text and rounded point."""
    widths = {}
    for obj in [layout, *layout.get("objects", []), *layout.get("edges", [])]:
        for key in ("_ldraw_", "_hldraw_", "_tldraw_"):
            for op in obj.get(key, []):
                if op["op"] == "T":
                    point = (op["text"], round(op["pt"][0]), round(op["pt"][1]))
                    widths[point] = float(op["width"])
    return widths


def _graph(argv: list[str]) -> Graph:
    shapes = [tuple(int(d) for d in argv[i + 1].split(",")) for i, a in enumerate(argv)
              if a == "--input-shape"]
    return api.diagram(argv[0], shapes or None).graph


def _label_words(graph: Graph) -> set[str]:
    """Every word of the graph's node labels, cluster titles and drawn mark labels
    (but names shown as code points)."""
    texts = [node_text(n) for n in graph.nodes] + [c.title for c in graph.clusters]
    texts += [mark_text(e.mark) for e in graph.edges
              if e.mark is not None and (glyph := glyph_for(e.mark)) and glyph.labelled]
    return {word for text in texts for word in text.split() if "U+" not in escape_latex(word)}


@pytest.mark.needs_dot
def test_same_command_same_bytes(tmp_path: Path) -> None:
    for out in ("a.tex", "b.tex", "a.tikz", "b.tikz"):
        _render(["wrn28_2", "--legend", "--annotate", "params"], tmp_path / out)
    assert (tmp_path / "a.tex").read_bytes() == (tmp_path / "b.tex").read_bytes()
    assert (tmp_path / "a.tikz").read_bytes() == (tmp_path / "b.tikz").read_bytes()
    # the document holds the very picture the .tikz file is
    picture = (tmp_path / "a.tikz").read_text().split("\\begin{tikzpicture}", 1)[1]
    assert picture in (tmp_path / "a.tex").read_text()


@pytest.mark.needs_dot
@pytest.mark.needs_tikz
def test_the_picture_inputs_into_a_paper(tmp_path: Path) -> None:
    """``fig.tikz`` is what a paper ``\\input``s: in an ordinary two-column article, at
    its ``\\columnwidth`` (229.88 pt), with no overfull box."""
    _render(["mdnc_bottleneck2d_ex1", "--width", "229.88pt", "--theme", "paper"],
            tmp_path / "fig.tikz")
    paper = tmp_path / "paper.tex"
    paper.write_text(
        "\\documentclass[twocolumn]{article}\n\\usepackage[T1]{fontenc}\n\\usepackage{tikz}\n"
        "\\begin{document}\nText before.\n\n\\begin{figure}[t]\\centering\n\\input{fig.tikz}\n"
        "\\caption{WRN-28-2.}\\end{figure}\nText after.\n\\end{document}\n"
    )
    pdf = tikz_read.pdflatex(paper)
    assert tikz_read.pdf_info(pdf)["Pages"] == "1"
    assert "Float too large" not in paper.with_suffix(".log").read_text()


@pytest.mark.parametrize(
    ("fmt", "options", "words"),
    [
        ("tex", {"annotate": "flops"}, r"unknown annotation 'flops'"),
        ("svg", {"annotate": ["params", "size"]}, r"unknown annotation 'size'"),
        ("txt", {"annotate": "params"}, r"annotate applies to figures, not the txt listing"),
        ("txt", {"width": "5cm"}, r"width applies to figures, not the txt listing"),
        ("mmd", {"width": "5cm"}, r"width applies to figures with a size .*, not mmd"),
        ("tikz", {"width": "-1in"}, r"width must be positive"),
        ("pdf", {"width": "5 parsecs"}, r"unknown unit 'parsecs'"),
        ("tex", {"dpi": 300}, r"dpi applies to PNG output only, not tex"),
    ],
)
def test_bad_options_fail_before_the_model_is_loaded(
    fmt: str, options: dict[str, object], words: str
) -> None:
    from netviz.errors import UsageError

    with pytest.raises(UsageError, match=words):
        api.render("no_such_model", fmt, **options)  # type: ignore[arg-type]
