"""torch.fx tracing and analytic shape propagation.

``symbolic_graph`` records the model's ops
(functional residual additions included) without running anything;
``propagate`` then walks that graph with a
``torch.fx.Interpreter`` that answers the common layers from closed formulas
(a blank tensor of the computed shape) and runs everything else for real on
the model's device: meta tensors for meta models, so no weights are touched.
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

from netviz import ops
from netviz.errors import InputShapeError, NetvizError
from netviz.inputs import Fill
from netviz.ir import Attr, Shape
from netviz.ops import LayerShapeError, Op
from netviz.tracing.attrs import (
    bound,
    call_rule_attrs,
    layer_name,
    layer_op,
    layer_rule_attrs,
    module_attrs,
    shown_attrs,
)
from netviz.tracing.counter import Count, MacCounter
from netviz.tracing.device import make_inputs, model_device, model_dtype
from netviz.tracing.failures import layer_error, shapes_text
from netviz.tracing.functional import NOT_HANDLED, blank, closed_form
from netviz.tracing.layers import check_input_dtype, describe, layer_outputs, output_dtype
from netviz.tracing.names import function_name, method_name
from netviz.tracing.reuse import Reuse
from netviz.tracing.keys import StampKeys
from netviz.tracing.stamps import Stamps, StampingTracer
from netviz.tracing.values import tensors_in


class Value:
    """What an fx node produced.

    Attributes:
        tensors: The value is a tensor, or a container holding tensors.
        shape: Shape without the batch dimension when the value is one tensor.
        attrs: Attributes bound from the call's concrete arguments (functions, methods).
        full: The full shape (batch dimension included) when the value is one tensor.
        inputs: Full shapes of the call's tensor arguments, in order.
        passthrough: The call returned one of its tensor arguments itself (an op
            that does nothing here, such as stochastic depth in eval mode, or an
            in-place op).
        type_name: The name the IR records for a layer call (``"Conv2d"`` for a
            weight-normed ``ParametrizedConv2d``); ``""`` for other nodes.
        macs: The call's multiply-accumulates: by its table rule, or as the dispatch
            counter saw them run (a call the table does not know).
        data_dependent: Aten ops the call ran whose work depends on tensor values.
    """

    __slots__ = (
        "tensors", "shape", "attrs", "full", "inputs", "passthrough", "type_name", "macs",
        "data_dependent"
    )

    def __init__(self,
                 tensors: bool,
                 shape: Shape | None = None,
                 attrs: tuple[Attr, ...] = (),
                 full: Shape | None = None,
                 inputs: tuple[Shape, ...] = (),
                 passthrough: bool = False,
                 type_name: str = "",
                 macs: int = 0,
                 data_dependent: tuple[str, ...] = ()) -> None:
        self.tensors = tensors
        self.shape = shape
        self.attrs = attrs
        self.full = full
        self.inputs = inputs
        self.passthrough = passthrough
        self.type_name = type_name
        self.macs = macs
        self.data_dependent = data_dependent


class _Call:
    """What the interpreter learnt about the call it just made."""

    __slots__ = ("op", "type_name", "attrs", "rule_attrs", "count")

    def __init__(self,
                 op: Op | None,
                 type_name: str = "",
                 attrs: tuple[Attr, ...] = (),
                 rule_attrs: dict[str, Any] | None = None,
                 count: Count | None = None) -> None:
        self.op = op
        self.type_name = type_name
        self.attrs = attrs
        self.rule_attrs = rule_attrs
        self.count = count


class NodeFailure(Exception):
    """A node raised while propagating: carries the node and the original error."""

    def __init__(self, node: torch.fx.Node, error: BaseException) -> None:
        super().__init__(f"{node.name}: {error}")
        self.node = node
        self.error = error


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
    [`propagate`][netviz.tracing.fx.propagate] and
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


_IMMUTABLE = (torch.fx.immutable_collections.immutable_list,
              torch.fx.immutable_collections.immutable_dict)


def _mutable(value: Any) -> Any:
    """``value`` with the graph's immutable lists and dicts as plain ones, as the code fx
    generates passes them (a wrapped function may change a list it is given)."""
    if isinstance(value, _IMMUTABLE):
        return dict((k, _mutable(v)) for k, v in value.items()) if isinstance(value, dict) \
            else [_mutable(v) for v in value]
    if type(value) is tuple and any(isinstance(v, (_IMMUTABLE, tuple)) for v in value):
        return tuple(_mutable(v) for v in value)
    if type(value) is dict and any(isinstance(v, (_IMMUTABLE, tuple)) for v in value.values()):
        return {k: _mutable(v) for k, v in value.items()}
    return value


def _summarize(value: Any) -> tuple[bool, Shape | None]:
    if isinstance(value, torch.Tensor):
        return True, tuple(value.shape)
    return any(True for _ in tensors_in(value)), None


class ShapeInterpreter(torch.fx.Interpreter):
    """Runs an fx graph, answering common layers with closed-form shapes.

    After ``run``, ``values`` maps every node name to a ``Value``.
    """

    def __init__(
        self,
        module: nn.Module,
        graph: torch.fx.Graph,
        input_shapes: Sequence[Shape],
        device: torch.device,
        reuse: Reuse | None = None,
        submodules: dict[str, nn.Module] | None = None,
    ) -> None:
        if submodules is None:
            super().__init__(module, garbage_collect_values=True, graph=graph)
        else:
            _interpreter_init(self, module, graph, submodules)
        self.device = device
        self.extra_traceback = False
        self.input_shapes = tuple(input_shapes)
        self.values: dict[str, Value] = {}
        self.counter = MacCounter()
        self._call: _Call | None = None
        self.reuse = reuse

    def run_node(self, n: torch.fx.Node) -> Any:
        """Run one node and record what it produced (or take both from an alike stamped
        call: see [`netviz.tracing.reuse`][netviz.tracing.reuse])."""
        reuse = self.reuse
        if reuse is not None:
            if n in reuse.leaves:
                return reuse.leaf(n, self.env, self.values)
            if n in reuse.ready or (n in reuse.first and reuse.start(n, self.env, self.values)):
                result = reuse.ready.pop(n)  # a call nested in a call others may reuse
            else:
                result = self._run_node(n)
            reuse.noted(n, result)
            return result
        return self._run_node(n)

    def _run_node(self, n: torch.fx.Node) -> Any:
        args, kwargs = self.fetch_args_kwargs_from_env(n)
        args, kwargs = _mutable(args), _mutable(kwargs)
        self._call = None
        try:
            result = getattr(self, n.op)(n.target, args, kwargs)
        except NetvizError:
            raise
        except LayerShapeError as err:
            raise self._layer_error(n, err) from None
        except Exception as exc:
            raise NodeFailure(n, exc) from exc
        tensors, full = _summarize(result)
        arguments = list(tensors_in((args, kwargs))) if n.op != "get_attr" else []
        inputs = tuple(tuple(int(d) for d in t.shape) for t in arguments)
        call, macs, dependent = self._call, 0, ()
        if call is not None:
            if call.op is not None:
                macs = max(int(call.op.macs(call.rule_attrs or dict(call.attrs), inputs, full)), 0)
            elif call.count is not None:
                macs = call.count.macs
            if call.count is not None:
                dependent = tuple(call.count.data_dependent)
        self.values[n.name] = Value(
            tensors,
            full[1:] if full is not None else None,
            call.attrs if call is not None else (),
            full=full,
            inputs=inputs,
            passthrough=n.op != "call_module" and any(result is t for t in arguments),
            type_name=call.type_name if call is not None else "",
            macs=macs,
            data_dependent=dependent,
        )
        return result

    def _run(self, call: _Call, run: Any) -> Any:
        """Run a call for real, its aten ops counted (and recorded on ``call``)."""
        with self.counter, self.counter.measure() as count:
            call.count = count
            return run()

    def _called(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> _Call:
        op = ops.lookup(name)
        rule_attrs = call_rule_attrs(op, args, kwargs) if op is not None else None
        shown = shown_attrs(op, rule_attrs) if op is not None and rule_attrs is not None else ()
        self._call = _Call(op, attrs=shown, rule_attrs=rule_attrs)
        return self._call

    def _layer_error(self, n: torch.fx.Node, err: LayerShapeError) -> NetvizError:
        if n.op == "call_module":
            module = self.submodules[str(n.target)]
            name = type(module).__name__
            return layer_error(str(n.target), name, describe(module), err, self.input_shapes)
        name = function_name(n.target) if n.op == "call_function" else method_name(str(n.target))
        return layer_error(n.name, name, name, err, self.input_shapes)

    def get_attr(self, target: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """Fetch an attribute; tensor constants follow the model to its device."""
        value = super().get_attr(target, args, kwargs)
        if (
            isinstance(value, torch.Tensor)
            and not isinstance(value, nn.Parameter)
            and value.device != self.device
        ):
            value = value.to(self.device)
        return value

    def call_function(self, target: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """Closed form for common functions (``add``, ``relu``, ``cat``...); else a real call."""
        name = function_name(target)
        call = self._called(name, args, kwargs)
        result = closed_form(getattr(target, "__name__", ""), name, args, kwargs)
        if result is NOT_HANDLED:
            return self._run(call, lambda: target(*args, **kwargs))
        return result

    def call_method(self, target: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """Closed form for common tensor methods; else a real call."""
        name = method_name(target)
        call = self._called(name, args, kwargs)
        result = closed_form(target, name, args, kwargs)
        if result is NOT_HANDLED:
            self_obj, *rest = args
            return self._run(call, lambda: getattr(self_obj, target)(*rest, **kwargs))
        return result

    def call_module(self, target: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """Closed-form output for common layers; else a real call."""
        module = self.submodules[target]
        op = layer_op(module)
        shown = module_attrs(module, op)
        rule_attrs = None
        if op is not None:
            rule_attrs = layer_rule_attrs(module, op, shown)
            found = bound(op, args, kwargs, layer=True) if op.forward else None
            rule_attrs.update(found or {})
        call = _Call(op, layer_name(module, op), shown, rule_attrs)
        self._call = call
        like = args[0] if args else next(iter(kwargs.values()), None)
        if isinstance(like, torch.Tensor):
            if len(args) == 1 and not kwargs:
                check_input_dtype(op, like.is_floating_point(), str(like.dtype))
            outputs = layer_outputs(module, args, kwargs, op=op, shown=shown)
            if outputs is not None:
                return _blanks(outputs, like, output_dtype(module, op, like.dtype))
        return self._run(call, lambda: module(*args, **kwargs))


def _interpreter_init(interpreter: torch.fx.Interpreter, module: nn.Module,
                      graph: torch.fx.Graph, submodules: dict[str, nn.Module]) -> None:
    """What ``torch.fx.Interpreter.__init__`` does (``garbage_collect_values`` on), given
    ``dict(module.named_modules())`` instead of walking the model again for it. Its
    attributes are fx's own (``user_to_last_uses``, undocumented):
    ``tests/tracing/test_trace_fx.py`` pins that both give the same ones."""
    interpreter.module = module
    interpreter.submodules = submodules
    interpreter.graph = graph
    interpreter.env = {}
    interpreter.name = "Interpreter"
    interpreter.garbage_collect_values = True
    interpreter.extra_traceback = True
    last_use: dict[torch.fx.Node, torch.fx.Node] = {}
    interpreter.user_to_last_uses = {}
    for node in reversed(graph.nodes):
        for used in node.all_input_nodes:
            if used not in last_use:
                last_use[used] = node
                interpreter.user_to_last_uses.setdefault(node, []).append(used)


def _blanks(outputs: Any, like: torch.Tensor, dtype: torch.dtype) -> Any:
    """Blank tensors of the closed-form output shape(s), nested as the shapes are."""
    if outputs is None:
        return None
    if any(isinstance(part, tuple) or part is None for part in outputs):
        return tuple(_blanks(part, like, dtype) for part in outputs)
    return blank(outputs, like, dtype)


def placeholders(graph: torch.fx.Graph) -> list[torch.fx.Node]:
    """The graph's input nodes, in order."""
    return [n for n in graph.nodes if n.op == "placeholder"]


def check_input_count(
    graph: torch.fx.Graph, input_shapes: Sequence[Shape],
    input_names: Sequence[str | None] | None = None,
) -> None:
    """Raise ``InputShapeError`` unless the shapes cover the required inputs."""
    inputs = placeholders(graph)
    targets = [str(n.target) for n in inputs]  # a placeholder's target is its name
    keywords = [n for n in input_names or () if n is not None]
    positional = len(input_shapes) - len(keywords)
    fed = set(targets[:positional]) | set(keywords)
    required = [t for n, t in zip(inputs, targets) if not n.args and not t.startswith("*")]
    variadic = any(t.startswith("*") for t in targets)
    if any(t not in fed for t in required) or (
        positional > len(inputs) - len(keywords) and not variadic
    ):
        names = ", ".join(targets)
        raise InputShapeError(
            f"the model takes {len(required)} input(s) ({names}) but "
            f"{len(input_shapes)} input shape(s) were given ({shapes_text(input_shapes)})"
        )


def fed_in_order(
    graph: torch.fx.Graph, inputs: Sequence[Any], input_names: Sequence[str | None] | None
) -> list[Any]:
    """``inputs`` (positional first, then keywords named by ``input_names``) in the order
    of the graph's placeholders."""
    keywords = {n: i for i, n in enumerate(input_names or ()) if n is not None}
    positional = [x for i, x in enumerate(inputs) if i not in keywords.values()]
    ordered = []
    for node in placeholders(graph):
        target = str(node.target)
        if target in keywords:
            ordered.append(inputs[keywords[target]])
        elif positional:
            ordered.append(positional.pop(0))
    return ordered


def propagate(
    module: nn.Module,
    graph: torch.fx.Graph,
    input_shapes: Sequence[Shape],
    input_dtypes: Sequence[str] | None = None,
    input_names: Sequence[str | None] | None = None,
    input_fills: Sequence[Fill | None] | None = None,
    stamps: Stamps | None = None,
) -> dict[str, Value]:
    """Run ``graph`` on batch-1 inputs on the model's device; return each node's value.

    Args:
        module: The traced model.
        graph: Its fx graph.
        input_shapes: Input shapes without the batch dimension.
        input_dtypes: Canonical dtype names per input; ``None``: the model's float dtype.
        input_names: The name of each keyword input, ``None`` for positional ones.
        input_fills: The leading values of integer inputs (see [`Fill`][netviz.inputs.Fill]).
        stamps: The calls ``stamped_graph`` stamped: those alike an earlier one take its
            values instead of running (see [`netviz.tracing.reuse`][netviz.tracing.reuse]).

    Raises:
        NetvizError: A closed-form check failed (``InputShapeError``, ...).
        NodeFailure: Torch raised at a node.
    """
    device, dtype = model_device(module), model_dtype(module)
    inputs = make_inputs(input_shapes, device, dtype, random=False, dtypes=input_dtypes,
                         fills=input_fills)
    reuse = Reuse(stamps) if stamps is not None and stamps.instances else None
    traced = stamps.modules if stamps is not None else None
    interpreter = ShapeInterpreter(module, graph, input_shapes, device, reuse,
                                   traced if traced is not None and traced.get("") is module
                                   else None)
    with torch.no_grad():
        interpreter.run(*fed_in_order(graph, inputs, input_names))
    return interpreter.values

