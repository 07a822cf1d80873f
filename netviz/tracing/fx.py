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
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import torch
import torch.fx
from torch import nn

from netviz.errors import InputShapeError, NetvizError
from netviz.inputs import Fill
from netviz.ir import Attr, Shape
from netviz.tracing.attrs import call_attrs
from netviz.tracing.device import make_inputs, model_device, model_dtype
from netviz.tracing.failures import layer_error, shapes_text
from netviz.tracing.functional import NOT_HANDLED, blank, closed_form
from netviz.tracing.layers import (
    attention_outputs,
    check_input_dtype,
    describe,
    output_dtype,
    output_shape,
)
from netviz.tracing.names import function_name, method_name
from netviz.tracing.shapes import LayerShapeError
from netviz.tracing.values import tensors_in


@dataclass(frozen=True)
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
    """

    tensors: bool
    shape: Shape | None = None
    attrs: tuple[Attr, ...] = ()
    full: Shape | None = None
    inputs: tuple[Shape, ...] = ()
    passthrough: bool = False


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


class _Tracer(torch.fx.Tracer):
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
    ) -> None:
        super().__init__(module, garbage_collect_values=True, graph=graph)
        self.device = device
        self.extra_traceback = False
        self.input_shapes = tuple(input_shapes)
        self.values: dict[str, Value] = {}

    def run_node(self, n: torch.fx.Node) -> Any:
        """Run one node and record what it produced."""
        args, kwargs = self.fetch_args_kwargs_from_env(n)
        try:
            result = getattr(self, n.op)(n.target, args, kwargs)
        except NetvizError:
            raise
        except LayerShapeError as err:
            raise self._layer_error(n, err) from None
        except Exception as exc:
            raise NodeFailure(n, exc) from exc
        tensors, full = _summarize(result)
        attrs: tuple[Attr, ...] = ()
        if n.op == "call_function":
            attrs = call_attrs(function_name(n.target), args, kwargs)
        elif n.op == "call_method":
            attrs = call_attrs(method_name(str(n.target)), args, kwargs)
        arguments = list(tensors_in((args, kwargs))) if n.op != "get_attr" else []
        self.values[n.name] = Value(
            tensors,
            full[1:] if full is not None else None,
            attrs,
            full=full,
            inputs=tuple(tuple(int(d) for d in t.shape) for t in arguments),
            passthrough=n.op != "call_module" and any(result is t for t in arguments),
        )
        return result

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
        raw = getattr(target, "__name__", "")
        result = closed_form(raw, function_name(target), args, kwargs)
        return target(*args, **kwargs) if result is NOT_HANDLED else result

    def call_method(self, target: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """Closed form for common tensor methods; else a real call."""
        result = closed_form(target, method_name(target), args, kwargs)
        if result is NOT_HANDLED:
            self_obj, *rest = args
            return getattr(self_obj, target)(*rest, **kwargs)
        return result

    def call_module(self, target: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """Closed-form output for common layers; else a real call."""
        module = self.submodules[target]
        if len(args) == 1 and not kwargs and isinstance(args[0], torch.Tensor):
            check_input_dtype(module, args[0].is_floating_point(), str(args[0].dtype))
            shape = output_shape(module, tuple(args[0].shape))
            if shape is not None:
                return blank(shape, args[0], output_dtype(module, args[0].dtype))
        outputs = attention_outputs(module, args, kwargs)
        like = args[0] if args else next(iter(kwargs.values()), None)
        if outputs is not None and isinstance(like, torch.Tensor):
            if isinstance(outputs[0], tuple):
                attended, weights = outputs
                return (blank(attended, like),
                        None if weights is None else blank(weights, like))
            return blank(outputs, like)
        return module(*args, **kwargs)

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
) -> dict[str, Value]:
    """Run ``graph`` on batch-1 inputs on the model's device; return each node's value.

    Args:
        module: The traced model.
        graph: Its fx graph.
        input_shapes: Input shapes without the batch dimension.
        input_dtypes: Canonical dtype names per input; ``None``: the model's float dtype.
        input_names: The name of each keyword input, ``None`` for positional ones.
        input_fills: The leading values of integer inputs (see [`Fill`][netviz.inputs.Fill]).

    Raises:
        NetvizError: A closed-form check failed (``InputShapeError``, ...).
        NodeFailure: Torch raised at a node.
    """
    device, dtype = model_device(module), model_dtype(module)
    inputs = make_inputs(input_shapes, device, dtype, random=False, dtypes=input_dtypes,
                         fills=input_fills)
    interpreter = ShapeInterpreter(module, graph, input_shapes, device)
    with torch.no_grad():
        interpreter.run(*fed_in_order(graph, inputs, input_names))
    return interpreter.values

