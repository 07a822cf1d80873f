"""Turn a propagated fx graph into the IR ``Graph``.

One IR node per tensor-producing fx node that depends on an input, in
execution order. Weights reached through ``get_attr`` (and ops on weights
only) are not nodes: their parameters count for the first node using them.
Non-tensor nodes (``x.size(0)``) are dropped; edges join tensor nodes only.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace

import torch.fx
from torch import nn

from netviz import ops
from netviz.ir import Attr, Edge, Graph, Kind, Node, Shape
from netviz.ir.accounting import DATA_DEPENDENT
from netviz.ops.axes import container_axis, feature_axis, read_axis
from netviz.tracing.attrs import layer_name, layer_op, module_attrs, operand_name
from netviz.tracing.propagation import Value
from netviz.tracing.copies import copy_leaf_call
from netviz.tracing.leaves import Copy, Leaf, Plan, Unstampable, chains
from netviz.tracing.modules import module_classes
from netviz.tracing.names import function_name, method_name
from netviz.tracing.params import ParamLedger
from netviz.tracing.stamps import Instance, Stamps
from netviz.tracing.values import keyed_leaves

OUTPUT_ID = "output"


def _type_name(node: torch.fx.Node, module: nn.Module | None) -> str:
    if node.op == "placeholder":
        return "input"
    if node.op == "output":
        return "output"
    if node.op == "call_module":
        return layer_name(module, layer_op(module)) if module is not None else str(node.target)
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


def _output_leaves(node: torch.fx.Node, kept: set[torch.fx.Node]) -> list[tuple[str, torch.fx.Node]]:
    """The kept nodes the model returns, keyed by their place in the returned structure."""
    returned = node.args[0] if node.args else None
    leaves = keyed_leaves(returned, lambda v: isinstance(v, torch.fx.Node))
    return [(key, leaf) for key, leaf in leaves if leaf in kept]


def _axis(
    op: ops.Op | None, attrs: tuple, value: Value | None, inputs: list[tuple[Shape, int | None]],
) -> int | None:
    """The feature axis (an index into the shape without batch) of one node."""
    if value is None:
        return None
    axis = feature_axis(op, dict(attrs), inputs, value.full)
    return axis - 1 if axis else None


def build_graph(
    fx_graph: torch.fx.Graph,
    root: nn.Module,
    values: dict[str, Value],
    input_shapes: Sequence[Shape],
    name: str,
    keywords: Collection[str] = (),
    stamps: Stamps | None = None,
) -> Graph:
    """Build the IR graph from an fx graph and the values ``propagate`` recorded.

    A node is kept when tensor data from a model input flows into it: ops that
    depend on an input only through its size (``self.cls_token.expand(x.shape[0],
    -1, -1)``) are constants, and like weights they are folded into the first kept
    op that uses them (their parameters counted there, their names recorded as its
    ``operands``). A returned tuple or dict gets one output node per element
    (``output.logits``). The input nodes of the ``keywords`` (inputs fed by name)
    carry their name. A call traced as one node (a leaf of ``stamps``) gets the IR
    nodes of the alike call it took its values from, renamed (see
    [`netviz.tracing.leaves`][netviz.tracing.leaves]).

    Raises:
        Unstampable: A leaf's nodes cannot be copied (trace again without it).
    """
    leaves = stamps.made if stamps is not None else {}
    traced = stamps.modules if stamps is not None else None
    modules = traced if traced is not None and traced.get("") is root \
        else dict(root.named_modules())
    flows: set[torch.fx.Node] = set()  # tensor data from an input reaches the node
    kept: list[torch.fx.Node] = []
    kept_set: set[torch.fx.Node] = set()
    pending: dict[torch.fx.Node, list] = {}  # params of dropped nodes, passed downstream
    names: dict[torch.fx.Node, list[str]] = {}  # operand names of dropped nodes, likewise
    work: dict[torch.fx.Node, list[torch.fx.Node]] = {}  # dropped nodes whose MACs count here
    inputs_of: dict[torch.fx.Node, list[torch.fx.Node]] = {}
    for node in fx_graph.nodes:
        inputs = inputs_of[node] = node.all_input_nodes
        if leaves and node in leaves:
            if not all(i in kept_set for i in inputs):
                raise Unstampable(leaves[node].key, "an input is not an IR node")
            flows.add(node)
            pending[node], names[node], work[node] = [], [], []
            kept.append(node)
            kept_set.add(node)
            continue
        if node.op == "placeholder" or any(
            i in flows and (values.get(i.name) or _NO_VALUE).tensors for i in inputs
        ):
            flows.add(node)
        value = values.get(node.name)
        # inputs left at a non-tensor default (``scale: float = 2.0``) are not nodes
        keep = node.op == "output" or (
            node in flows and node.op != "get_attr" and value is not None and value.tensors
        )
        dropped = [i for i in inputs if i not in kept_set]
        pending[node] = _own_params(node, root, modules) + [
            p for i in dropped for p in pending[i]]
        names[node] = ([operand_name(str(node.target))] if node.op == "get_attr" else []) + [
            n for i in dropped for n in names[i]]
        work[node] = [node] + [d for i in dropped for d in work[i]]
        if keep:
            kept.append(node)
            kept_set.add(node)

    ids = _ids(kept)
    stale: set[torch.fx.Node] = set()  # nodes of calls leaves copy, holding counted params
    copied: set[torch.fx.Node] = set()
    if leaves:
        _leaf_ids(kept, leaves, ids)
        sources = {id(leaf.source): leaf.source for head in leaves.values()
                   for leaf in head.chain if leaf.source is not None}
        for done in sources.values():
            copied.update(done.nodes)
    made: dict[torch.fx.Node, tuple[int, int, int]] = {}  # IR node index, its edges
    copies: list[Copy] = []
    plans: dict[int, Plan] = {}  # how to copy each call leaves copy
    holders: dict[int, list[str]] = {}  # where their parameters are (copies.py)
    dependent: dict[str, None] = {}  # data-dependent aten ops the calls ran
    claimed: set[torch.fx.Node] = set()  # nodes whose MACs a kept node counts
    ledger = ParamLedger()
    axes: dict[torch.fx.Node, int | None] = _input_axes(kept, modules, values, leaves)
    nodes: list[Node] = []
    edges: list[Edge] = []
    for node in kept:
        if node.op == "output":
            _add_outputs(node, kept_set, ids, values, axes, nodes, edges)
            continue
        if leaves and node in leaves:
            for leaf in leaves[node].chain:  # a run of leaves: each one's nodes in turn
                source = leaf.source
                start, edge_start = len(nodes), len(edges)
                copy_leaf_call(leaf, source, stale, modules, ledger, made, ids, axes, nodes,
                               edges, plans, holders)
                assert source is not None  # else copy_leaf_call raised
                copies.append((leaf, source, start, len(nodes) - start,
                               edge_start, len(edges) - edge_start))
            continue
        if node in copied and not ledger.unseen(pending[node]):
            stale.add(node)
        module = modules.get(str(node.target)) if node.op == "call_module" else None
        value = values.get(node.name)
        type_name = (value.type_name if value is not None else "") or _type_name(node, module)
        if value is not None:
            attrs = value.attrs
        else:
            attrs = module_attrs(module) if module is not None else ()
        operands = tuple(dict.fromkeys(names[node]))
        if operands and node.op != "call_module":
            attrs = tuple(sorted((*attrs, ("operands", operands))))
        if node.op == "placeholder" and str(node.target) in keywords:
            attrs = (("name", str(node.target)),)
        if value is not None and value.passthrough:
            attrs = tuple(sorted((*attrs, ("passthrough", True))))
        if value is not None and value.full and value.full[0] != 1:
            attrs = tuple(sorted((*attrs, ("lead", value.full[0]))))  # batch folded in
        op = ops.lookup(type_name)
        kind = op.kind if op is not None else Kind.OTHER
        inputs = [
            ((values.get(i.name) or _NO_VALUE).full or (), axes.get(i))
            for i in inputs_of[node]
        ]
        axis = _axis(op, attrs, value, inputs)
        read = axes.get(node) if node.op == "placeholder" else None
        if read is not None:  # decided by the ops reading the input (_input_axes)
            axis = read - 1
        axes[node] = axis + 1 if axis is not None else (
            container_axis(op) if value is not None and value.full is None else None)
        nodes.append(
            Node(
                id=ids[node],
                kind=kind,
                type_name=type_name,
                scope=_scope(node) if node.op != "placeholder" else "",
                attrs=attrs,
                shape=value.shape if value else None,
                params=ledger.take(pending[node]),
                macs=_macs(work[node], values, claimed, dependent),
                feature_axis=axis,
            )
        )
        start = len(edges)
        _link(inputs_of[node], ids[node], kept_set, ids, edges)
        made[node] = (len(nodes) - 1, start, len(edges))
    meta: tuple[Attr, ...] = (
        ("input_shapes", tuple(tuple(int(d) for d in s) for s in input_shapes)),)
    meta += ((DATA_DEPENDENT, tuple(dependent)),) if dependent else ()
    graph = Graph(name=name, nodes=tuple(nodes), edges=tuple(edges), meta=meta,
                  repeats=chains(copies, made) if copies else ())
    return replace(graph, modules=module_classes(root, graph, modules))

_NO_VALUE = Value(tensors=False)


def _leaf_ids(kept: Sequence[torch.fx.Node], leaves: Mapping[torch.fx.Node, Leaf],
              ids: dict[torch.fx.Node, str]) -> None:
    """Give each leaf the id of the node it returns (the name fx would have given it; of
    the last leaf, for a run of them)."""
    for node in kept:
        head = leaves.get(node)
        if head is not None:
            for leaf in head.chain:
                if OUTPUT_ID in leaf.names:
                    raise Unstampable(leaf.key, "a node named like the output")
            ids[node] = leaf.names[leaf.out]
        elif node.op != "output" and ids[node] != node.name:
            raise Unstampable(None, "a node named like the output")


def _macs(
    nodes: list[torch.fx.Node], values: dict[str, Value], claimed: set[torch.fx.Node],
    dependent: dict[str, None],
) -> int:
    """The MACs a kept node counts: its own, and those of the work on weights and constants
    only (not kept, such as a position-bias MLP on a fixed table) that first flows into it."""
    total = 0
    for node in nodes:
        if node in claimed:
            continue
        claimed.add(node)
        value = values.get(node.name)
        if value is not None:
            total += value.macs
            dependent.update(dict.fromkeys(value.data_dependent))
    return total


def _input_axes(
    kept: Sequence[torch.fx.Node], modules: dict[str, nn.Module], values: dict[str, Value],
    leaves: Mapping[torch.fx.Node, Leaf] | None = None,
) -> dict[torch.fx.Node, int | None]:
    """Each model input's feature axis (full index), as the first op that reads it says.

    An input's values are followed through ops that keep its shape (``x + pos``, dropout)
    to the first op whose kind decides an axis (a LayerNorm or linear layer on a
    ``(tokens, D)`` input, a conv on ``(C, H, W)``); an input no such op reads has none.
    """
    axes: dict[torch.fx.Node, int | None] = {}
    for placeholder in (n for n in kept if n.op == "placeholder"):
        full = (values.get(placeholder.name) or _NO_VALUE).full
        carrying = {placeholder}
        axes[placeholder] = None
        for node in kept:
            if node.op in ("placeholder", "output") or not carrying & set(node.all_input_nodes):
                continue
            if leaves and node in leaves:
                raise Unstampable(leaves[node].key, "an input's axis is decided inside a leaf")
            module = modules.get(str(node.target)) if node.op == "call_module" else None
            value = values.get(node.name)
            type_name = (value.type_name if value is not None else "") or _type_name(node, module)
            axis = read_axis(ops.lookup(type_name), len(full or ()))
            if axis is not None:
                axes[placeholder] = axis
                break
            if (values.get(node.name) or _NO_VALUE).full == full:
                carrying.add(node)
    return axes


def _link(
    sources: Sequence[torch.fx.Node], dst: str, kept: set[torch.fx.Node],
    ids: dict[torch.fx.Node, str], edges: list[Edge],
) -> None:
    seen: set[str] = set()
    for src in sources:
        if src in kept and ids[src] not in seen:
            seen.add(ids[src])
            edges.append(Edge(ids[src], dst))


def _add_outputs(
    node: torch.fx.Node, kept: set[torch.fx.Node], ids: dict[torch.fx.Node, str],
    values: dict[str, Value], axes: dict[torch.fx.Node, int | None], nodes: list[Node],
    edges: list[Edge],
) -> None:
    """One output node for a returned tensor; one per returned element otherwise."""
    leaves = _output_leaves(node, kept)
    if len(leaves) <= 1 and all(key == "" for key, _ in leaves):
        value = values.get(leaves[0][1].name) if leaves else None
        axis = axes.get(leaves[0][1]) if leaves else None
        nodes.append(Node(id=OUTPUT_ID, kind=Kind.OUTPUT, type_name="output",
                          shape=value.shape if value else None,
                          feature_axis=None if axis is None else axis - 1))
        _link(node.all_input_nodes, OUTPUT_ID, kept, ids, edges)
        return
    taken = set(ids.values())
    for key, leaf in leaves:
        node_id = f"{OUTPUT_ID}.{key}"
        while node_id in taken:
            node_id += "_"
        taken.add(node_id)
        value = values.get(leaf.name)
        axis = axes.get(leaf)
        nodes.append(Node(id=node_id, kind=Kind.OUTPUT, type_name="output",
                          attrs=(("key", key),), shape=value.shape if value else None,
                          feature_axis=None if axis is None else axis - 1))
        edges.append(Edge(ids[leaf], node_id))
