"""Where a mark's label goes in a tight figure: beside its edge, clear of everything else.

A print figure attaches mark labels as Graphviz ``xlabel``s, which take no room in the
layout (a ``label`` takes a rank of its own). Graphviz puts an ``xlabel`` near the
edge's middle even where it covers another edge or an arrowhead; this module moves
each one to the first spot along its edge (middle first, then towards either end, on
either side) whose box touches no node, no cluster title, no other edge and no label
already placed. Pure geometry on a ``dot -Tjson`` layout, in points, ``y`` up.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

Point = tuple[float, float]
Box = tuple[float, float, float, float]

_FRACTIONS = (0.5, 0.35, 0.65, 0.2, 0.8, 0.1, 0.9)
"""Where along its edge a label is tried, in order."""
_CLEAR = 1.5
"""Points between a label and anything it must not touch."""
_SAMPLES = 12


def place_xlabels(layout: dict[str, Any]) -> dict[int, Point]:
    """The centre of each edge's ``xlabel`` (by the edge's index in ``layout["edges"]``);
    an edge with no free spot keeps Graphviz's."""
    count = int(layout.get("_subgraph_cnt", 0))
    objects = layout.get("objects", [])
    obstacles: list[Box] = []
    for obj in objects[count:]:
        if "pos" in obj:
            x, y = (float(v) for v in obj["pos"].split(","))
            w, h = float(obj["width"]) * 36, float(obj["height"]) * 36
            round_ = obj.get("shape") in ("circle", "doublecircle", "ellipse", "oval")
            k = 0.72 if round_ else 1.0  # a circle leaves its box's corners free
            obstacles.append((x - k * w, y - k * h, x + k * w, y + k * h))
            obstacles += [box for box, _ in _texts(obj.get("_ldraw_", []))]
    for obj in objects[:count]:
        obstacles += [box for box, _ in _texts(obj.get("_ldraw_", []))]
    edges = layout.get("edges", [])
    paths = {i: edge_path(e) for i, e in enumerate(edges) if e.get("style") != "invis"}
    for i, edge in enumerate(edges):  # labels Graphviz laid out with the figure
        if i in paths and "lp" in edge:
            obstacles += [box for box, _ in _texts(edge.get("_ldraw_", []))]
    placed: dict[int, Point] = {}
    for i, edge in enumerate(edges):
        texts = list(_texts(edge.get("_ldraw_", []))) if "xlp" in edge else []
        if i not in paths or not texts:
            continue
        (x0, y0, x1, y1), _ = texts[0]
        size = (x1 - x0, y1 - y0)
        head = objects[edge["head"]] if edge.get("head", -1) < len(objects) else None
        head_box = _node_box(head) if head is not None and "pos" in head else None
        others = [p for j, p in paths.items() if j != i]
        spot = _spot(paths[i], size, head_box, obstacles, others)
        if spot is not None:
            placed[i] = spot
            obstacles.append(_box_at(spot, size))
    return placed


def _node_box(obj: dict[str, Any]) -> Box:
    x, y = (float(v) for v in obj["pos"].split(","))
    w, h = float(obj["width"]) * 36, float(obj["height"]) * 36
    return (x - w, y - h, x + w, y + h)


def _candidates(path: list[Point], size: tuple[float, float],
                head: Box | None) -> Iterator[Point]:
    """Spots beside the edge (its middle first, then towards its ends, nearer first),
    then beside its head node's side where the edge comes in."""
    length = _length(path)
    w, h = size
    for distance in (2.5, 6.0):
        for fraction in _FRACTIONS:
            (px, py), (dx, dy) = _at(path, fraction * length)
            if abs(dy) >= abs(dx):  # a vertical stretch: left or right of it
                yield px + w / 2 + distance, py
                yield px - w / 2 - distance, py
            else:  # a horizontal one: above or below
                yield px, py + h / 2 + distance - 0.5
                yield px, py - h / 2 - distance + 0.5
    if head is not None:
        x0, y0, x1, y1 = head
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        tip = path[-1]
        if abs(tip[1] - cy) >= abs(tip[0] - cx):  # in through the top or bottom
            y = cy + (y1 - cy) / 2 if tip[1] > cy else cy - (cy - y0) / 2
            yield x0 - w / 2 - 2, y
            yield x1 + w / 2 + 2, y
        else:  # through a side
            x = cx + (x1 - cx) / 2 if tip[0] > cx else cx - (cx - x0) / 2
            yield x, y1 + h / 2 + 2
            yield x, y0 - h / 2 - 2


def _spot(path: list[Point], size: tuple[float, float], head: Box | None,
          obstacles: list[Box], others: list[list[Point]]) -> Point | None:
    """The first free centre for a label of ``size`` beside ``path``."""
    if _length(path) == 0:
        return None
    for centre in _candidates(path, size, head):
        box = _box_at(centre, size)
        grown = (box[0] - _CLEAR, box[1] - _CLEAR, box[2] + _CLEAR, box[3] + _CLEAR)
        if any(_overlap(grown, other) for other in obstacles):
            continue
        if any(_crosses(grown, p) for p in [*others, path]):
            continue
        return centre
    return None


def edge_path(edge: dict[str, Any]) -> list[Point]:
    """An edge's drawn path (its B-spline sampled, then its arrowhead's line)."""
    points: list[Point] = []
    for op in edge.get("_draw_", []):
        if op["op"] in "bB":
            ctrl = op["points"]
            points.append((ctrl[0][0], ctrl[0][1]))
            for k in range(0, len(ctrl) - 3, 3):
                p0, p1, p2, p3 = ctrl[k : k + 4]
                for step in range(1, _SAMPLES + 1):
                    t = step / _SAMPLES
                    a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3
                    points.append((a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0],
                                   a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]))
    end = re.match(r"e,([-\d.]+),([-\d.]+)", str(edge.get("pos", "")))
    if end and points:
        points.append((float(end.group(1)), float(end.group(2))))
    return points


def _texts(ops: list[dict[str, Any]]) -> Iterator[tuple[Box, str]]:
    """The box of each text an xdot operation list draws (Helvetica's ascent, descent)."""
    size = 14.0
    for op in ops:
        if op["op"] == "F":
            size = float(op["size"])
        elif op["op"] == "T":
            (x, y), width = op["pt"], float(op["width"])
            left = {"l": x, "r": x - width}.get(op["align"], x - width / 2)
            yield (left, y - 0.22 * size, left + width, y + 0.78 * size), op["text"]


def _box_at(centre: Point, size: tuple[float, float]) -> Box:
    (x, y), (w, h) = centre, size
    return (x - w / 2, y - h / 2, x + w / 2, y + h / 2)


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _length(path: list[Point]) -> float:
    return sum(math.dist(a, b) for a, b in zip(path, path[1:]))


def _at(path: list[Point], distance: float) -> tuple[Point, Point]:
    """The point ``distance`` along ``path`` and the direction there."""
    for a, b in zip(path, path[1:]):
        step = math.dist(a, b)
        if step and distance <= step:
            t = distance / step
            return (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])), (b[0] - a[0], b[1] - a[1])
        distance -= step
    a, b = path[-2], path[-1]
    return b, (b[0] - a[0], b[1] - a[1])


def _crosses(box: Box, path: list[Point]) -> bool:
    return any(_segment_hits(box, a, b) for a, b in zip(path, path[1:]))


def _segment_hits(box: Box, a: Point, b: Point) -> bool:
    """Whether segment ``a``–``b`` passes through ``box`` (Liang–Barsky clipping)."""
    x0, y0, x1, y1 = box
    t0, t1 = 0.0, 1.0
    dx, dy = b[0] - a[0], b[1] - a[1]
    for p, q in ((-dx, a[0] - x0), (dx, x1 - a[0]), (-dy, a[1] - y0), (dy, y1 - a[1])):
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
