"""The module tree a trace ran in: each path's class name, for the IR's ``modules``."""

from __future__ import annotations

from collections.abc import Mapping

from torch import nn

from netviz.ir import Graph


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
    paths: dict[str, None] = {}
    for scope in {node.scope for node in graph.nodes}:
        path = scope
        while path not in paths:  # the scope and its ancestors, up to the root ("")
            paths[path] = None
            if not path:
                break
            path = path.rpartition(".")[0]
    # by depth, then path; a layer kept outside the module tree (a plain list) has no
    # class to name here
    depths: dict[int, list[str]] = {}
    for path in paths:
        if path in named:
            depths.setdefault(path.count("."), []).append(path)
    return tuple((path, type(named[path]).__name__)
                 for depth in sorted(depths) for path in sorted(depths[depth]))
