"""Fallback tracer for models torch.fx cannot trace: forward hooks on leaf layers.

One forward runs on the model's device on seeded inputs (a meta model's on meta,
see [`netviz.tracing.forwards`][netviz.tracing.forwards]). Each call of a layer (see ``is_layer``) becomes a node (``layer1.0.conv1``;
a second call of the same module ``layer1.0.conv1#2``; a layer kept in a plain
list ``layers.0``). A ``TorchFunctionMode`` follows tensors through functional
ops, so edges join each op to the ops it really reads, and each functional op
outside a leaf layer that depends on an input becomes a node too (the residual
``layer1.0.add()``, ``F.relu`` ...), scoped to the module whose forward called
it. Functional ops that feed neither a layer nor the output (``x.sum() > 0``
deciding a branch) are dropped. The diagram shows the branches this one
forward took. Hooks are global only for the one forward and are always removed;
they record only calls made in the tracing thread (a ``ContextVar`` tells), so a
model another thread runs meanwhile is neither recorded nor disturbed.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Sequence
from contextlib import ExitStack, nullcontext
from contextvars import ContextVar
from dataclasses import replace
from typing import Any

import torch
from torch import nn
from torch.nn.modules.module import (
    register_module_forward_hook,
    register_module_forward_pre_hook,
)

from netviz import ops
from netviz.errors import NetvizError, TraceError
from netviz.inputs import Fill
from netviz.ir import Attr, Edge, Graph, Kind, Node, Repeat, Shape
from netviz.ir.accounting import DATA_DEPENDENT
from netviz.ops.axes import container_axis, feature_axis
from netviz.tracing.attrs import described_call, described_layer, layer_name
from netviz.tracing.carried import remembered_bytes
from netviz.tracing.counter import Count, MacCounter
from netviz.tracing.device import make_inputs, model_device, model_dtype
from netviz.tracing.failures import run_error
from netviz.tracing.names import function_name
from netviz.tracing.params import ParamLedger
from netviz.tracing.meta import meta_inputs, meta_values
from netviz.tracing.modules import module_classes, operand_names
from netviz.tracing.provenance import FollowTensors, Provenance
from netviz.tracing.repeats import Repeats
from netviz.tracing.replay import OpMemo, ReplayingFollow
from netviz.tracing.values import full_shapes, keyed_leaves, tensors_in


_Provenance = Provenance  # the name tests/tracing/test_trace_hooks.py uses

PLAIN_TRACE = "NETVIZ_PLAIN_TRACE"
"""As [`netviz.tracing.tracer.PLAIN_TRACE`][netviz.tracing.tracer.PLAIN_TRACE]: when set, a meta
forward runs every op instead of answering repeated calls from memory (see
[`netviz.tracing.replay`][netviz.tracing.replay]); the graph is the same either way."""


def is_layer(module: nn.Module, *, root: bool = False) -> bool:
    """Whether the fallback draws ``module`` as one node instead of looking inside.

    As torch.fx decides: a ``torch.nn`` class other than ``Sequential`` is a layer.
    So is a class of the user's with weights of its own and no submodules (a custom
    layer), unless it is the model itself (``root``: a model written with raw
    parameters and functional ops); any other module (a block, a parameter-free
    wrapper around ``F.relu``) is looked into, and its functional ops become nodes.
    """
    if isinstance(module, nn.Sequential):
        return False
    if type(module).__module__.startswith(("torch.nn.", "torch.ao.nn.")):
        return True
    if root:
        return False
    own = next(module.parameters(recurse=False), None) is not None or next(
        module.buffers(recurse=False), None
    ) is not None
    return own and next(module.children(), None) is None


class _Call:
    """One module call on the recorder's stack (a plain class: a dataclass costs a cold
    run its making, at import)."""

    __slots__ = ("path", "module", "leaf", "sources", "hidden", "count", "computes")

    def __init__(self, path: str, module: nn.Module, leaf: bool, sources: tuple[str, ...],
                 hidden: bool = False) -> None:
        self.path = path
        self.module = module
        self.leaf = leaf  # a layer drawn as one node
        self.sources = sources
        self.hidden = hidden  # runs inside a layer: not drawn
        self.count: Count | None = None  # the aten ops of a drawn layer's forward
        self.computes: dict[str, None] = {}  # ops a drawn layer's forward ran


def _join(parent: str, name: str) -> str:
    return f"{parent}.{name}" if parent else name


def _find(parent_path: str, parent: nn.Module, module: nn.Module) -> str:
    """Path of a module that is not a registered submodule of the model.

    Named after where its caller keeps it: a child of another unregistered
    module, an item of a plain list/tuple/dict attribute (``layers.0``), or else
    its class name.
    """
    for name, child in parent.named_children():
        if child is module:
            return _join(parent_path, name)
    for attr, value in vars(parent).items():
        if value is module:
            return _join(parent_path, attr)
        items = value.items() if isinstance(value, dict) else (
            enumerate(value) if isinstance(value, (list, tuple)) else ())
        for key, item in items:
            if item is module:
                return _join(parent_path, f"{attr}.{key}")
    return _join(parent_path, type(module).__name__)


class _Recorder:
    """Global forward (pre-)hooks: one node per call of a leaf module.

    Global hooks (rather than hooks on each registered leaf) also see layers
    kept in plain Python lists, which are not registered submodules.
    """

    def __init__(self, root: nn.Module, input_ids: list[str], provenance: Provenance,
                 modules: list[tuple[str, nn.Module]] | None = None) -> None:
        modules = list(root.named_modules()) if modules is None else modules
        self.paths = {id(m): p for p, m in modules}
        self.modules: list[nn.Module] = []  # keeps the ids in ``paths`` valid
        self.input_ids = input_ids
        self.provenance = provenance
        self.ledger = ParamLedger()
        self.stack: list[_Call] = []
        self.calls: dict[str, int] = {}
        self.nodes: list[Node] = []
        self.edges: list[Edge] = []
        self.layers: set[str] = set()  # ids of the layer nodes (always drawn)
        self.full: dict[str, Shape] = {}  # node id -> full output shape
        self.axes: dict[str, int | None] = {}  # node id -> feature axis of the full shape
        self.names = operand_names(root, modules)
        self.counter = MacCounter()
        self.data_dependent: dict[str, None] = {}
        self.journal: list[tuple[str, int]] | None = None  # new ids' paths (see repeats)
        self.function_names: dict[Any, str] = {}
        # memo key -> (entry, rule attributes, shown attributes, full input shapes)
        self.keyed_calls: dict[Any, tuple[ops.Op | None, dict[str, Any] | None,
                                          tuple[Attr, ...], tuple[Shape, ...]]] = {}

    def annotate(
        self, node_id: str, op: ops.Op | None, attrs: tuple[Attr, ...],
        rule_attrs: dict[str, Any] | None, shapes: tuple[Shape, ...], output: Any,
        sources: tuple[str, ...], count: Count,
    ) -> tuple[int, int | None]:
        """Record ``node_id``'s full shape; return its MACs (by its table rule on the full
        input ``shapes``, else as counted at the dispatch level) and feature axis (without
        batch)."""
        full = tuple(int(d) for d in output.shape) if isinstance(output, torch.Tensor) else None
        if full is not None:
            self.full[node_id] = full
        named = dict(attrs)
        self.data_dependent.update(count.data_dependent)
        if op is not None:
            macs = max(int(op.macs(rule_attrs or named, shapes, full)), 0)
        else:
            macs = count.macs
        orphans = self.counter.counts[0]  # work on weights and constants only, at the top
        macs, orphans.macs = macs + orphans.macs, 0
        self.data_dependent.update(orphans.data_dependent)
        inputs = [(self.full.get(src, ()), self.axes.get(src)) for src in sources]
        axis = feature_axis(op, named, inputs, full)
        self.axes[node_id] = axis if full is not None else container_axis(op)
        return macs, (axis - 1 if axis else None)

    def _new_id(self, path: str) -> str:
        """``path``, or ``path#2``... for its later calls; never a reserved id."""
        self.calls[path] = count = self.calls.get(path, 0) + 1
        if self.journal is not None:
            self.journal.append((path, count))
        node_id = path if count == 1 else f"{path}#{count}"
        if node_id == "output" or node_id in self.input_ids:
            node_id += "#1"  # keep the reserved ids unique
        return node_id

    def link(self, sources: tuple[str, ...], dst: str) -> None:
        for src in sources:
            self.edges.append(Edge(src, dst))

    def _path(self, module: nn.Module) -> str:
        path = self.paths.get(id(module))
        if path is None:
            caller = self.stack[-1] if self.stack else None
            path = (_find(caller.path, caller.module, module) if caller
                    else type(module).__name__)
            self.paths[id(module)] = path
            self.modules.append(module)
        return path

    def pre(self, module: nn.Module, args: tuple[Any, ...]) -> None:
        hidden = self._in_layer()
        leaf = not hidden and is_layer(module, root=not self.stack)
        sources = self.provenance.of(args) if leaf else ()
        call = _Call(self._path(module), module, leaf, sources, hidden)
        if leaf:
            call.count = Count()
            self.counter.counts.append(call.count)
        self.stack.append(call)

    def _in_layer(self) -> bool:
        return bool(self.stack) and (self.stack[-1].leaf or self.stack[-1].hidden)

    def post(self, module: nn.Module, args: Any, kwargs: Any, output: Any) -> None:
        call = self.stack.pop()
        if not call.leaf:
            return
        count = self.counter.counts.pop() if call.count is not None else Count()
        node_id = self._new_id(call.path or type(module).__name__)
        self.layers.add(node_id)
        op, shown, rule_attrs = described_layer(module, args, kwargs)
        type_name = layer_name(module, op)
        shape = tuple(output.shape[1:]) if isinstance(output, torch.Tensor) else None
        sources = tuple(dict.fromkeys(call.sources + self.provenance.of(kwargs)))
        attrs = with_lead(shown, output)
        if op is None and call.computes:  # a layer of its own: what it computes tells what it is
            attrs = tuple(sorted((*attrs, ("computes", tuple(sorted(call.computes))),
                                  *own_shapes(module))))
        kind = op.kind if op is not None else Kind.OTHER
        macs, axis = self.annotate(node_id, op, attrs, rule_attrs, full_shapes((args, kwargs)),
                                   output, sources, count)
        self.nodes.append(Node(
            id=node_id, kind=kind, type_name=type_name, scope=call.path,
            attrs=attrs, shape=shape,
            params=self.ledger.take((*module.parameters(),
                                     *self.provenance.weights_of((args, kwargs)))),
            macs=macs, feature_axis=axis,
        ))
        self.link(sources, node_id)
        self.provenance.set(output, (node_id,))

    def function(
        self, func: Any, args: tuple[Any, ...], kwargs: dict[str, Any], out: Any,
        sources: tuple[str, ...], count: Count,
    ) -> tuple[str, ...]:
        """A node for a functional op outside leaf layers; returns ``out``'s producers."""
        name = self.function_names.get(func)
        if name is None:
            name = self.function_names[func] = function_name(func)
        if self._in_layer():  # part of a layer
            next(c for c in reversed(self.stack) if c.leaf).computes[name] = None
            return sources
        if name == "get":  # a property read
            return sources
        scope = self.stack[-1].path if self.stack else ""
        node_id = self._new_id(f"{scope}.{name}()" if scope else f"{name}()")
        arguments = tensors_in((args, kwargs))
        weights = self.provenance.weights_of(arguments)  # those computed from weights too
        # what follows from the call's arguments alone, once per key (see netviz.tracing.replay)
        key = getattr(count, "key", None)
        call = self.keyed_calls.get(key) if key is not None else None
        if call is None:
            op, rule_attrs, shown = described_call(name, args, kwargs)
            call = (op, rule_attrs, shown, full_shapes(arguments))
            if key is not None:
                self.keyed_calls[key] = call
        op, rule_attrs, attrs, shapes = call
        operands = tuple(dict.fromkeys(self.names[id(t)] for t in (*arguments, *weights)
                                       if id(t) in self.names))
        if operands:
            attrs = tuple(sorted((*attrs, ("operands", operands))))
        if any(out is t for t in arguments):
            attrs = tuple(sorted((*attrs, ("passthrough", True))))
        attrs = with_lead(attrs, out)
        kind = op.kind if op is not None else Kind.OTHER
        macs, axis = self.annotate(node_id, op, attrs, rule_attrs, shapes, out, sources, count)
        self.nodes.append(Node(
            id=node_id, kind=kind, type_name=name, scope=scope, attrs=attrs,
            shape=tuple(out.shape[1:]) if isinstance(out, torch.Tensor) else None,
            params=self.ledger.take(weights), macs=macs, feature_axis=axis,
        ))
        self.link(sources, node_id)
        return (node_id,)

    def without_dead_ops(self) -> tuple[list[Node], list[Edge]]:
        """Nodes and edges without the functional ops that feed no layer and no output."""
        consumers: dict[str, list[str]] = {}
        for edge in self.edges:
            consumers.setdefault(edge.src, []).append(edge.dst)
        live: set[str] = set()
        layers = self.layers
        for node in reversed(self.nodes):  # consumers come later in execution order
            node_id = node.id
            if node_id in layers:
                live.add(node_id)
                continue
            for dst in consumers.get(node_id, ()):
                if dst in live or dst == "output" or dst.startswith("output."):
                    live.add(node_id)
                    break
        if len(live) == len(self.nodes):  # none dead (ids are unique)
            return list(self.nodes), list(self.edges)
        nodes = [n for n in self.nodes if n.id in live]
        dead = {n.id for n in self.nodes} - live
        return nodes, [e for e in self.edges if e.src not in dead and e.dst not in dead]


def own_shapes(module: nn.Module) -> tuple[Attr, ...]:
    """``("param_shapes", ...)``: the shapes of a layer's own parameters (not its
    children's), in registration order, for the transforms that read what a layer of
    unknown class holds (a mixture's experts as one 3-D tensor per projection)."""
    shapes = tuple(tuple(int(d) for d in p.shape) for p in module.parameters(recurse=False))
    return (("param_shapes", shapes),) if shapes else ()


def with_lead(attrs: tuple[Attr, ...], output: Any) -> tuple[Attr, ...]:
    """``attrs`` plus ``("lead", n)`` when the output's first dimension is not the batch of one."""
    if isinstance(output, torch.Tensor) and output.dim() and output.shape[0] != 1:
        return tuple(sorted((*attrs, ("lead", int(output.shape[0])))))
    return attrs


def _output_nodes(rec: _Recorder, provenance: Provenance, result: Any) -> list[Node]:
    """One output node for a returned tensor, one per returned element otherwise (linked)."""
    leaves = keyed_leaves(result, lambda v: isinstance(v, torch.Tensor))
    if len(leaves) <= 1 and all(key == "" for key, _ in leaves):
        rec.link(provenance.of(list(tensors_in(result))), "output")
        tensor = leaves[0][1] if leaves else None
        sources = provenance.of(tensor) if tensor is not None else ()
        axis = rec.axes.get(sources[0]) if len(sources) == 1 else None
        return [Node(id="output", kind=Kind.OUTPUT, type_name="output",
                     shape=tuple(tensor.shape[1:]) if tensor is not None else None,
                     feature_axis=axis - 1 if axis else None)]
    nodes = []
    for key, tensor in leaves:
        sources = provenance.of(tensor)
        if not sources:
            continue
        node_id = f"output.{key}"
        rec.link(sources, node_id)
        axis = rec.axes.get(sources[0]) if len(sources) == 1 else None
        nodes.append(Node(id=node_id, kind=Kind.OUTPUT, type_name="output",
                          attrs=(("key", key),), shape=tuple(tensor.shape[1:]),
                          feature_axis=axis - 1 if axis else None))
    return nodes


_RECORDING: ContextVar[_Recorder | None] = ContextVar("netviz_recording", default=None)
"""The recorder of the forward this context runs; torch's forward hooks are process-wide."""


def _own_calls(recorder: _Recorder, hook: Callable[..., None]) -> Callable[..., None]:
    """``hook``, for the calls made in the context whose forward ``recorder`` records."""

    def guarded(*args: Any) -> None:
        if _RECORDING.get() is recorder:
            with torch._C.DisableTorchFunction():  # its shape reads are no ops of the model's
                hook(*args)

    return guarded


def _input_names(module: nn.Module, count: int, keywords: Sequence[str] = ()) -> list[str]:
    """Node ids of the inputs: the forward's parameter names (``input_<i>`` past them)."""
    try:
        params = list(inspect.signature(module.forward).parameters.values())
    except (TypeError, ValueError):
        params = []
    names = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    names += [f"input_{i}" for i in range(len(names), count)]
    return names[:count] + list(keywords)


class ForwardFailed(Exception):
    """The model's forward raised ``error`` in layer ``where`` (of class ``what``)."""

    def __init__(self, where: str, what: str, error: Exception) -> None:
        super().__init__(where)
        self.where, self.what, self.error = where, what, error

    def reported(self, input_shapes: Sequence[Shape]) -> NetvizError:
        return run_error(self.where, self.what, self.error, input_shapes)


def record_forward(
    runnable: nn.Module,
    input_shapes: Sequence[Shape],
    name: str,
    reason: str,
    input_dtypes: Sequence[str] | None,
    input_names: Sequence[str | None] | None,
    train: bool,
    *,
    on_meta: bool,
    input_fills: Sequence[Fill | None] | None = None,
) -> Graph:
    """One forward of ``runnable`` under the hooks, as a graph (see the module docs).

    ``on_meta``: the model is on meta; its forward runs on meta inputs carrying the
    values of real ones, under [`meta_values`][netviz.tracing.meta.meta_values].

    Raises:
        ForwardFailed: The model's forward raised.
        TraceError: No layer or op reached the output, so there is nothing to draw.
    """
    names = list(input_names or [None] * len(input_shapes))
    keywords = [n for n in names if n is not None]
    input_ids = _input_names(runnable, len(names) - len(keywords), keywords)
    if on_meta:
        inputs = meta_inputs(input_shapes, model_dtype(runnable), input_dtypes, input_fills)
    else:
        inputs = make_inputs(input_shapes, model_device(runnable), model_dtype(runnable),
                             random=True, dtypes=input_dtypes, fills=input_fills)
    provenance = Provenance()
    for tensor, input_id in zip(inputs, input_ids):
        provenance.set(tensor, (input_id,))
    walked = list(runnable.named_modules())  # one walk for the recorder, modes and classes
    rec = _Recorder(runnable, input_ids, provenance, walked)
    rec.full.update((i, tuple(t.shape)) for i, t in zip(input_ids, inputs))
    positional = inputs[:len(input_ids) - len(keywords)]
    by_name = dict(zip(keywords, inputs[len(positional):]))

    modes = [(m, m.training) for _, m in walked]
    handles = []
    recording = _RECORDING.set(rec)
    try:
        replaying = on_meta and not os.environ.get(PLAIN_TRACE)
        # before netviz's own global hooks: another tool's turn the repeats off
        repeats = Repeats(rec, runnable, is_layer) if replaying else nullcontext()
        handles.append(register_module_forward_pre_hook(_own_calls(rec, rec.pre)))
        handles.append(register_module_forward_hook(_own_calls(rec, rec.post), with_kwargs=True))
        if any(training is not train for _, training in modes):  # the tracer set it already
            runnable.train(train)
        with torch.no_grad(), ExitStack() as stack:
            stack.enter_context(repeats)
            if on_meta:  # outside the counter: the values it computes on the CPU are not counted
                stack.enter_context(meta_values())
            stack.enter_context(rec.counter)
            if replaying:  # a value's bytes read once until a write (see carried.py)
                stack.enter_context(remembered_bytes())
            follow = (ReplayingFollow(provenance, rec.function, rec.counter, OpMemo())
                      if replaying else
                      FollowTensors(provenance, rec.function, rec.counter))
            stack.enter_context(follow)
            result = runnable(*positional, **by_name)
    except NetvizError:
        raise
    except Exception as exc:
        top = rec.stack[-1] if rec.stack else None
        where = (top.path or "forward") if top else "forward"
        raise ForwardFailed(where, type(top.module if top else runnable).__name__, exc) from None
    finally:
        _RECORDING.reset(recording)
        for handle in handles:
            handle.remove()
        for mod, training in modes:
            if mod.training is not training:
                mod.training = training

    outputs = _output_nodes(rec, provenance, result)
    ops, op_edges = rec.without_dead_ops()
    if not ops:
        raise TraceError(
            f"torch.fx could not trace {name} ({reason}) and under module hooks "
            "no layer or op of its forward reached the output"
        )
    nodes = [input_node(i, s, keyword=i in by_name)
             for i, s in zip(input_ids, input_shapes)] + ops + outputs
    edges = tuple(dict.fromkeys(op_edges))
    meta: tuple[Attr, ...] = (
        ("input_shapes", tuple(tuple(int(d) for d in s) for s in input_shapes)),)
    meta += ((DATA_DEPENDENT, tuple(rec.data_dependent)),) if rec.data_dependent else ()
    chained: tuple[Repeat, ...] = ()
    played = getattr(repeats, "played", None)  # the calls Repeats answered or recorded
    if played:
        from netviz.tracing.chained import chains

        chained = chains(nodes, edges, played)
    graph = Graph(name=name, nodes=tuple(nodes), edges=edges, meta=meta, repeats=chained)
    return replace(graph, modules=module_classes(runnable, graph))  # the tree as it ended


def input_node(node_id: str, shape: Shape, *, keyword: bool) -> Node:
    """The IR node of a model input; a keyword input carries its name (``input_ids``)."""
    return Node(id=node_id, kind=Kind.INPUT, type_name="input", shape=tuple(shape),
                attrs=(("name", node_id),) if keyword else ())
