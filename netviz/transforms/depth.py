"""Levels of detail: draw every module at one level of the module tree as one box.

The module tree is the one the model's author named (``Graph.modules``): level 0 is
the model itself, level 1 its children (``layer1``, ``fc``), level 2 theirs
(``layer1.0``) and so on, as ``netviz summary --depth`` counts them. At depth ``N``
each module of level ``N`` that runs two or more drawn ops (convolutions, linear
layers, sums... not the norms and activations that ride on edges) becomes one box:
its class as the code names it, the width entering it and the width leaving it
(``Bottleneck 64C → 256C``), and, holding every op it stands for, their parameters, MACs and op counts.
A module that runs one drawn op keeps it (``7x7 64C 2S 3P`` says more than a box);
ops outside every module of level ``N`` (the stem and head of a model whose blocks
sit at that level) stay as they are.

A container (``Sequential``, ``ModuleList``) whose children are all of one class is
named by them: ``Bottleneck x 3, 64C → 256C``, ``LlamaDecoderLayer x 32, 4096D →
4096D``. Boxes that repeat one after the other with the same contents fold into
one, as blocks do: ``Bottleneck x 2, 256C → 256C`` (with ``fold``).

A pure function of the raw trace (no torch), run first in the pipeline; idempotent.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import TYPE_CHECKING

from netviz.errors import UsageError
from netviz.ir import Graph, Kind, Node
from netviz.transforms.blocks import CONTAINERS
from netviz.transforms.labels import width_text
from netviz.transforms.regions import merge_regions
from netviz.text import one_line

if TYPE_CHECKING:
    from netviz.transforms.pipeline import NotationOptions

BOX_TYPE = "module"
"""``type_name`` of a box (the same as a module collapsed to keep a page)."""

_LIGHT = frozenset({Kind.NORM, Kind.ACT, Kind.RESHAPE, Kind.DROPOUT, Kind.INPUT, Kind.OUTPUT,
                    Kind.DATA, Kind.SPLIT})
"""Ops that do not make a module worth a box: they ride on edges or draw as nothing."""


def level(path: str) -> int:
    """The level of module ``path`` in the module tree: 0 for the model (``""``),
    1 for ``layer1``, 2 for ``layer1.0``."""
    return path.count(".") + 1 if path else 0


def ancestor_at(scope: str, depth: int) -> str | None:
    """The module of level ``depth`` that ``scope`` lies in; ``None`` when ``scope`` is
    shallower (an op of the model's own forward at depth 1)."""
    if depth == 0:
        return ""
    parts = scope.split(".") if scope else []
    return ".".join(parts[:depth]) if len(parts) >= depth else None


def box_text(name: str, repeat: int = 1, widths: tuple[str, str] = ("", "")) -> str:
    """A box's label: ``Bottleneck 64C → 256C``, ``Bottleneck x 2, 256C → 256C``;
    ``LlamaModel → 4096D`` when the width entering is unknown (token ids)."""
    text = f"{name} x {repeat}" if repeat > 1 else name
    entering, leaving = widths
    if not leaving:
        return text
    span = f"{entering} → {leaving}" if entering else f"→ {leaving}"
    return f"{text}, {span}" if " x " in text else f"{text} {span}"


def collapse_depth(graph: Graph, depth: int | None = None, *, fold: bool = True) -> Graph:
    """Draw each module of level ``depth`` that runs two or more drawn ops as one box.

    Args:
        graph: A raw trace (or a graph this transform already made: unchanged).
        depth: The level whose modules become boxes; ``None`` leaves the graph as it is.
        fold: Fold runs of identical consecutive boxes into one (``x n``).

    Returns:
        The graph with each such module's ops replaced by its box: the edges into and
        out of the module rewired to it, its params and MACs the sums of its ops',
        its ``ops`` attribute counting them by kind.
    """
    if depth is None:
        return graph
    regions: dict[str, list[str]] = {}
    for node in graph.nodes:
        if node.kind in (Kind.INPUT, Kind.OUTPUT):
            continue
        path = ancestor_at(node.scope, depth)
        if path is not None:
            regions.setdefault(path, []).append(node.id)
    boxes: dict[str, Node] = {}
    owner: dict[str, str] = {}
    for path, members in regions.items():
        nodes = [graph.node(i) for i in members]
        if sum(n.kind not in _LIGHT for n in nodes) < 2:
            continue  # one op (or none worth a box): it says more than a box would
        box = _box(graph, path, members)
        boxes[members[0]] = box
        owner.update(dict.fromkeys(members, box.id))
    collapsed = merge_regions(graph, owner, boxes) if boxes else graph
    return fold_boxes(collapsed) if fold else collapsed


def _box(graph: Graph, path: str, members: list[str]) -> Node:
    inside = set(members)
    nodes = [graph.node(i) for i in members]
    entering = [e.src for i in members for e in graph.in_edges(i) if e.src not in inside]
    leaving = [i for i in members if any(e.dst not in inside for e in graph.out_edges(i))]
    last = graph.node(leaving[-1]) if leaving else nodes[-1]
    name = _name(graph, path, members)
    first = graph.node(entering[0]) if entering else None
    widths = _widths(first, last)
    ops = Counter(n.kind.value for n in nodes)
    for n in nodes:  # a box holding boxes (a deeper depth first) holds their ops too
        inner = n.attr("ops")
        if isinstance(inner, tuple):
            ops.update({kind: count for kind, count in inner})
            ops[n.kind.value] -= 1
    return Node(
        id=f"{path}:depth", kind=Kind.OTHER, type_name=BOX_TYPE, scope=path,
        attrs=(("box", name), ("module", box_text(name, 1, widths)),
               ("ops", tuple(sorted((k, c) for k, c in ops.items() if c))),
               ("repeat", 1), ("widths", widths)),
        shape=last.shape, feature_axis=last.feature_axis,
        params=sum(n.params for n in nodes), macs=sum(n.macs for n in nodes),
    )


def _name(graph: Graph, path: str, members: list[str]) -> str:
    """The module's class; a container of one class is named by its children's."""
    types = graph.module_types
    cls = types.get(path, "")
    if cls in CONTAINERS:
        children = sorted({_child(graph.node(i).scope, path) for i in members} - {None},
                          key=str)
        kinds = {types.get(c, "") for c in children if c is not None}
        if len(children) >= 2 and len(kinds) == 1 and "" not in kinds:
            return one_line(f"{kinds.pop()} x {len(children)}")
    return one_line(cls or path or graph.name)


def _child(scope: str, path: str) -> str | None:
    """The child of module ``path`` that ``scope`` lies in (``None``: ``path`` itself)."""
    if scope == path or not scope.startswith(path + "." if path else ""):
        return None
    rest = scope[len(path) + 1:] if path else scope
    return (path + "." if path else "") + rest.split(".")[0]


def _widths(first: Node | None, last: Node) -> tuple[str, str]:
    """The widths entering and leaving a box (``("64C", "256C")``); ``""`` where unknown."""
    def known(node: Node | None) -> str:
        if node is None or node.feature_axis is None or not node.shape:
            return ""
        return width_text(node)

    return known(first), known(last)


def fold_boxes(graph: Graph) -> Graph:
    """Fold each run of identical boxes, one feeding the next, into one box ``x n``.

    Identical: the same class, widths, output shape, parameters, MACs and ops. A box
    of the run may read other tensors too (a decoder layer reads the rotary
    embedding) when the first box reads them as well. Idempotent.
    """
    boxes = [n for n in graph.nodes if n.type_name == BOX_TYPE and n.attr("box") is not None]
    done: set[str] = set()
    owner: dict[str, str] = {}
    merged: dict[str, Node] = {}
    for box in boxes:
        if box.id in done:
            continue
        run = [box]
        while True:
            after = {e.dst for e in graph.out_edges(run[-1].id)}
            if len(after) != 1:
                break
            following = graph.node(after.pop())
            sources = {e.src for e in graph.in_edges(following.id)} - {run[-1].id}
            if (following.type_name != BOX_TYPE or _signature(following) != _signature(box)
                    or not sources <= {e.src for e in graph.in_edges(box.id)}):
                break
            run.append(following)
        done.update(n.id for n in run)
        if len(run) < 2:
            continue
        merged[box.id] = _merged(run)
        owner.update(dict.fromkeys((n.id for n in run), box.id))
    return merge_regions(graph, owner, merged) if merged else graph


def _signature(node: Node) -> tuple[object, ...]:
    return node.attr("box"), node.attr("widths"), node.attr("ops"), node.shape, node.params, \
        node.macs, node.attr("repeat")


def _merged(run: list[Node]) -> Node:
    first, n = run[0], len(run)
    before = first.attr("repeat")
    repeat = n * (before if isinstance(before, int) else 1)
    ops = first.attr("ops")
    counts = tuple((k, c * n) for k, c in ops) if isinstance(ops, tuple) else ()
    widths = first.attr("widths")
    attrs = dict(first.attrs)
    attrs.update(module=box_text(str(first.attr("box")), repeat,
                                 widths if isinstance(widths, tuple) else ("", "")),
                 ops=counts, repeat=repeat)
    return Node(
        id=first.id, kind=first.kind, type_name=first.type_name, scope=first.scope,
        attrs=tuple(sorted(attrs.items())), shape=run[-1].shape,
        feature_axis=run[-1].feature_axis, params=sum(b.params for b in run),
        macs=sum(b.macs for b in run),
    )


def check_depth(depth: object) -> int | None:
    """``depth`` if it is ``None`` or a whole number ``>= 0``.

    Raises:
        UsageError: anything else (a negative number, a fraction, a word).
    """
    if depth is None:
        return None
    if isinstance(depth, bool) or not isinstance(depth, int):
        raise UsageError(f"depth must be a whole number >= 0 (0: the model as one box), "
                         f"not {depth!r}")
    if depth < 0:
        raise UsageError(f"depth must be >= 0 (0: the model as one box), not {depth}")
    return depth


def parse_depth(text: str) -> int:
    """A depth as written on the command line (``"2"``).

    Raises:
        UsageError: not a whole number ``>= 0``.
    """
    try:
        value = int(text.strip())
    except ValueError:
        raise UsageError(f"depth must be a whole number >= 0 (0: the model as one box), "
                         f"not {text!r}") from None
    checked = check_depth(value)
    assert checked is not None
    return checked


def deepest_level(graph: Graph) -> int:
    """The deepest level of the module tree of ``graph`` (a trace or a notation graph)."""
    return max((level(path) for path, _ in graph.modules), default=0)


def detail_levels(graph: Graph, options: NotationOptions) -> list[tuple[str, NotationOptions]]:
    """The levels of detail a figure can be drawn at, the most detailed first: as asked;
    folded (if it was not); then each depth from the deepest but one up to 1 (unless a
    depth was asked for). Each is named for a message (``""``: as asked)."""
    levels = [("", options)]
    if not options.fold:
        options = dataclasses.replace(options, fold=True)
        levels.append(("folded", options))
    if options.depth is None:
        for depth in range(deepest_level(graph) - 1, 0, -1):
            levels.append((f"modules of level {depth} as boxes (depth {depth})",
                           dataclasses.replace(options, depth=depth)))
    return levels
