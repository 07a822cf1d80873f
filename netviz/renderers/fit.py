"""A figure fitted to a page: ``--fit 17cmx23cm`` chooses how to draw it.

A box on paper (``8.5cmx23cm``: a column; ``17cmx23cm``: a page) and a figure whose
every text must print at [`MIN_LABEL_PT`][netviz.renderers.size.MIN_LABEL_PT] or more.
The figure is drawn tightly ([`PRINT`][netviz.renderers.theme.PRINT] spacing) and, of
the ways tried, the plainest whose texts print nearly as large as the best's
([`PLAIN_ENOUGH`][netviz.renderers.fit.PLAIN_ENOUGH]) wins (never enlarged past their
natural size):

- the direction, top to bottom or left to right (unless one is asked for);
- wrapping the long chain of stem, blocks and head into 1 to 12 columns (rows)
  side by side, a snake (see [`netviz.renderers.snake`][netviz.renderers.snake]);
- long labels on two lines (``1x1 256C`` over ``1S 0P``).

The caller offers the figure at levels of detail, best first (folded, then with
modules drawn as boxes, ``depth``): the first that fits is drawn; when none does, the
one whose texts print largest, and the choice says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from netviz.errors import UsageError
from netviz.ir import Graph, evolve
from netviz.renderers.legend import legend_of
from netviz.renderers.size import MIN_LABEL_PT, UNITS, Width, font_sizes, parse_width
from netviz.renderers.snake import Snake, Wrapped
from netviz.renderers.theme import DIRECTIONS, PRINT

MAX_COLUMNS = 12
"""The most columns (rows) a snake is wrapped into."""

PLAIN_ENOUGH = 0.9
"""A plainer way (labels on one line, fewer columns, the first direction) wins over one
whose labels print larger, if its own print at least this fraction of that size."""

_BOX = re.compile(r"\s*([^x×X]+?)\s*[x×X]\s*([^x×X]+?)\s*")


@dataclass(frozen=True)
class PrintBox:
    """A box on paper a figure must fit.

    Attributes:
        text: As the user wrote it (``"17cmx23cm"``).
        width: Its width.
        height: Its height.
    """

    text: str
    width: Width
    height: Width


def parse_box(text: str) -> PrintBox:
    """``"17cmx23cm"`` (also ``8.5cm x 23cm``, ``3.3inx9in``) as a
    [`PrintBox`][netviz.renderers.fit.PrintBox].

    Raises:
        UsageError: not two lengths joined by ``x``, each a positive number and a unit
            (cm, mm, in, pt).
    """
    match = _BOX.fullmatch(str(text))
    if match is None:
        raise UsageError(f"fit {text!r} is not WIDTHxHEIGHT, e.g. 17cmx23cm "
                         f"(units: {', '.join(UNITS)})")
    try:
        width, height = parse_width(match.group(1)), parse_width(match.group(2))
    except UsageError as exc:
        raise UsageError(f"fit {text!r}: {exc}") from None
    return PrintBox(str(text).strip(), width, height)


@dataclass(frozen=True)
class Fitted:
    """How a figure is drawn to fit a box, and how well it fits.

    Attributes:
        box: The box asked for.
        graph: The notation graph drawn (its labels as they are, not wrapped).
        detail: Which level of detail it is (as the caller named it: ``""`` for the
            figure as asked, ``"folded"``, ``"depth 2"``...).
        direction: ``TB`` or ``LR``.
        columns: How many columns (rows for ``LR``) the chain is wrapped into.
        wrapped_labels: Whether long labels are on two lines.
        dot: The figure's DOT text (positions fixed).
        width: The printed width (the figure scaled to it).
        height: The printed height, in points.
        label_pt: The smallest text's printed size (points).
    """

    box: PrintBox
    graph: Graph
    detail: str
    direction: str
    columns: int
    wrapped_labels: bool
    dot: str
    width: Width
    height: float
    label_pt: float

    @property
    def fits(self) -> bool:
        """Whether the figure fits the box with every text at ``MIN_LABEL_PT`` or more."""
        return (self.label_pt >= MIN_LABEL_PT - 1e-6 and self.width.points <= self.box.width.points
                + 0.5 and self.height <= self.box.height.points + 0.5)

    def message(self) -> str:
        """One line saying what was chosen (and whether it fits)."""
        way = "top to bottom" if self.direction == "TB" else "left to right"
        wrapped = (f"in {self.columns} columns side by side" if self.direction == "TB"
                   else f"in {self.columns} rows one under another")
        parts = [way if self.columns == 1 else f"{way} {wrapped}"]
        if self.detail:
            parts.append(self.detail)
        if self.wrapped_labels:
            parts.append("long labels on two lines")
        size = f"{_cm(self.width.points)} x {_cm(self.height)} cm"
        chosen = ", ".join(parts)
        if self.fits:
            return f"fit {self.box.text}: {chosen}; {size}, labels {self.label_pt:.1f} pt"
        return (f"nothing fits {self.box.text} with labels of {MIN_LABEL_PT:g} pt or more; "
                f"the largest labels ({self.label_pt:.1f} pt): {chosen}; {size}")


def _cm(points: float) -> str:
    return f"{points / UNITS['cm']:.1f}"


def fit_figure(
    candidates: Iterable[tuple[str, Graph]], box: PrintBox, *, direction: str | None = None,
    theme: str = "light", legend: bool = False,
) -> Fitted:
    """Choose how to draw a figure so that it fits ``box`` (see the module docs).

    Args:
        candidates: ``(detail, notation graph)`` pairs, the most detailed first; each
            is tried only if the ones before do not fit.
        box: The box on paper.
        direction: Keep this direction (``TB`` or ``LR``); ``None``: try both.
        theme: The colour theme's name.
        legend: Draw the legend of the marks and shapes used.
    """
    best: Fitted | None = None
    for detail, graph in candidates:
        fitted = _fit_one(graph, detail, box, direction, theme, legend)
        if fitted.fits:
            return fitted
        if best is None or fitted.label_pt > best.label_pt + 1e-9:
            best = fitted
    if best is None:
        raise ValueError("no figure to fit")
    return best


def _fit_one(graph: Graph, detail: str, box: PrintBox, direction: str | None, theme: str,
             legend: bool) -> Fitted:
    """The best way to draw one graph in ``box``: largest labels, then the plainest."""
    entries = legend_of(graph) if legend else None
    options: list[tuple[tuple[float, ...], Wrapped, bool]] = []
    font_size = MIN_LABEL_PT
    directions = [direction] if direction else list(DIRECTIONS)
    for wrap in (False, True):
        if wrap and options and max(o[0][0] for o in options) >= PLAIN_ENOUGH * font_size:
            break  # on two lines, labels would print at most 1/PLAIN_ENOUGH larger
        for way in directions:
            shown = wrap_labels(graph, titles=way == "TB") if wrap else graph
            snake = Snake(shown, direction=way, theme=theme, legend=entries, spacing=PRINT)
            font = font_size = min(_fonts(snake), default=MIN_LABEL_PT)
            for count in range(1, min(MAX_COLUMNS, len(snake.parts)) + 1):
                wrapped = snake.wrap(count)
                if wrapped.count < count:
                    break
                label = _scale(wrapped, box) * font
                options.append(((label, wrap, count, directions.index(way)), wrapped, wrap))
    largest = max(rank[0] for rank, _, _ in options)
    # the plainest way whose labels are nearly as large as they can be
    near = [o for o in options if o[0][0] >= PLAIN_ENOUGH * largest]
    _, wrapped, wrap = min(near, key=lambda option: (option[0][1:], -option[0][0]))
    return _fitted(wrapped, graph, detail, box, wrap)


def _fonts(snake: Snake) -> Iterator[float]:
    for laid in snake.laid:
        yield from font_sizes(laid.layout)
    if snake.legend is not None:
        yield from font_sizes(snake.legend.layout)


def _scale(wrapped: Wrapped, box: PrintBox) -> float:
    """The factor bringing the wrapped figure into ``box``, never above 1."""
    width, height = wrapped.size()
    pad = 2 * 72 * float(PRINT.pad)
    return min(1.0, box.width.points / (width + pad), box.height.points / (height + pad))


def _fitted(wrapped: Wrapped, graph: Graph, detail: str, box: PrintBox, wrap: bool) -> Fitted:
    """The chosen drawing, measured on its real layout."""
    from netviz.renderers.binary import layout_json
    from netviz.renderers.size import natural_box

    dot = wrapped.source()
    layout = layout_json(dot)
    x0, y0, x1, y1 = natural_box(layout)
    scale = min(1.0, box.width.points / (x1 - x0), box.height.points / (y1 - y0))
    font = min(font_sizes(layout), default=MIN_LABEL_PT)
    width = Width(f"{(x1 - x0) * scale:.2f}pt", (x1 - x0) * scale)
    return Fitted(box, graph, detail, wrapped.snake.direction, wrapped.count, wrap, dot, width,
                  (y1 - y0) * scale, font * scale)


def _split(line: str, limit: int) -> list[str]:
    """``line`` as one or two lines, broken at the space that best balances them."""
    if len(line) <= limit or " " not in line:
        return [line]
    if " · " in line:  # annotated counts: params, then MACs
        first, _, rest = line.partition(" · ")
        return [first, rest]
    words = line.split(" ")
    splits: list[tuple[str, str]] = [
        (" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))
        if " ".join(words[:i]).count("(") == " ".join(words[:i]).count(")")]
    if not splits:  # never inside parentheses: (N - 1)
        return [line]
    first, rest = min(splits, key=lambda pair: max(len(pair[0]), len(pair[1])))
    return [first, rest]


def wrap_text(text: str, limit: int = 12) -> str:
    """Each line of ``text`` longer than ``limit`` characters broken in two."""
    return "\n".join(part for line in text.split("\n") for part in _split(line, limit))


def wrap_labels(graph: Graph, *, titles: bool = True, limit: int = 12) -> Graph:
    """``graph`` with long node labels (and cluster titles) on two lines: the figure's
    words unchanged, only its line breaks."""
    nodes = tuple(evolve(n, label=wrap_text(n.label, limit)) if n.label else n
                  for n in graph.nodes)
    clusters = tuple(replace(c, title=wrap_text(c.title, limit)) for c in graph.clusters
                     ) if titles else graph.clusters
    return replace(graph, nodes=nodes, clusters=clusters)

