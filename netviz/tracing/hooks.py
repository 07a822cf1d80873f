"""Fallback tracer for models torch.fx cannot trace: forward hooks on leaf layers.

A real forward runs on CPU (meta models are rebuilt there) on seeded random
inputs. Each call of a leaf module becomes a node (``layer1.0.conv1``; a
second call of the same module ``layer1.0.conv1#2``; a layer kept in a plain
list ``layers.0``). Functional ops such as residual additions are not nodes,
but a ``TorchFunctionMode`` follows tensors through them, so edges still join
each layer to the layers it really reads. Hooks are global only for the one
forward and are always removed.
"""

from __future__ import annotations

import inspect
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import torch
from torch import nn
from torch.nn.modules.module import (
    register_module_forward_hook,
    register_module_forward_pre_hook,
)
from torch.overrides import TorchFunctionMode

from netviz.errors import NetvizError, TraceError
from netviz.ir import Edge, Graph, Kind, Node, Shape, kind_of
from netviz.tracing.attrs import module_attrs
from netviz.tracing.device import cpu_module, make_inputs, model_device, model_dtype
from netviz.tracing.failures import run_error
from netviz.tracing.params import ParamLedger


def tensors_in(value: Any) -> Iterator[torch.Tensor]:
    """Every tensor in a (nested) tuple, list or dict, in order."""
    if isinstance(value, torch.Tensor):
        yield value
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from tensors_in(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from tensors_in(item)


class _Provenance:
    """Which nodes produced each live tensor.

    Keyed by tensor identity through weak references, so the bookkeeping never
    keeps an activation alive (a real forward of a big model stays as light as
    the model's own) and a recycled ``id()`` never inherits stale producers.
    """

    def __init__(self) -> None:
        self._entries: dict[int, tuple[weakref.ref, tuple[str, ...]]] = {}

    def of(self, value: Any) -> tuple[str, ...]:
        found: dict[str, None] = {}
        for tensor in tensors_in(value):
            entry = self._entries.get(id(tensor))
            if entry is not None and entry[0]() is tensor:
                found.update(dict.fromkeys(entry[1]))
        return tuple(found)

    def set(self, value: Any, producers: tuple[str, ...]) -> None:
        for tensor in tensors_in(value):
            key = id(tensor)
            ref = weakref.ref(tensor, partial(self._forget, key))
            self._entries[key] = (ref, producers)

    def _forget(self, key: int, ref: weakref.ref) -> None:
        entry = self._entries.get(key)
        if entry is not None and entry[0] is ref:
            del self._entries[key]


class _FollowTensors(TorchFunctionMode):
    """Passes provenance through functional ops (``x + y``, ``F.relu``, ``view``)."""

    def __init__(self, provenance: _Provenance) -> None:
        super().__init__()
        self.provenance = provenance

    def __torch_function__(self, func, types, args=(), kwargs=None):  # noqa: ANN001
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        sources = self.provenance.of((args, kwargs))
        if sources and any(True for _ in tensors_in(out)):
            self.provenance.set(out, sources)
        return out


@dataclass
class _Call:
    path: str
    module: nn.Module
    leaf: bool
    sources: tuple[str, ...]


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

    def __init__(self, root: nn.Module, input_ids: list[str], provenance: _Provenance) -> None:
        self.paths = {id(m): p for p, m in root.named_modules()}
        self.modules: list[nn.Module] = []  # keeps the ids in ``paths`` valid
        self.input_ids = input_ids
        self.provenance = provenance
        self.ledger = ParamLedger()
        self.stack: list[_Call] = []
        self.calls: dict[str, int] = {}
        self.nodes: list[Node] = []
        self.edges: list[Edge] = []

    def link(self, sources: tuple[str, ...], dst: str) -> None:
        for src in sources or self.input_ids[:1]:  # unknown producer: the input
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
        leaf = next(module.children(), None) is None
        sources = self.provenance.of(args) if leaf else ()
        self.stack.append(_Call(self._path(module), module, leaf, sources))

    def post(self, module: nn.Module, args: Any, kwargs: Any, output: Any) -> None:
        call = self.stack.pop()
        if not call.leaf:
            return
        path = call.path or type(module).__name__
        self.calls[path] = count = self.calls.get(path, 0) + 1
        node_id = path if count == 1 else f"{path}#{count}"
        if node_id == "output" or node_id in self.input_ids:
            node_id += "#1"  # keep the reserved ids unique
        type_name = type(module).__name__
        shape = tuple(output.shape[1:]) if isinstance(output, torch.Tensor) else None
        self.nodes.append(Node(
            id=node_id, kind=kind_of(type_name), type_name=type_name, scope=call.path,
            attrs=module_attrs(module), shape=shape,
            params=self.ledger.take(module.parameters()),
        ))
        sources = tuple(dict.fromkeys(call.sources + self.provenance.of(kwargs)))
        self.link(sources, node_id)
        self.provenance.set(output, (node_id,))


def _input_names(module: nn.Module, count: int) -> list[str]:
    try:
        params = list(inspect.signature(module.forward).parameters.values())
    except (TypeError, ValueError):
        params = []
    names = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    names += [f"input_{i}" for i in range(len(names), count)]
    return names[:count]


def hooks_trace(
    module: nn.Module,
    input_shapes: Sequence[Shape],
    *,
    name: str,
    reason: str,
    rebuild: Callable[[str], nn.Module] | None = None,
) -> Graph:
    """Trace ``module`` with forward hooks on every leaf layer call (see module docs).

    Raises:
        ModelForwardError: The model's forward raised.
        InputShapeError: The model rejected the input shape.
        TraceError: No layer ran, so there is nothing to draw.
    """
    try:
        runnable = cpu_module(module, rebuild)
    except NetvizError:
        raise
    except Exception as exc:
        raise TraceError(
            f"torch.fx could not trace {name} ({reason}) and it cannot be rebuilt on CPU "
            f"for module hooks: {type(exc).__name__}: {exc}".splitlines()[0]
        ) from None
    input_ids = _input_names(runnable, len(input_shapes))
    inputs = make_inputs(input_shapes, model_device(runnable), model_dtype(runnable), random=True)
    provenance = _Provenance()
    for tensor, input_id in zip(inputs, input_ids):
        provenance.set(tensor, (input_id,))
    rec = _Recorder(runnable, input_ids, provenance)

    modes = [(m, m.training) for m in runnable.modules()]
    handles = []
    try:
        handles.append(register_module_forward_pre_hook(rec.pre))
        handles.append(register_module_forward_hook(rec.post, with_kwargs=True))
        runnable.eval()
        with torch.no_grad(), _FollowTensors(provenance):
            result = runnable(*inputs)
    except NetvizError:
        raise
    except Exception as exc:
        top = rec.stack[-1] if rec.stack else None
        where = (top.path or "forward") if top else "forward"
        what = type(top.module if top else runnable).__name__
        raise run_error(where, what, exc, input_shapes) from None
    finally:
        for handle in handles:
            handle.remove()
        for mod, training in modes:
            mod.training = training

    if not rec.nodes:
        raise TraceError(
            f"torch.fx could not trace {name} ({reason}) and no layer ran under module hooks"
        )
    nodes = [Node(id=i, kind=Kind.INPUT, type_name="input", shape=tuple(s))
             for i, s in zip(input_ids, input_shapes)] + rec.nodes
    nodes.append(Node(id="output", kind=Kind.OUTPUT, type_name="output",
                      shape=tuple(result.shape[1:]) if isinstance(result, torch.Tensor) else None))
    rec.link(provenance.of(list(tensors_in(result))), "output")
    edges = tuple(dict.fromkeys(rec.edges))
    meta = (("input_shapes", tuple(tuple(int(d) for d in s) for s in input_shapes)),)
    return Graph(name=name, nodes=tuple(nodes), edges=edges, meta=meta)
