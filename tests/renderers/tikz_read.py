"""Reading a figure back, to compare TikZ with the SVG of the same DOT figure.

Three independent readings of where things are, all in Graphviz's points with ``y`` up:

- the SVG Graphviz draws (``<text>``, ``<ellipse>``, ``<polygon>``, ``<path>``);
- the TikZ netviz writes (``\\node ... at (x,y) {text}``, ``\\path ... (x,y) ...``);
- the PDF pdflatex typesets from that TikZ (``pdftotext -bbox``: every word's box).
"""

from __future__ import annotations

import html
import re
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

Point = tuple[float, float]

_SVG = "{http://www.w3.org/2000/svg}"
_NUMBER = r"-?\d+(?:\.\d+)?"
_TIKZ_TEXT = re.compile(
    rf"^\\node\[text node, anchor=(?P<anchor>[a-z ]+), text=\w+, "
    rf"font=\\fontsize\{{(?P<size>{_NUMBER})bp\}}\{{{_NUMBER}bp\}}\\selectfont\] "
    rf"at \((?P<x>{_NUMBER}),(?P<y>{_NUMBER})\) \{{(?P<text>.*)\}};$",
    re.M,
)
_TIKZ_POINT = re.compile(rf"\(({_NUMBER}),({_NUMBER})\)")
_TIKZ_RADII = re.compile(rf"x radius=({_NUMBER}), y radius=({_NUMBER})")
_SVG_PAIR = re.compile(rf"({_NUMBER}),({_NUMBER})")
_WORD = re.compile(
    rf'<word xMin="({_NUMBER})" yMin="({_NUMBER})" xMax="({_NUMBER})" yMax="({_NUMBER})">'
    r"(.*?)</word>"
)
ANCHORS = {"middle": "base", "start": "base west", "end": "base east"}
"""SVG ``text-anchor`` → the TikZ anchor netviz writes for it."""


@dataclass(frozen=True, order=True)
class Placed:
    """A text where a figure puts it: its baseline point and what that point is on it."""

    text: str
    x: float
    y: float
    anchor: str


def svg_texts(svg: bytes) -> list[Placed]:
    """Every ``<text>`` of a Graphviz SVG (``y`` flipped up, anchors as TikZ names them)."""
    root = ET.fromstring(svg)
    return sorted(
        Placed(el.text or "", float(el.get("x", "0")), -float(el.get("y", "0")),
               ANCHORS[el.get("text-anchor", "start")])
        for el in root.iter(f"{_SVG}text")
    )


def tikz_texts(tikz: str) -> list[Placed]:
    """Every text node of netviz's TikZ (the text still LaTeX-escaped)."""
    return sorted(
        Placed(m["text"], float(m["x"]), float(m["y"]), m["anchor"])
        for m in _TIKZ_TEXT.finditer(tikz)
    )


def tikz_font_sizes(tikz: str) -> list[float]:
    """The font size (points) of every text node."""
    return [float(m["size"]) for m in _TIKZ_TEXT.finditer(tikz)]


def svg_points(svg: bytes) -> set[Point]:
    """Every point of every shape the SVG draws (polygon and polyline corners, spline
    points, ellipse centres), ``y`` flipped up."""
    root = ET.fromstring(svg)
    points: set[Point] = set()
    for el in root.iter():
        if el.tag in (f"{_SVG}polygon", f"{_SVG}polyline"):
            pairs = _SVG_PAIR.findall(el.get("points", ""))
        elif el.tag == f"{_SVG}path":
            pairs = _SVG_PAIR.findall(el.get("d", ""))
        elif el.tag == f"{_SVG}ellipse":
            pairs = [(el.get("cx", "0"), el.get("cy", "0"))]
        else:
            continue
        points.update((float(x), -float(y)) for x, y in pairs)
    return points


def tikz_points(tikz: str) -> set[Point]:
    """Every point of every ``\\path`` (the bounding box line aside)."""
    points: set[Point] = set()
    for line in tikz.splitlines():
        if line.startswith("\\path[") and "use as bounding box" not in line:
            points.update((float(x), float(y)) for x, y in _TIKZ_POINT.findall(line))
    return points


def svg_radii(svg: bytes) -> list[Point]:
    root = ET.fromstring(svg)
    return sorted((float(el.get("rx", "0")), float(el.get("ry", "0")))
                  for el in root.iter(f"{_SVG}ellipse"))


def tikz_radii(tikz: str) -> list[Point]:
    return sorted((float(x), float(y)) for x, y in _TIKZ_RADII.findall(tikz))


@dataclass(frozen=True)
class Word:
    """A word of a PDF page with its box, in the figure's coordinates (points, ``y`` up)."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float


def pdf_words(pdf: Path, origin: Point, height: float) -> list[Word]:
    """Every word pdftotext finds on the page, moved into the figure's coordinates:
    the page's top left is ``(origin[0], origin[1] + height)``."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    words = []
    for x0, y0, x1, y1, text in _WORD.findall(out):
        words.append(Word(html.unescape(text), float(x0) + origin[0],
                          origin[1] + height - float(y1), float(x1) + origin[0],
                          origin[1] + height - float(y0)))
    return words


def typeset_where(text: str, x: float, y: float, words: list[Word]) -> tuple[float, float] | None:
    """Where pdflatex typeset ``text`` whose baseline Graphviz put at height ``y``: the
    left and right ends of the run of PDF words that reads ``text`` on that baseline,
    nearest to ``x``; ``None`` if there is none."""
    line = sorted((w for w in words if w.y0 - 0.5 <= y <= w.y1 + 0.5), key=lambda w: w.x0)
    wanted = text.split()
    best: tuple[float, float] | None = None
    for start in range(len(line) - len(wanted) + 1):
        run = line[start : start + len(wanted)]
        if [w.text for w in run] == wanted:
            ends = (run[0].x0, run[-1].x1)
            if best is None or abs(sum(ends) / 2 - x) < abs(sum(best) / 2 - x):
                best = ends
    return best


def pdflatex(tex: Path) -> Path:
    """Compile ``tex`` where it lies (as a user would: ``pdflatex fig.tex``); the PDF."""
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex.name],
                         cwd=tex.parent, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:]
    log = tex.with_suffix(".log").read_text(errors="replace")
    assert "Missing character" not in log and "Overfull" not in log, log[-3000:]
    return tex.with_suffix(".pdf")


def pdf_info(pdf: Path) -> dict[str, str]:
    """``pdfinfo``'s fields (``Pages``, ``Page size``...)."""
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return {key.strip(): value.strip() for key, _, value in
            (line.partition(":") for line in out.splitlines()) if value}
