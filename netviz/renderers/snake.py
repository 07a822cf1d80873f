"""A long figure wrapped into columns (``TB``) or rows (``LR``) side by side: a snake.

A figure is a chain of *parts*: the stem's nodes, each block, the head's nodes, cut
wherever exactly one tensor flows from what comes before to what comes after. Each
part is laid out alone by Graphviz ``dot`` (with the names and ``id``s the whole figure
gives it), then the parts are stacked along the flow, each link between two of them a
straight edge, and the stack is wrapped into several columns (rows for ``LR``). The link
from the end of one column to the start of the next runs around the columns, never
through them: below the column, up the gutter between the columns, above the next one
and down into its first node (for rows: out to the right, back left in the gap between
the rows, into the next row's first node from the left). Every link keeps the mark of
the tensor it carries (glyph and label).

The result is one DOT figure with every position fixed (``layout=nop2``: Graphviz draws
it as it is laid out here), so SVG, PNG, PDF and TikZ show the same figure, and so does
``dot -Tsvg`` of the DOT text.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from netviz.ir import Edge, Graph, Node
from netviz.renderers.binary import layout_many
from netviz.renderers.compose import Box, Point, compose, text_sizes
from netviz.renderers.dot import Naming, dot_figure
from netviz.renderers.glyphs import glyph_for, mark_text
from netviz.renderers.layout import layout
from netviz.renderers.legend import Legend
from netviz.renderers.theme import Spacing, edge_attrs, get_theme

ARROW_LENGTHS = {"normal": 1.0, "odot": 0.8, "dot": 0.8, "obox": 1.0, "box": 1.0,
                 "odiamond": 1.2, "diamond": 1.2}
"""Graphviz's arrowhead lengths, in tens of points at ``arrowsize`` 1."""
ARROW_SIZE = 0.6
"""The figures' ``arrowsize``."""

GAP = 8.0
"""Least points between two parts along the flow."""
GUTTER = 12.0
"""Least points between two columns (rows): the link returning to the next runs there."""
MARGIN = 8.0
"""Points beside a column's (row's) end and start where a returning link turns."""


@dataclass(frozen=True)
class Part:
    """A piece of the figure laid out alone: top-level nodes, or a block with its nodes.

    Attributes:
        node_ids: Its nodes, in graph order.
        link: Index of the edge entering it from the part before (``None`` for the first).
    """

    node_ids: tuple[str, ...]
    link: int | None


def parts(graph: Graph) -> list[Part]:
    """The figure's chain of parts: top-level nodes and blocks in drawing order, merged
    wherever other than exactly one forward edge crosses from one to the next."""
    units: list[list[str]] = []
    for item in layout(graph):
        units.append([item.id] if isinstance(item, Node) else [n.id for n in item[2]])
    unit = {node_id: i for i, ids in enumerate(units) for node_id in ids}
    crossing: list[list[int]] = [[] for _ in units]  # edges over each boundary i | i+1
    backwards = [False] * len(units)
    for index, edge in enumerate(graph.edges):
        a, b = unit[edge.src], unit[edge.dst]
        for boundary in range(min(a, b), max(a, b)):
            crossing[boundary].append(index)
            backwards[boundary] |= a > b
    found: list[Part] = []
    current: list[str] = []
    link: int | None = None
    for i, ids in enumerate(units):
        current += ids
        if i < len(units) - 1 and len(crossing[i]) == 1 and not backwards[i]:
            found.append(Part(tuple(current), link))
            current, link = [], crossing[i][0]
    found.append(Part(tuple(current), link))
    return found


@dataclass
class Laid:
    """One part (or the legend) as ``dot`` laid it out alone, in its own frame.

    Attributes:
        layout: The ``dot -Tjson`` layout.
        entry: DOT name of the node the link from the part before enters.
        exit: DOT name of the node the link to the next part leaves.
    """

    layout: dict[str, Any]
    entry: str | None = None
    exit: str | None = None

    @cached_property
    def box(self) -> Box:
        """The drawing's box (``bb``)."""
        x0, y0, x1, y1 = (float(v) for v in self.layout["bb"].split(","))
        return x0, y0, x1, y1

    @cached_property
    def nodes(self) -> dict[str, Box]:
        """Each node's box, by DOT name."""
        boxes = {}
        for obj in self.layout.get("objects", [])[int(self.layout.get("_subgraph_cnt", 0)):]:
            x, y = (float(v) for v in obj["pos"].split(","))
            w, h = float(obj["width"]) * 36, float(obj["height"]) * 36
            boxes[obj["name"]] = (x - w, y - h, x + w, y + h)
        return boxes


class Snake:
    """The parts of one figure laid out once, ready to be wrapped any number of ways.

    Args:
        graph: The notation graph (annotated or not).
        direction: ``TB`` (columns side by side) or ``LR`` (rows one under another).
        theme: The colour theme's name.
        legend: The legend to draw after the figure, if any.
        spacing: How tightly each part is laid out.
    """

    def __init__(self, graph: Graph, *, direction: str, theme: str, legend: Legend | None,
                 spacing: Spacing) -> None:
        self.graph, self.direction, self.theme, self.spacing = graph, direction, theme, spacing
        self.parts = parts(graph)
        self.naming = Naming.of(graph)
        sources = [self._source(k) for k in range(len(self.parts))]
        if legend:
            empty = replace(graph, nodes=(), edges=(), clusters=(), caption="")
            sources.append(dot_figure(empty, direction=direction, theme=theme, legend=legend,
                                      spacing=spacing).source)
        layouts = layout_many(sources)  # one dot run for them all
        self.laid = [self._laid(k, layouts[k]) for k in range(len(self.parts))]
        self.legend: Laid | None = Laid(layouts[-1]) if legend else None
        font = float(edge_attrs(get_theme(theme), spacing)["fontsize"])
        texts = [mark_text(e.mark) for e in self.links() if e.mark is not None and _labelled(e)]
        self.sizes = text_sizes([*texts, *([graph.caption] if graph.caption else [])], font)

    def _source(self, k: int) -> str:
        """The DOT text of part ``k`` alone, named as in the whole figure."""
        members = set(self.parts[k].node_ids)
        edges = [(i, e) for i, e in enumerate(self.graph.edges)
                 if e.src in members and e.dst in members]
        clusters = [(i, c) for i, c in enumerate(self.graph.clusters)
                    if c.node_ids and c.node_ids[0] in members]
        sub = replace(self.graph, nodes=tuple(n for n in self.graph.nodes if n.id in members),
                      edges=tuple(e for _, e in edges), clusters=tuple(c for _, c in clusters),
                      caption="")
        naming = Naming(self.naming.nodes, tuple(i for i, _ in edges),
                        tuple(i for i, _ in clusters))
        return dot_figure(sub, direction=self.direction, theme=self.theme,
                          spacing=self.spacing, naming=naming, name=self.graph.name).source

    def _laid(self, k: int, layout: dict[str, Any]) -> Laid:
        """Part ``k`` as laid out, with the nodes its links enter and leave."""
        part = self.parts[k]
        following = self.parts[k + 1].link if k + 1 < len(self.parts) else None
        entry = self.graph.edges[part.link].dst if part.link is not None else None
        exit_ = self.graph.edges[following].src if following is not None else None
        names = self.naming.nodes
        return Laid(layout, names.get(entry or ""), names.get(exit_ or ""))

    def links(self) -> list[Edge]:
        """The edges from each part to the next."""
        return [self.graph.edges[p.link] for p in self.parts if p.link is not None]

    def lengths(self) -> list[float]:
        """Each part's extent along the flow (points): what a wrap balances."""
        return [b[3] - b[1] if self.direction == "TB" else b[2] - b[0]
                for b in (laid.box for laid in self.laid)]

    def wrap(self, count: int) -> Wrapped:
        """The figure in ``count`` columns (rows), their lengths balanced."""
        return Wrapped(self, balanced(self.lengths(), count))


def balanced(lengths: list[float], count: int) -> list[int]:
    """Where ``count`` runs of consecutive ``lengths`` start, the longest run as short as
    it can be (the linear partition problem, by dynamic programming)."""
    n = len(lengths)
    count = max(1, min(count, n))
    prefix = [0.0]
    for value in lengths:
        prefix.append(prefix[-1] + value + GAP)
    best = [[float("inf")] * (n + 1) for _ in range(count + 1)]
    cut = [[0] * (n + 1) for _ in range(count + 1)]
    best[0][0] = 0.0
    for k in range(1, count + 1):
        for end in range(k, n + 1):
            for start in range(k - 1, end):
                cost = max(best[k - 1][start], prefix[end] - prefix[start])
                if cost < best[k][end]:
                    best[k][end], cut[k][end] = cost, start
    starts, end = [], n
    for k in range(count, 0, -1):
        end = cut[k][end]
        starts.append(end)
    return starts[::-1]


def _arrow(edge: Edge) -> float:
    glyph = glyph_for(edge.mark)
    return 10 * ARROW_SIZE * ARROW_LENGTHS.get(glyph.arrowhead if glyph else "normal", 1.0)


def _labelled(edge: Edge) -> bool:
    glyph = glyph_for(edge.mark)
    return glyph is not None and glyph.labelled and edge.mark is not None


class Wrapped:
    """A snake: the parts placed in columns (rows) and the links routed.

    Placement works in a *flow frame*: ``u`` runs along the flow (down for ``TB``, right
    for ``LR``), ``v`` across it (right, or down); the drawing's frame has ``y`` up.

    Attributes:
        snake: The laid-out parts.
        starts: Index of the first part of each column (row).
        offsets: Each part's shift in the flow frame ``(du, dv)``.
        columns: Each column's box in the flow frame ``(u0, v0, u1, v1)``.
        routes: For each link (by edge index): its points, the arrow's tip, and the centre
            of its label (``None`` for none), all in the flow frame.
    """

    def __init__(self, snake: Snake, starts: list[int]) -> None:
        self.snake, self.starts = snake, starts
        self.tb = snake.direction == "TB"
        self.frames = [self._frame(laid.box) for laid in snake.laid]
        self.node_frames = [{name: self._frame(box) for name, box in laid.nodes.items()}
                            for laid in snake.laid]
        self.offsets: list[tuple[float, float]] = [(0.0, 0.0)] * len(snake.laid)
        self.columns: list[Box] = []
        self.routes: dict[int, tuple[list[Point], Point, Point | None]] = {}
        self._place()
        self._route()
        self.legend_offset: tuple[float, float] | None = None
        if snake.legend is not None:
            u0, v0, _, _ = self._frame(snake.legend.box)
            last = self.columns[-1]
            if self.tb:  # under the last column
                self.legend_offset = (last[2] + GAP - u0, last[1] - v0)
            else:  # a row of its own
                self.legend_offset = (0.0 - u0, max(c[3] for c in self.columns) + GUTTER - v0)

    @property
    def count(self) -> int:
        """How many columns (rows)."""
        return len(self.starts)

    def _frame(self, box: Box) -> Box:
        x0, y0, x1, y1 = box
        return (-y1, x0, -y0, x1) if self.tb else (x0, -y1, x1, -y0)

    def point(self, u: float, v: float) -> Point:
        """The drawing's ``(x, y)`` of the flow frame's ``(u, v)``."""
        return (v, -u) if self.tb else (u, -v)

    def shift(self, du: float, dv: float) -> Point:
        """The drawing's ``(dx, dy)`` of a shift ``(du, dv)``."""
        return (dv, -du) if self.tb else (du, -dv)

    def _node(self, k: int, name: str | None) -> Box:
        box = self.node_frames[k].get(name or "", self.frames[k])
        du, dv = self.offsets[k]
        return box[0] + du, box[1] + dv, box[2] + du, box[3] + dv

    def _label_size(self, edge: Edge) -> tuple[float, float]:
        """``(along, across)`` the flow: the room a link's label takes."""
        if not _labelled(edge) or edge.mark is None:
            return 0.0, 0.0
        w, h = self.snake.sizes[mark_text(edge.mark)]
        return (h, w) if self.tb else (w, h)

    def _place(self) -> None:
        snake = self.snake
        ends = [*self.starts[1:], len(snake.laid)]
        gutter = GUTTER
        v_next = 0.0
        for column, (start, end) in enumerate(zip(self.starts, ends)):
            top = self._band() if column and self.tb else 0.0
            for k in range(start, end):
                u0, v0, u1, v1 = self.frames[k]
                if k == start:
                    entry = self.node_frames[k].get(snake.laid[k].entry or "", self.frames[k])
                    self.offsets[k] = (top - u0, -(entry[1] + entry[3]) / 2)
                    continue
                before = self._node(k - 1, snake.laid[k - 1].exit)
                prev_end = self.offsets[k - 1][0] + self.frames[k - 1][2]
                link = snake.parts[k].link
                if link is None:  # nothing flows in: just after the part before
                    self.offsets[k] = (prev_end + GAP - u0, self.offsets[k - 1][1])
                    continue
                edge = snake.graph.edges[link]
                entry = self.node_frames[k][snake.laid[k].entry or ""]
                along = self._label_size(edge)[0]
                du = max(prev_end + max(GAP, along + 4) - u0,
                         before[2] + _arrow(edge) + 4 - entry[0])
                self.offsets[k] = (du, (before[1] + before[3]) / 2 - (entry[1] + entry[3]) / 2)
            low = min(self.offsets[k][1] + self.frames[k][1] for k in range(start, end))
            high = max(self.offsets[k][1] + self.frames[k][3] for k in range(start, end))
            for k in range(start, end):
                self.offsets[k] = (self.offsets[k][0], self.offsets[k][1] + v_next - low)
            u_end = max(self.offsets[k][0] + self.frames[k][2] for k in range(start, end))
            self.columns.append((top, v_next, u_end, v_next + high - low))
            v_next += high - low + gutter

    def _cross_links(self) -> list[Edge]:
        return [self.snake.graph.edges[link] for k in self.starts[1:]
                if (link := self.snake.parts[k].link) is not None]

    def _band(self) -> float:
        """Room above a column for the link coming in from the one before (``TB``)."""
        need = 12.0
        for edge in self._cross_links():
            need = max(need, _arrow(edge) + 8, self._label_size(edge)[0] + 8)
        return need

    def _route(self) -> None:
        snake = self.snake
        for k, part in enumerate(snake.parts):
            if part.link is None:
                continue
            edge = snake.graph.edges[part.link]
            exit_box = self._node(k - 1, snake.laid[k - 1].exit)
            entry_box = self._node(k, snake.laid[k].entry)
            tip = (entry_box[0], (entry_box[1] + entry_box[3]) / 2)
            base = (tip[0] - _arrow(edge), tip[1])
            along, across = self._label_size(edge)
            label: Point | None = None
            if k not in self.starts:  # straight along the flow, between the two parts
                points = [(exit_box[2], tip[1]), base]
                if along:
                    gap_from = self.offsets[k - 1][0] + self.frames[k - 1][2]
                    gap_to = self.offsets[k][0] + self.frames[k][0]
                    middle = (max(gap_from, exit_box[2]) + min(gap_to, base[0])) / 2
                    label = (middle, tip[1] + 2.5 + across / 2) if self.tb else (
                        middle, tip[1] - 2.5 - across / 2)
            else:  # around: past the column's end, along the gutter, in from before
                column = self.starts.index(k)
                here, there = self.columns[column - 1], self.columns[column]
                start = (exit_box[2], (exit_box[1] + exit_box[3]) / 2)
                out_u = here[2] + MARGIN
                side = (here[3] + there[1]) / 2
                in_u = there[0] / 2 if self.tb else -MARGIN
                points = [start, (out_u, start[1]), (out_u, side), (in_u, side),
                          (in_u, tip[1]), base]
                if along and self.tb:  # beside the last stroke, above the next column
                    label = ((in_u + base[0]) / 2, tip[1] + 2.5 + across / 2)
                elif along:  # beside the stroke down past the row's end
                    label = (out_u + 2.5 + along / 2, (start[1] + side) / 2)
            self.routes[part.link] = (points, tip, label)

    def source(self) -> str:
        """The wrapped figure as DOT text, every position fixed (``layout=nop2``)."""
        return compose(self)

    def size(self) -> tuple[float, float]:
        """Width and height (points) of the drawing, before Graphviz's pad."""
        x0, y0, x1, y1 = self.extent()
        return x1 - x0, y1 - y0

    def extent(self) -> Box:
        """The drawing's box in its frame: parts, links, labels, legend and caption."""
        xs: list[float] = []
        ys: list[float] = []
        placed = [(laid, self.offsets[k]) for k, laid in enumerate(self.snake.laid)]
        if self.snake.legend is not None and self.legend_offset is not None:
            placed.append((self.snake.legend, self.legend_offset))
        for laid, (du, dv) in placed:
            dx, dy = self.shift(du, dv)
            x0, y0, x1, y1 = laid.box
            xs += [x0 + dx, x1 + dx]
            ys += [y0 + dy, y1 + dy]
        for index, (points, tip, label) in self.routes.items():
            for u, v in [*points, tip]:
                x, y = self.point(u, v)
                xs.append(x)
                ys.append(y)
            if label is not None:
                along, across = self._label_size(self.snake.graph.edges[index])
                for du, dv in ((along / 2, across / 2), (-along / 2, -across / 2)):
                    x, y = self.point(label[0] + du, label[1] + dv)
                    xs.append(x)
                    ys.append(y)
        caption = self.snake.graph.caption
        if caption:
            w, h = self.snake.sizes[caption]
            ys.append(min(ys) - GAP - h)
            middle = (min(xs) + max(xs)) / 2
            xs += [middle - w / 2, middle + w / 2]
        return min(xs), min(ys), max(xs), max(ys)
