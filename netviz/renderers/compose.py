"""One DOT figure from parts laid out apart: every position fixed, Graphviz draws it.

Each part's ``dot -Tjson`` layout lists its clusters, nodes and edges with every
attribute they were given and every position ``dot`` chose. Moved to where the
snake places them, they are written back as DOT with ``layout=nop2`` and
``notranslate=true``: Graphviz then draws the nodes, clusters, splines and labels
exactly there (``neato -n2``), whatever the output format, and ``dot -Tjson`` gives
the TikZ renderer the same drawing.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

import graphviz

from netviz.renderers.binary import run_dot
from netviz.renderers.escape import dot_id, dot_label
from netviz.renderers.glyphs import glyph_for, mark_text
from netviz.renderers.theme import FONT, edge_attrs, get_theme, title_attrs
from netviz.renderers.xlabels import place_xlabels

if TYPE_CHECKING:
    from netviz.renderers.snake import Wrapped

Point = tuple[float, float]
Box = tuple[float, float, float, float]
"""``(x0, y0, x1, y1)`` in points."""

_GRAPH_KEYS = ("bgcolor", "fontcolor", "fontname", "fontsize", "id", "margin", "pad")
"""Graph attributes a part's layout passes on to the whole."""
_SKIP = frozenset({"name", "nodes", "edges", "subgraphs", "tail", "head", "bb", "pos", "lp",
                   "xlp", "group", "weight", "rank", "newrank", "rankdir", "nodesep",
                   "ranksep", "pad", "labeljust", "labelloc", "constraint"})
"""Layout-only attributes (and positions, which are written moved)."""
_POINT = re.compile(r"(-?[\d.]+),(-?[\d.]+)")


def compose(wrapped: Wrapped) -> str:
    """The DOT text of a wrapped figure (see [`Wrapped`][netviz.renderers.snake.Wrapped])."""
    snake = wrapped.snake
    theme = get_theme(snake.theme)
    first = snake.laid[0].layout
    graph_attr = {k: str(first[k]) for k in _GRAPH_KEYS if k in first}
    graph_attr.update(layout="nop2", notranslate="true")
    dot = graphviz.Digraph(name=dot_id(snake.graph.name), graph_attr=graph_attr,
                           edge_attr=edge_attrs(theme, snake.spacing))
    for k, laid in enumerate(snake.laid):
        _emit(dot, laid.layout, wrapped.shift(*wrapped.offsets[k]))
    if snake.legend is not None and wrapped.legend_offset is not None:
        _emit(dot, snake.legend.layout, wrapped.shift(*wrapped.legend_offset))
    prefix = dot_id(snake.graph.name)
    for index, (points, tip, label) in wrapped.routes.items():
        edge = snake.graph.edges[index]
        attrs = {"id": f"{prefix}-e{index}"}
        glyph = glyph_for(edge.mark)
        if glyph is not None:
            attrs["arrowhead"] = glyph.arrowhead
        drawn = [wrapped.point(*p) for p in points]
        attrs["pos"] = f"e,{_xy(wrapped.point(*tip))} " + " ".join(_xy(p) for p in _polyline(drawn))
        if label is not None and edge.mark is not None:
            attrs["xlabel"] = dot_label(mark_text(edge.mark))
            attrs["xlp"] = _xy(wrapped.point(*label))
        dot.edge(snake.naming.nodes[edge.src], snake.naming.nodes[edge.dst], **attrs)
    if snake.graph.caption:
        x0, y0, x1, _ = wrapped.extent()
        _, h = snake.sizes[snake.graph.caption]
        dot.attr(label=dot_label(snake.graph.caption), labelloc="b", labeljust="c",
                 fontsize=title_attrs(theme)["fontsize"], fontcolor=theme.text,
                 lp=_xy(((x0 + x1) / 2, y0 + h / 2)))
    return dot.source


def _emit(dot: graphviz.Digraph, data: dict[str, Any], offset: Point) -> None:
    """Add a part's clusters, nodes and visible edges to ``dot``, moved by ``offset``;
    its mark labels placed clear of everything (see [`place_xlabels`][netviz.renderers.xlabels.place_xlabels])."""
    dx, dy = offset
    count = int(data.get("_subgraph_cnt", 0))
    objects = data.get("objects", [])
    owner: dict[int, str] = {}
    for obj in objects[:count]:
        if obj["name"].startswith("cluster"):
            for gvid in obj.get("nodes", []):
                owner.setdefault(gvid, obj["name"])
    for obj in objects[:count]:
        if obj["name"].startswith("cluster"):
            with dot.subgraph(name=obj["name"]) as sub:
                sub.attr(**_attrs(obj, dx, dy))
                for gvid in obj.get("nodes", []):
                    if owner.get(gvid) == obj["name"]:
                        sub.node(objects[gvid]["name"], **_attrs(objects[gvid], dx, dy))
    for obj in objects[count:]:
        if obj["_gvid"] not in owner:
            dot.node(obj["name"], **_attrs(obj, dx, dy))
    spots = place_xlabels(data)
    for index, edge in enumerate(data.get("edges", [])):
        if edge.get("style") == "invis":
            continue
        attrs = _attrs(edge, dx, dy)
        if index in spots:
            attrs["xlp"] = _xy((spots[index][0] + dx, spots[index][1] + dy))
        dot.edge(objects[edge["tail"]]["name"], objects[edge["head"]]["name"], **attrs)


def _attrs(obj: dict[str, Any], dx: float, dy: float) -> dict[str, Any]:
    """An object's DOT attributes from its ``-Tjson`` record, its positions moved."""
    attrs: dict[str, Any] = {k: str(v) for k, v in obj.items()
                             if not k.startswith("_") and k not in _SKIP}
    for key in ("pos", "lp", "xlp"):
        if key in obj:
            attrs[key] = _POINT.sub(
                lambda m: f"{float(m[1]) + dx:.2f},{float(m[2]) + dy:.2f}", str(obj[key]))
    if "bb" in obj:
        x0, y0, x1, y1 = (float(v) for v in str(obj["bb"]).split(","))
        attrs["bb"] = f"{x0 + dx:.2f},{y0 + dy:.2f},{x1 + dx:.2f},{y1 + dy:.2f}"
    for key in ("label", "xlabel"):
        if key in attrs:
            if attrs[key] == "":
                del attrs[key]
            else:  # the label as given in the part's DOT: no quoting of its own
                attrs[key] = graphviz.nohtml(attrs[key])
    if "label" in attrs and obj.get("labelloc"):  # a cluster's title above its row
        attrs["labelloc"] = str(obj["labelloc"])
        attrs["labeljust"] = str(obj.get("labeljust", "l"))
    return attrs


def _xy(point: Point) -> str:
    return f"{point[0]:.2f},{point[1]:.2f}"


def _polyline(points: list[Point]) -> list[Point]:
    """Control points of a B-spline (Graphviz's ``pos``) drawing straight lines through
    ``points``."""
    out = [points[0]]
    for (ax, ay), (bx, by) in zip(points, points[1:]):
        out += [(ax + (bx - ax) / 3, ay + (by - ay) / 3),
                (ax + 2 * (bx - ax) / 3, ay + 2 * (by - ay) / 3), (bx, by)]
    return out


def text_sizes(texts: list[str], size: float) -> dict[str, tuple[float, float]]:
    """``(width, height)`` in points of each text in the figures' font at ``size``, as
    Graphviz measures it (one ``dot`` run for all)."""
    unique = sorted(set(texts))
    if not unique:
        return {}
    dot = graphviz.Digraph(node_attr={"shape": "plaintext", "margin": "0", "width": "0",
                                      "height": "0", "fontname": FONT, "fontsize": f"{size:g}"})
    for i, text in enumerate(unique):
        dot.node(f"t{i}", label=dot_label(text))
    data = json.loads(run_dot(dot.source, "json"))
    sizes = {}
    for obj in data.get("objects", []):
        sizes[unique[int(obj["name"][1:])]] = (float(obj["width"]) * 72,
                                               float(obj["height"]) * 72)
    return sizes
