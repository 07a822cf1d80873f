"""Fallback tracer for models torch.fx cannot trace: forward hooks on leaf layers.

A real forward runs on CPU (meta models are rebuilt there) on seeded random
inputs. Each call of a leaf module becomes a node (``layer1.0.conv1``; a
second call of the same module ``layer1.0.conv1#2``). Functional ops such as
residual additions are not nodes, but a ``TorchFunctionMode`` follows tensors
through them, so edges still join each layer to the layers it really reads.
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
from torch.overrides import TorchFunctionMode

from netviz.errors import NetvizError, TraceError
from netviz.ir import Edge, Graph, Kind, Node, Shape, kind_of
from netviz.trace.attrs import module_attrs
from netviz.trace.device import cpu_module, make_inputs, model_device, model_dtype
from netviz.trace.failures import run_error
from netviz.trace.params import ParamLedger


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
    sources: tuple[str, ...]


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
    """Trace ``module`` with forward hooks on every leaf layer (see module docs).

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

    ledger = ParamLedger()
    nodes = [Node(id=i, kind=Kind.INPUT, type_name="input", shape=tuple(s))
             for i, s in zip(input_ids, input_shapes)]
    edges: list[Edge] = []
    calls: dict[str, int] = {}
    stack: list[_Call] = []

    def link(sources: tuple[str, ...], dst: str) -> None:
        for src in sources or input_ids[:1]:
            edges.append(Edge(src, dst))

    def pre_hook(path: str) -> Callable[..., None]:
        def hook(mod: nn.Module, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
            stack.append(_Call(path, mod, provenance.of((args, kwargs))))
        return hook

    def post_hook(mod: nn.Module, args: Any, kwargs: Any, output: Any) -> None:
        call = stack.pop()
        calls[call.path] = calls.get(call.path, 0) + 1
        node_id = call.path if calls[call.path] == 1 else f"{call.path}#{calls[call.path]}"
        if node_id == "output" or node_id in input_ids:
            node_id += "#1"  # keep the reserved ids unique
        type_name = type(mod).__name__
        shape = tuple(output.shape[1:]) if isinstance(output, torch.Tensor) else None
        nodes.append(Node(
            id=node_id, kind=kind_of(type_name), type_name=type_name, scope=call.path,
            attrs=module_attrs(mod), shape=shape, params=ledger.take(mod.parameters()),
        ))
        link(call.sources, node_id)
        provenance.set(output, (node_id,))

    leaves = [(p or type(m).__name__, m) for p, m in runnable.named_modules()
              if next(m.children(), None) is None]
    handles = []
    modes = [(m, m.training) for m in runnable.modules()]
    try:
        for path, leaf in leaves:
            handles.append(leaf.register_forward_pre_hook(pre_hook(path), with_kwargs=True))
            handles.append(leaf.register_forward_hook(post_hook, with_kwargs=True))
        runnable.eval()
        with torch.no_grad(), _FollowTensors(provenance):
            result = runnable(*inputs)
    except NetvizError:
        raise
    except Exception as exc:
        where, what = ((stack[-1].path, type(stack[-1].module).__name__) if stack
                       else ("forward", type(runnable).__name__))
        raise run_error(where, what, exc, input_shapes) from None
    finally:
        for handle in handles:
            handle.remove()
        for mod, training in modes:
            mod.training = training

    if len(nodes) == len(input_ids):
        raise TraceError(
            f"torch.fx could not trace {name} ({reason}) and no layer ran under module hooks"
        )
    outputs = list(tensors_in(result))
    nodes.append(Node(id="output", kind=Kind.OUTPUT, type_name="output",
                      shape=tuple(result.shape[1:]) if isinstance(result, torch.Tensor) else None))
    link(provenance.of(outputs), "output")
    unique = list(dict.fromkeys(edges))
    meta = (("input_shapes", tuple(tuple(int(d) for d in s) for s in input_shapes)),)
    return Graph(name=name, nodes=tuple(nodes), edges=tuple(unique), meta=meta)
