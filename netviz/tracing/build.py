"""Turn a propagated fx graph into the IR ``Graph``.

One IR node per tensor-producing fx node that depends on an input, in
execution order. Weights reached through ``get_attr`` (and ops on weights
only) are not nodes: their parameters count for the first node using them.
Non-tensor nodes (``x.size(0)``) are dropped; edges join tensor nodes only.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch.fx
from torch import nn

from netviz.ir import Edge, Graph, Node, Shape, kind_of
from netviz.tracing.attrs import module_attrs
from netviz.tracing.fx import Value
from netviz.tracing.names import function_name, method_name
from netviz.tracing.params import ParamLedger

OUTPUT_ID = "output"


def _type_name(node: torch.fx.Node, module: nn.Module | None) -> str:
    if node.op == "placeholder":
        return "input"
    if node.op == "output":
        return "output"
    if node.op == "call_module":
        return type(module).__name__
    if node.op == "call_function":
        return function_name(node.target)
    return method_name(str(node.target))


def _scope(node: torch.fx.Node) -> str:
    if node.op == "call_module":
        return str(node.target)
    stack = node.meta.get("nn_module_stack")
    if not stack:
        return ""
    return str(next(reversed(stack.values()))[0])


def _ids(kept: Sequence[torch.fx.Node]) -> dict[torch.fx.Node, str]:
    """fx names, with the output renamed ``"output"`` (and any clash moved aside)."""
    ids = {n: (OUTPUT_ID if n.op == "output" else n.name) for n in kept}
    taken = set(ids.values())
    for n in kept:
        if n.op != "output" and ids[n] == OUTPUT_ID:
            new, i = f"{n.name}_in", 1
            while new in taken:
                new, i = f"{n.name}_in{i}", i + 1
            ids[n] = new
            taken.add(new)
    return ids


def _module_params(module: nn.Module) -> list:
    """``list(module.parameters())``, without its recursive walk for a childless layer."""
    if module._modules:
        return list(module.parameters())
    params: dict[int, nn.Parameter] = {}
    for param in module._parameters.values():
        if param is not None:
            params.setdefault(id(param), param)
    return list(params.values())


def _own_params(node: torch.fx.Node, root: nn.Module, modules: dict[str, nn.Module]) -> list:
    if node.op == "call_module":
        return _module_params(modules[str(node.target)])
    if node.op == "get_attr":
        obj: object = root
        for part in str(node.target).split("."):
            obj = getattr(obj, part, None)
        if isinstance(obj, nn.Parameter):
            return [obj]
        if isinstance(obj, nn.Module):
            return list(obj.parameters())
    return []


def build_graph(
    fx_graph: torch.fx.Graph,
    root: nn.Module,
    values: dict[str, Value],
    input_shapes: Sequence[Shape],
    name: str,
) -> Graph:
    """Build the IR graph from an fx graph and the values ``propagate`` recorded."""
    modules = dict(root.named_modules())
    depends: set[torch.fx.Node] = set()
    kept: list[torch.fx.Node] = []
    kept_set: set[torch.fx.Node] = set()
    pending: dict[torch.fx.Node, list] = {}  # params of dropped nodes, passed downstream
    for node in fx_graph.nodes:
        inputs = node.all_input_nodes
        if node.op == "placeholder" or any(i in depends for i in inputs):
            depends.add(node)
        value = values.get(node.name)
        # inputs left at a non-tensor default (``scale: float = 2.0``) are not nodes
        keep = node.op == "output" or (
            node in depends and node.op != "get_attr" and value is not None and value.tensors
        )
        carried = [p for i in inputs if i not in kept_set for p in pending.get(i, ())]
        pending[node] = _own_params(node, root, modules) + carried
        if keep:
            kept.append(node)
            kept_set.add(node)

    ids = _ids(kept)
    ledger = ParamLedger()
    nodes: list[Node] = []
    edges: list[Edge] = []
    for node in kept:
        module = modules.get(str(node.target)) if node.op == "call_module" else None
        type_name = _type_name(node, module)
        value = values.get(node.name)
        attrs = module_attrs(module) if module is not None else (value.attrs if value else ())
        nodes.append(
            Node(
                id=ids[node],
                kind=kind_of(type_name),
                type_name=type_name,
                scope=_scope(node) if node.op not in ("placeholder", "output") else "",
                attrs=attrs,
                shape=value.shape if value else None,
                params=ledger.take(pending[node]),
            )
        )
        seen: set[str] = set()
        for src in node.all_input_nodes:
            if src in kept_set and ids[src] not in seen:
                seen.add(ids[src])
                edges.append(Edge(ids[src], ids[node]))
    meta = (("input_shapes", tuple(tuple(int(d) for d in s) for s in input_shapes)),)
    return Graph(name=name, nodes=tuple(nodes), edges=tuple(edges), meta=meta)
