"""``--fit``, checked on the compiled TikZ, not on netviz's own estimate: the page pdflatex
makes (``pdfinfo``) lies within the box, and every word it typesets (``pdftotext -bbox``)
is at least as tall as a word set at 6 pt in the same font.

WRN-28-2 and ResNet-50 fit one column (8.5 cm x 23 cm) at full detail, each compiled as
the ``.tex`` netviz writes; every registered model, and the zoo's torchvision-sized ones,
fit a page (17 cm x 23 cm), compiled as one document (one pdflatex run) whose pages are
the ``.tikz`` pictures netviz writes, each page the size TeX measures its picture.
"""

from __future__ import annotations

import functools
import re
import subprocess
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

from netviz import api
from netviz.cli import main
from netviz.errors import FitReport
from netviz.latex import escape_latex
from netviz.registry import list_models
from netviz.renderers.layout import node_text
from tests.api.test_families_fold import FAITHFUL
from tests.renderers import tikz_read
from tests.zoo.test_families import FAMILIES
from tests.zoo.test_families import build_family

pytestmark = [pytest.mark.needs_dot, pytest.mark.needs_tikz]

CM = 72 / 2.54
"""PostScript points (pdfinfo's unit) per centimetre."""
SLACK = 0.5
"""Points a page may exceed its box by (rounding of coordinates to 0.01 bp)."""

_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                   r"(.*?)</word>")


def words(pdf: Path) -> list[list[tuple[str, float]]]:
    """``(word, height)`` of every word, page by page, as ``pdftotext -bbox`` reads them."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    return [[(m[4], float(m[3]) - float(m[1])) for m in _WORD.findall(page)]
            for page in out.split("<page ")[1:]]


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    """Each page's width and height (points), as ``pdfinfo`` reads them."""
    out = subprocess.run(["pdfinfo", "-f", "1", "-l", "9999", str(pdf)], capture_output=True,
                         text=True, check=True).stdout
    return [(float(w), float(h)) for w, h in
            re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", out)]


PREAMBLE = r"""\documentclass{article}
\usepackage[T1]{fontenc}
\usepackage[utf8]{inputenc}
\usepackage{lmodern}
\usepackage{tikz}
\pagestyle{empty}
\setlength{\parindent}{0pt}
\hoffset=-1in \voffset=-1in
\newsavebox\fig
\newcommand\figpage[1]{\sbox\fig{#1\unskip}\pdfpagewidth=\wd\fig
  \pdfpageheight=\dimexpr\ht\fig+\dp\fig\relax\shipout\hbox{\usebox\fig}}
\begin{document}
"""
SIX_PT = r"\figpage{\fontsize{6bp}{7.2bp}\selectfont Ag 1x1 64C Group (N - 1)}"
"""A first page: words set at 6 pt (PostScript points, as Graphviz's), the yardstick."""


def six_pt_height(pages: list[list[tuple[str, float]]]) -> float:
    """The height pdftotext gives a 6 pt word in the document's font (the first page)."""
    return min(height for _, height in pages[0])


@pytest.mark.parametrize("model", ["wrn28_2", "resnet50"])
def test_one_column_at_full_detail(model: str, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    tex = tmp_path / f"{model}.tex"
    assert main(["render", model, "--fit", "8.5cmx23cm", "--theme", "paper", "-o", str(tex)]) == 0
    report = capsys.readouterr().err
    assert report.startswith("netviz: fit 8.5cmx23cm: ") and report.count("\n") == 1
    assert "depth" not in report  # full detail
    pdf = tikz_read.pdflatex(tex)
    ((width, height),) = page_sizes(pdf)
    assert width <= 8.5 * CM + SLACK and height <= 23 * CM + SLACK
    yardstick = tmp_path / "six.tex"
    yardstick.write_text(PREAMBLE + SIX_PT + "\n\\end{document}\n")
    six = six_pt_height(words(tikz_read.pdflatex(yardstick)))
    (typeset,) = words(pdf)
    assert min(h for _, h in typeset) >= six - 0.01
    # every word of the folded figure is there: nothing was boxed (no --depth)
    graph = api.diagram(model).graph
    texts = [node_text(n) for n in graph.nodes] + [c.title for c in graph.clusters]
    expected = {w for text in texts for w in text.split()}
    assert {escape_latex(w) for w in expected} <= {w for w, _ in typeset} | {
        escape_latex(w) for w, _ in typeset}


def _fit_a_page(renders: dict[str, Callable[[], bytes]], tmp_path: Path) -> None:
    """Every figure, fitted to 17 cm x 23 cm, compiled as one document: each page within
    the box, each word at least as tall as the 6 pt yardstick."""
    pages = [SIX_PT]
    for index, (label, render) in enumerate(renders.items()):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            tikz = render()
        said = [str(w.message) for w in caught if issubclass(w.category, FitReport)]
        assert len(said) == 1 and said[0].startswith("fit 17cmx23cm: "), (label, said)
        name = tmp_path / f"fig{index}.tikz"
        name.write_bytes(tikz)
        pages.append(f"\\figpage{{\\input{{{name.name}}}}}")
    document = tmp_path / "all.tex"
    document.write_text(PREAMBLE + "\n".join(pages) + "\n\\end{document}\n")
    pdf = tikz_read.pdflatex(document)
    sizes = page_sizes(pdf)
    typeset = words(pdf)
    assert len(sizes) == len(renders) + 1
    six = six_pt_height(typeset)
    for label, (width, height), page in zip(renders, sizes[1:], typeset[1:]):
        assert width <= 17 * CM + SLACK and height <= 23 * CM + SLACK, label
        assert min(h for _, h in page) >= six - 0.01, label


def test_every_model_fits_a_page(tmp_path: Path) -> None:
    """Registered and torchvision-sized zoo models at 17 cm x 23 cm, one pdflatex run."""
    specs = {**{name: None for name in list_models()}, **FAITHFUL}
    _fit_a_page({spec: functools.partial(
        api.render, spec, "tikz", input_shapes=[shape] if shape else None,
        fit="17cmx23cm", theme="paper") for spec, shape in specs.items()}, tmp_path)


def test_every_family_of_the_zoo_fits_a_page(tmp_path: Path) -> None:
    """The long tail written the way its families write it (tests/zoo) fits a page too."""
    def render(name: str) -> bytes:
        family = FAMILIES[name]
        return api.render(build_family(name), "tikz", input_shapes=list(family.shapes),
                          input_dtypes=list(family.dtypes) if family.dtypes else None,
                          fit="17cmx23cm", theme="paper")

    _fit_a_page({name: functools.partial(render, name) for name in sorted(FAMILIES)},
                tmp_path)


def test_fitted_figures_are_the_same_bytes_twice(tmp_path: Path) -> None:
    for out in ("a.tex", "b.tex", "a.dot"):
        assert main(["render", "resnet18", "--fit", "8.5cmx23cm", "--annotate", "params",
                     "-o", str(tmp_path / out)]) == 0
    assert (tmp_path / "a.tex").read_bytes() == (tmp_path / "b.tex").read_bytes()
    dot = (tmp_path / "a.dot").read_text()
    assert "layout=nop2" in dot and 'size="' in dot  # Graphviz draws it as laid out


@pytest.mark.parametrize(("argv", "words_"), [
    (["--fit", "17cm"], "is not WIDTHxHEIGHT"),
    (["--fit", "17cmx-2cm"], "must be positive"),
    (["--fit", "axb"], "is not a number and a unit"),
    (["--fit", "17cmx23cm", "--width", "8cm"], "not both"),
    (["--fit", "17cmx23cm"], "not mmd"),
])
def test_bad_fits_are_one_line_exit_2_and_no_file(
    argv: list[str], words_: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / ("x.mmd" if words_ == "not mmd" else "x.svg")
    assert main(["render", "wrn28_2", *argv, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("netviz: error: ") and words_ in err and err.count("\n") == 1
    assert not out.exists()
