"""The laid-out geometry of a DOT figure, and the overlaps a clean layout must not have.

``dot -Tjson`` lays the figure out exactly as ``dot -Tsvg`` does (same engine, same
coordinates: the SVG's ``y`` is the JSON's negated) and also says what the SVG leaves
implicit: every text's width as Graphviz measured it, every edge's B-spline control
points, every cluster's box and title. This module reads that into plain boxes and
polylines (B-splines sampled), and lists the defects a reader would see:

- an edge passing through a text box (a node's label, a cluster title, an edge label)
  that is not its own or its endpoints';
- an edge passing through a node's shape that is not one of its endpoints;
- two edges of one block (both ends inside the same cluster) crossing each other.

Everything is in points (1/72 in), ``y`` up, as Graphviz computes it.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field

from netviz.ir import Cluster as NotationCluster
from netviz.ir import Graph, Kind

Point = tuple[float, float]

_SAMPLES = 24
"""Points per cubic Bézier segment (segments are at most a few dozen points long)."""
_ASCENT, _DESCENT = 0.72, 0.2
"""Helvetica's cap height and descender, in ems: a text box spans this much of its size."""
_NEAR = 3.0
"""Crossings this close to a shared endpoint's shape are where edges meet, not cross."""


@dataclass(frozen=True)
class Box:
    """An axis-aligned box ``[x0, x1] x [y0, y1]``."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def center(self) -> Point:
        return ((self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2)

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    def grown(self, by: float) -> Box:
        return Box(self.x0 - by, self.y0 - by, self.x1 + by, self.y1 + by)

    def contains(self, p: Point) -> bool:
        return self.x0 <= p[0] <= self.x1 and self.y0 <= p[1] <= self.y1

    def hit_by(self, a: Point, b: Point) -> bool:
        """Whether segment ``a``–``b`` passes through the box (Liang–Barsky clipping)."""
        t0, t1 = 0.0, 1.0
        dx, dy = b[0] - a[0], b[1] - a[1]
        for p, q in ((-dx, a[0] - self.x0), (dx, self.x1 - a[0]),
                     (-dy, a[1] - self.y0), (dy, self.y1 - a[1])):
            if p == 0:
                if q < 0:
                    return False
                continue
            t = q / p
            if p < 0:
                t0 = max(t0, t)
            else:
                t1 = min(t1, t)
            if t0 > t1:
                return False
        return True


@dataclass(frozen=True)
class Text:
    """One text drawn in the figure, with the box it covers."""

    text: str
    box: Box
    size: float


@dataclass
class Node:
    """A drawn node: its DOT name and ``id``, shape, outline box and texts."""

    name: str
    id: str
    shape: str
    box: Box
    texts: list[Text] = field(default_factory=list)

    def hit_by(self, a: Point, b: Point) -> bool:
        """Whether segment ``a``–``b`` enters the node's drawn shape."""
        if self.shape in ("plaintext", "plain", "none"):
            return any(t.box.hit_by(a, b) for t in self.texts)
        if self.shape in ("circle", "doublecircle", "ellipse", "oval"):
            (cx, cy), r = self.box.center, min(self.box.width, self.box.height) / 2 - 0.5
            return _distance_to_segment((cx, cy), a, b) < r
        return self.box.grown(-0.5).hit_by(a, b)


@dataclass
class Edge:
    """A drawn (visible) edge: endpoints by DOT name, its path and its label texts."""

    id: str
    tail: str
    head: str
    path: list[Point]
    labels: list[Text] = field(default_factory=list)

    def segments(self) -> Iterator[tuple[Point, Point]]:
        return zip(self.path, self.path[1:])


@dataclass
class Cluster:
    """A cluster: its box, title texts, and the DOT names of the nodes inside."""

    name: str
    id: str
    box: Box
    titles: list[Text]
    nodes: set[str]


@dataclass
class Figure:
    """A laid-out figure."""

    box: Box
    nodes: dict[str, Node]
    edges: list[Edge]
    clusters: list[Cluster]

    def by_id(self, element_id: str) -> Node:
        return next(n for n in self.nodes.values() if n.id == element_id)


def dot_json(dot_source: str, *options: str) -> dict:
    """``dot -Tjson`` of ``dot_source`` (``options``: more ``dot`` arguments)."""
    exe = shutil.which("dot")
    assert exe, "the Graphviz 'dot' binary is needed"
    out = subprocess.run([exe, "-Tjson", *options], input=dot_source.encode(),
                         capture_output=True, check=True)
    return json.loads(out.stdout)


def read_figure(dot_source: str, *options: str) -> Figure:
    """Lay ``dot_source`` out with ``dot`` and read its geometry (``options``: more
    ``dot`` arguments, e.g. ``-Kneato``, ``-n`` to draw nodes where ``pos`` says)."""
    data = dot_json(dot_source, *options)
    objects = data.get("objects", [])
    nodes: dict[str, Node] = {}
    clusters: list[Cluster] = []
    by_gvid: dict[int, str] = {}
    for obj in objects:
        if "nodes" in obj or "edges" in obj or obj.get("name", "").startswith("cluster"):
            continue
        if obj.get("style") == "invis":
            by_gvid[obj["_gvid"]] = obj["name"]
            continue
        x, y = (float(v) for v in obj["pos"].split(","))
        w, h = float(obj["width"]) * 36, float(obj["height"]) * 36
        node = Node(obj["name"], obj.get("id", ""), obj.get("shape", "ellipse"),
                    Box(x - w, y - h, x + w, y + h), list(_texts(obj.get("_ldraw_", []))))
        nodes[node.name] = node
        by_gvid[obj["_gvid"]] = node.name
    for obj in objects:
        if obj.get("name", "").startswith("cluster") and "bb" in obj:
            x0, y0, x1, y1 = (float(v) for v in obj["bb"].split(","))
            names = {by_gvid[i] for i in obj.get("nodes", []) if i in by_gvid}
            clusters.append(Cluster(obj["name"], obj.get("id", ""), Box(x0, y0, x1, y1),
                                    list(_texts(obj.get("_ldraw_", []))), names))
    edges = []
    for obj in data.get("edges", []):
        if obj.get("style") == "invis" or "_draw_" not in obj:
            continue
        path = [p for op in obj["_draw_"] if op["op"] in "bB" for p in _bezier(op["points"])]
        end = re.match(r"e,([-\d.]+),([-\d.]+)", obj.get("pos", ""))
        if end:  # the arrowhead runs from the spline's end to this point
            path.append((float(end.group(1)), float(end.group(2))))
        edges.append(Edge(obj.get("id", ""), by_gvid[obj["tail"]], by_gvid[obj["head"]], path,
                          list(_texts(obj.get("_ldraw_", [])))))
    x0, y0, x1, y1 = (float(v) for v in data["bb"].split(","))
    return Figure(Box(x0, y0, x1, y1), nodes, edges, clusters)


def _texts(ops: list[dict]) -> Iterator[Text]:
    size = 14.0
    for op in ops:
        if op["op"] == "F":
            size = float(op["size"])
        elif op["op"] == "T":
            (x, y), width = op["pt"], float(op["width"])
            left = {"l": x, "r": x - width}.get(op["align"], x - width / 2)
            box = Box(left, y - _DESCENT * size, left + width, y + _ASCENT * size)
            yield Text(op["text"], box, size)


def _bezier(points: list[list[float]]) -> Iterator[Point]:
    """Sample a piecewise cubic B-spline given as ``p0 c1 c2 p1 c1 c2 p2 ...``."""
    yield (points[0][0], points[0][1])
    for i in range(0, len(points) - 3, 3):
        p0, p1, p2, p3 = points[i : i + 4]
        for k in range(1, _SAMPLES + 1):
            t = k / _SAMPLES
            a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3
            yield (a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0],
                   a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1])


def _distance_to_segment(p: Point, a: Point, b: Point) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length))
    return math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy)


def _crossing(a: Point, b: Point, c: Point, d: Point) -> Point | None:
    """Where segments ``a``–``b`` and ``c``–``d`` properly intersect, if they do."""
    r = (b[0] - a[0], b[1] - a[1])
    s = (d[0] - c[0], d[1] - c[1])
    denom = r[0] * s[1] - r[1] * s[0]
    if denom == 0:
        return None
    t = ((c[0] - a[0]) * s[1] - (c[1] - a[1]) * s[0]) / denom
    u = ((c[0] - a[0]) * r[1] - (c[1] - a[1]) * r[0]) / denom
    if 0 <= t < 1 and 0 <= u < 1:  # half-open: a crossing at a sample point counts once
        return (a[0] + t * r[0], a[1] + t * r[1])
    return None


def overlaps(figure: Figure) -> list[str]:
    """Every defect a reader would see, one line each (empty: a clean layout)."""
    problems: list[str] = []
    titles = [(c, t) for c in figure.clusters for t in c.titles]
    labels = [(e, t) for e in figure.edges for t in e.labels]
    for edge in figure.edges:
        ends = {edge.tail, edge.head}
        for cluster, title in titles:
            if any(title.box.hit_by(a, b) for a, b in edge.segments()):
                problems.append(f"edge {edge.id} crosses the title {title.text!r} of {cluster.id}")
        for node in figure.nodes.values():
            if node.name in ends:
                continue
            for text in node.texts:
                if any(text.box.hit_by(a, b) for a, b in edge.segments()):
                    problems.append(f"edge {edge.id} crosses the label {text.text!r} of {node.id}")
            if not node.texts and any(node.hit_by(a, b) for a, b in edge.segments()):
                problems.append(f"edge {edge.id} crosses node {node.id}")
        for other, text in labels:
            if other is not edge and any(text.box.hit_by(a, b) for a, b in edge.segments()):
                problems.append(f"edge {edge.id} crosses the label {text.text!r} of {other.id}")
    for cluster in figure.clusters:
        inside = [e for e in figure.edges if {e.tail, e.head} <= cluster.nodes]
        for i, first in enumerate(inside):
            for second in inside[i + 1 :]:
                where = edge_crossing(figure, first, second)
                if where is not None:
                    problems.append(
                        f"edges {first.id} and {second.id} of {cluster.id} cross at "
                        f"({where[0]:.0f}, {where[1]:.0f})"
                    )
    return problems


def edge_crossing(figure: Figure, first: Edge, second: Edge) -> Point | None:
    """Where two edges cross, away from the nodes they share; ``None`` if they do not."""
    shared = [figure.nodes[n].box.grown(_NEAR) for n in {first.tail, first.head}
              & {second.tail, second.head} if n in figure.nodes]
    for a, b in first.segments():
        for c, d in second.segments():
            where = _crossing(a, b, c, d)
            if where is not None and not any(box.contains(where) for box in shared):
                return where
    return None


def svg_text_positions(svg: bytes) -> list[tuple[str, float, float]]:
    """``(text, x, y)`` of every ``<text>`` of a Graphviz SVG, ``y`` flipped to point up."""
    root = ET.fromstring(svg)
    out = []
    for el in root.iter("{http://www.w3.org/2000/svg}text"):
        out.append((el.text or "", float(el.get("x", "0")), -float(el.get("y", "0"))))
    return sorted(out)


def json_text_positions(dot_source: str) -> list[tuple[str, float, float]]:
    """``(text, x, y)`` of every text ``dot -Tjson`` draws, for comparison with the SVG."""
    data = dot_json(dot_source)
    out = []
    for obj in [*data.get("objects", []), *data.get("edges", [])]:
        for key in ("_ldraw_", "_tldraw_", "_hldraw_"):
            for op in obj.get(key, []):
                if op["op"] == "T":
                    out.append((op["text"], round(op["pt"][0], 2), round(op["pt"][1], 2)))
    return sorted(out)


# --- columns: the notation graph's main paths drawn straight -------------------------

_ALIGNED = 1.0
"""Nodes of one straight column may differ this much (points) across it."""


def longest_path(graph: Graph, members: set[str] | None = None, end: str | None = None) -> list[str]:
    """The longest path (by node count) through ``members`` (default: all nodes), ending
    at ``end`` if given; ties go to the earlier in-edge."""
    allowed = members if members is not None else {n.id for n in graph.nodes}
    best: dict[str, tuple[int, str | None]] = {}
    for node_id in _topological(graph):
        if node_id not in allowed:
            continue
        length, prev = 1, None
        for edge in graph.in_edges(node_id):
            if edge.src in best and best[edge.src][0] + 1 > length:
                length, prev = best[edge.src][0] + 1, edge.src
        best[node_id] = (length, prev)
    if not best:
        return []
    last = end if end is not None else max(best, key=lambda n: best[n][0])
    path: list[str] = []
    current: str | None = last
    while current is not None:
        path.append(current)
        current = best[current][1]
    return path[::-1]


def _topological(graph: Graph) -> list[str]:
    pending = {n.id: len(graph.in_edges(n.id)) for n in graph.nodes}
    ready = [n.id for n in graph.nodes if pending[n.id] == 0]
    order: list[str] = []
    while ready:
        node_id = ready.pop(0)
        order.append(node_id)
        for edge in graph.out_edges(node_id):
            pending[edge.dst] -= 1
            if pending[edge.dst] == 0:
                ready.append(edge.dst)
    return order


def residual_add(graph: Graph, cluster: NotationCluster) -> str | None:
    """The cluster's residual sum: its last add with two or more inputs."""
    adds = [i for i in cluster.node_ids
            if graph.node(i).kind is Kind.ADD and len(graph.in_edges(i)) >= 2]
    return adds[-1] if adds else None


def alignment_problems(graph: Graph, figure: Figure, direction: str = "TB", *,
                       spine: bool = True) -> list[str]:
    """Where the figure is not one straight column: the spine (longest path from the
    input to the output; unless not ``spine``: a figure wrapped into columns) and each
    residual block's main path (its longest branch into the add) must each share one
    position across the flow, and every other node feeding the add (the shortcut) must
    lie beside that column, not on it."""
    names = {node.id: f"n{index}" for index, node in enumerate(graph.nodes)}
    axis = 0 if direction == "TB" else 1

    def across(node_id: str) -> float:
        return figure.nodes[names[node_id]].box.center[axis]

    def column(path: list[str], what: str) -> list[str]:
        spots = [across(n) for n in path]
        if max(spots) - min(spots) <= _ALIGNED:
            return []
        off = [graph.node(n).label or n for n, x in zip(path, spots) if abs(x - spots[0]) > _ALIGNED]
        return [f"{what} is not straight: {off} off the column of {graph.node(path[0]).label!r}"]

    problems = column(longest_path(graph), "the spine") if spine else []
    for cluster in graph.clusters:
        add = residual_add(graph, cluster)
        if add is None:
            continue
        members = set(cluster.node_ids)
        main = longest_path(graph, members, add)
        problems += column(main, f"the main path of {cluster.title or cluster.id!r}")
        x = across(main[0])
        feeding = _ancestors(graph, add, members) - set(main)
        for node_id in sorted(feeding):
            box = figure.nodes[names[node_id]].box
            low, high = (box.x0, box.x1) if axis == 0 else (box.y0, box.y1)
            if low < x < high:
                problems.append(f"shortcut node {graph.node(node_id).label!r} of "
                                f"{cluster.title or cluster.id!r} sits on the main column")
    return problems


def _ancestors(graph: Graph, node_id: str, members: set[str]) -> set[str]:
    seen: set[str] = set()
    todo = [node_id]
    while todo:
        for edge in graph.in_edges(todo.pop()):
            if edge.src in members and edge.src not in seen:
                seen.add(edge.src)
                todo.append(edge.src)
    return seen
