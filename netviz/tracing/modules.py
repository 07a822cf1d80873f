"""The module tree a trace ran in: each path's class name, for the IR's ``modules``."""

from __future__ import annotations

from torch import nn

from netviz.ir import Graph


def module_classes(root: nn.Module, graph: Graph) -> tuple[tuple[str, str], ...]:
    """``(path, class name)`` of the modules the graph's ops run in and of their ancestors."""
    paths: dict[str, None] = {}
    for node in graph.nodes:
        parts = node.scope.split(".") if node.scope else []
        for end in range(len(parts) + 1):
            paths.setdefault(".".join(parts[:end]))
    out = []
    for path in paths:
        try:
            module = root.get_submodule(path)
        except AttributeError:  # a layer kept outside the module tree (a plain list)
            continue
        out.append((path, type(module).__name__))
    return tuple(out)
