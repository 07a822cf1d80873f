"""The module tree a trace ran in: each path's class name, for the IR's ``modules``; the
names of its parameters and buffers as operands."""

from __future__ import annotations

import operator
from collections.abc import Mapping

from torch import nn

from netviz.ir import Graph
from netviz.tracing.attrs import operand_name


def module_classes(
    root: nn.Module, graph: Graph, modules: Mapping[str, nn.Module] | None = None
) -> tuple[tuple[str, str], ...]:
    """``(path, class name)`` of the modules the graph's ops run in and of their ancestors.

    Args:
        root: The traced model.
        graph: Its trace.
        modules: ``dict(root.named_modules())`` when the caller has it already.
    """
    named = dict(root.named_modules()) if modules is None else modules
    paths = set(map(_SCOPE, graph.nodes))
    new = paths
    while new:  # the scopes' ancestors, a level at a time, up to the root ("")
        new = set(map(_HEAD, map(_SPLIT, filter(None, new)))) - paths
        paths |= new
    # by depth, then path (a sort by path, then a stable one by depth); a layer kept
    # outside the module tree (a plain list) has no class to name here
    found = sorted(filter(named.__contains__, paths))
    found.sort(key=_DEPTH)
    return tuple(zip(found, map(_NAME, map(type, map(named.__getitem__, found)))))


_SCOPE = operator.attrgetter("scope")
_SPLIT = operator.methodcaller("rpartition", ".")
_HEAD = operator.itemgetter(0)
_DEPTH = operator.methodcaller("count", ".")
_NAME = operator.attrgetter("__name__")


_WALKS = ("named_modules", "named_parameters", "named_buffers", "_named_members")


def operand_names(root: nn.Module, modules: list[tuple[str, nn.Module]]) -> dict[int, str]:
    """``operand_name`` of each parameter and buffer of ``root`` (by ``id``), as
    ``named_parameters()`` and ``named_buffers()`` name them (each tensor under its first
    name), read from ``modules`` (``root.named_modules()``) instead of walking again."""
    if any(getattr(cls, walk) is not getattr(nn.Module, walk)
           for cls in {type(m) for _, m in modules} for walk in _WALKS):  # its own walk: ask it
        return {id(t): operand_name(path)
                for path, t in (*root.named_parameters(), *root.named_buffers())}
    names: dict[int, str] = {}
    for table in ("_parameters", "_buffers"):
        seen: set[int] = set()
        for _, module in modules:
            for name, tensor in getattr(module, table).items():
                if tensor is not None and id(tensor) not in seen:
                    seen.add(id(tensor))
                    names[id(tensor)] = operand_name(name)
    return names
