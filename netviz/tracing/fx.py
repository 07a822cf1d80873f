"""torch.fx tracing: the model's ops as an fx graph, without running anything.

[`symbolic_graph`][netviz.tracing.fx.symbolic_graph] records the model's ops
(functional residual additions included); [`stamped_graph`][netviz.tracing.fx.stamped_graph]
does the same stamping repeated blocks from their first call (see
[`netviz.tracing.stamps`][netviz.tracing.stamps]).
[`netviz.tracing.propagation`][netviz.tracing.propagation] then gives every node its shape.
"""

from __future__ import annotations

import inspect
from collections import OrderedDict
from collections.abc import Hashable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import torch
import torch.fx
from torch import nn

from netviz.tracing.keys import StampKeys
from netviz.tracing.stamps import Stamps, StampingTracer


@contextmanager
def tensor_constants_removed(module: nn.Module) -> Iterator[None]:
    """Remove the ``_tensor_constant*`` attributes fx's tracer sets on the root."""
    before = set(vars(module))
    try:
        yield
    finally:
        for key in set(vars(module)) - before:
            if key.startswith("_tensor_constant"):
                delattr(module, key)


def _defaults_beyond(
    module: nn.Module, given: int, keywords: Sequence[str] = ()
) -> dict[str, Any]:
    """Non-tensor defaults of the forward arguments after the ``given`` inputs, but for
    the ``keywords`` fed by name.

    Raises:
        TypeError: A keyword is none of the forward's named parameters (torch.fx
            cannot feed a ``**kwargs`` entry).
    """
    try:
        params = list(inspect.signature(module.forward).parameters.values())
    except (TypeError, ValueError):
        return {}
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    missing = [k for k in keywords if k not in {p.name for p in params if p.kind in kinds}]
    if missing:
        raise TypeError(f"the forward has no parameter {missing[0]!r} to feed by name")
    return {
        p.name: p.default for p in params[given:]
        if p.kind in kinds and p.default is not inspect.Parameter.empty
        and not isinstance(p.default, torch.Tensor) and p.name not in keywords
    }


_PLAIN_ARGS = frozenset({int, float, str, bool, type(None)})


class _ModuleStack(OrderedDict[str, tuple[str, Any]]):
    """fx's module stack, copied for every node: ``copy.copy`` takes the short path."""

    def __copy__(self) -> _ModuleStack:
        return _ModuleStack(self)


class _Scope(torch.fx.proxy.Scope):
    """fx's current scope, copied for every module call: ``copy.copy`` takes the short path."""

    def __copy__(self) -> _Scope:
        return _Scope(self.module_path, self.module_type)


def _tensor_methods() -> frozenset[Any]:
    """The methods of ``torch.Tensor`` (not those it inherits from ``object``)."""
    found = set()
    for name in dir(torch.Tensor):
        value = getattr(torch.Tensor, name, None)
        if callable(value) and getattr(object, name, None) is not value:
            found.add(value)
    return frozenset(found)


_TENSOR_METHODS = _tensor_methods()


class _Proxy(torch.fx.Proxy):
    """``torch.fx.Proxy`` whose torch-function handler records calls as fx's does, without
    ``torch.overrides.is_tensor_method_or_property``: torch wraps that in
    ``warnings.catch_warnings``, which swaps the process's warning filters (not thread-safe)
    on every torch function a traced model calls. A call is a method call when it is one
    of ``torch.Tensor``'s methods or a property getter, as there (tests/tracing/test_trace_fx.py
    pins that both agree); script methods and higher-order operators go to fx itself.
    """

    @classmethod
    def __torch_function__(cls, orig_method, types, args=None, kwargs=None):  # noqa: ANN001
        if isinstance(orig_method, (torch._C.ScriptMethod, torch._ops.HigherOrderOperator)):
            return super().__torch_function__(orig_method, types, args, kwargs)
        args = args if args else ()
        kwargs = kwargs if kwargs else {}
        tracers: dict[Any, None] = {}

        def find_tracer(a: Any) -> Any:
            if isinstance(a, torch.fx.Proxy):
                tracers[a.tracer] = None
            return a

        torch.fx.node.map_aggregate((args, kwargs), find_tracer)
        if len(tracers) != 1:
            return super().__torch_function__(orig_method, types, args, kwargs)
        tracer = next(iter(tracers))
        name = getattr(orig_method, "__name__", "")
        if orig_method in _TENSOR_METHODS or name == "__get__":
            return tracer.create_proxy("call_method", name, args, kwargs)
        return tracer.create_proxy("call_function", orig_method, args, kwargs,
                                   name=tracer.graph._target_to_str(name))


class _Tracer(StampingTracer):
    """``torch.fx.Tracer`` with short paths for what it does for every node.

    Proxies, plain scalars and plain tuples of those are lowered exactly as
    the base class does, without its chain of ``isinstance`` checks (tensor,
    parameter, module, constant and opaque types) run for every argument of
    every node; anything else goes to the base class. The module stack and the
    scope, which fx copies for every node and every module call, copy directly
    instead of through ``copy``'s generic reduce protocol.
    """

    def __init__(self) -> None:
        super().__init__()
        self.scope = _Scope("", None)
        self.module_stack = _ModuleStack()

    def proxy(self, node: torch.fx.Node) -> torch.fx.Proxy:
        """A proxy for ``node`` (see ``_Proxy``)."""
        return _Proxy(node, self)

    def create_arg(self, a: Any) -> Any:
        """Lower one argument into what the fx graph stores."""
        kind = type(a)
        if kind is torch.fx.Proxy:
            return a.node
        if kind in _PLAIN_ARGS:
            return a
        if kind is tuple:
            return tuple(self.create_arg(item) for item in a)
        return super().create_arg(a)

    def getattr(self, attr: str, attr_val: Any, parameter_proxy_cache: dict[str, Any]) -> Any:
        """fx's ``getattr`` (a proxy for a parameter or buffer a forward reads), finding the
        tensor's name in a table made once per traced model. fx walks every parameter and
        buffer of the model for each read: quadratic, 2 of 3 s of Inception-ResNet-v2's
        trace, whose BatchNormAct2d reads its four tensors in every call. Same proxies
        (``tests/tracing/test_fx_attributes.py`` compares the graphs with fx's tracer);
        a tensor the table does not hold, or shape-constant parameter proxies, go to fx."""
        if not isinstance(attr_val, torch.Tensor) or self.param_shapes_constant:
            return super().getattr(attr, attr_val, parameter_proxy_cache)
        params, buffers = self._tensor_names()
        found = params.get(id(attr_val)) if isinstance(attr_val, nn.Parameter) else None
        if found is None and self.proxy_buffer_attributes:
            found = buffers.get(id(attr_val))
        if found is None or found[1] is not attr_val:
            return super().getattr(attr, attr_val, parameter_proxy_cache)
        name = found[0]
        if name not in parameter_proxy_cache:
            parameter_proxy_cache[name] = self.create_proxy("get_attr", name, (), {})
        return parameter_proxy_cache[name]

    def _tensor_names(self) -> tuple[dict[int, tuple[str, Any]], dict[int, tuple[str, Any]]]:
        """``id -> (name, tensor)`` of the root's parameters and of its buffers, each under
        the first name ``named_parameters``/``named_buffers`` give it (as fx finds it)."""
        root = self.root
        cached = getattr(self, "_names", None)
        if cached is None or cached[0] is not root:
            params = {id(p): (n, p) for n, p in reversed(list(root.named_parameters()))}
            buffers = {id(b): (n, b) for n, b in reversed(list(root.named_buffers()))}
            cached = self._names = (root, params, buffers)
        return cached[1], cached[2]


def symbolic_graph(module: nn.Module, inputs: int, keywords: Sequence[str] = ()) -> torch.fx.Graph:
    """Trace ``module`` symbolically (what ``torch.fx.symbolic_trace`` does, minus codegen).

    Forward arguments beyond the first ``inputs`` keep their defaults as
    constants, so ``if mask is None:`` traces like the call netviz makes; those
    named in ``keywords`` are inputs (placeholders) too.

    Raises:
        Exception: Whatever fx raises for untraceable code (data-dependent
            control flow, proxies passed to non-torch code, ...).
    """
    concrete = _defaults_beyond(module, inputs, keywords)
    return _Tracer().trace(module, concrete_args=concrete or None)


def stamped_graph(
    module: nn.Module, inputs: int, keywords: Sequence[str] = (),
    no_leaf: set[Hashable] | None = None, keys: StampKeys | None = None,
) -> tuple[torch.fx.Graph, Stamps]:
    """``symbolic_graph``, each distinct block traced once and the others stamped from it
    (see [`netviz.tracing.stamps`][netviz.tracing.stamps]): the same graph, and the
    stamped calls. Given ``no_leaf``, later calls of a block are one node each
    ([`netviz.tracing.leaves`][netviz.tracing.leaves]), but for the templates it names:
    [`propagate`][netviz.tracing.propagation.propagate] and
    [`build_graph`][netviz.tracing.build.build_graph] then need the stamps. ``keys``: the
    model's (found when first needed, kept from an earlier trace of the same model).

    Raises:
        Exception: As ``symbolic_graph``.
    """
    concrete = _defaults_beyond(module, inputs, keywords)
    tracer = _Tracer()
    keys = (keys if keys is not None else StampKeys(module)).bind(tracer.is_leaf_module)
    tracer.stamps = Stamps(keys, leaves=no_leaf is not None, no_leaf=set(no_leaf or ()))
    graph = tracer.trace(module, concrete_args=concrete or None)
    tracer.stamps.created.clear()
    tracer.stamps.modules = named_modules(tracer, module)
    return graph, tracer.stamps


def named_modules(tracer: StampingTracer, root: nn.Module) -> dict[str, nn.Module]:
    """``dict(root.named_modules())`` from the table fx's ``Tracer.trace`` made walking the
    same modules (see ``StampingTracer.module_paths``), without walking them again."""
    paths = tracer.module_paths
    if paths is None or getattr(tracer, "root", None) is not root:
        return dict(root.named_modules())
    return {name: module for module, name in paths.items()}
