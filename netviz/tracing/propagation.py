"""Analytic shape propagation over a traced fx graph.

[`propagate`][netviz.tracing.propagation.propagate] walks the graph
[`symbolic_graph`][netviz.tracing.fx.symbolic_graph] or
[`stamped_graph`][netviz.tracing.fx.stamped_graph] recorded with a
``torch.fx.Interpreter`` that answers the common layers from closed formulas (a blank
tensor of the computed shape) and runs everything else for real on the model's device:
meta tensors for meta models, so no weights are touched. Each node's result is a
[`Value`][netviz.tracing.propagation.Value].
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
import torch.fx
from torch import nn

from netviz.errors import InputShapeError, NetvizError
from netviz.inputs import Fill
from netviz.ir import Attr, Shape
from netviz.ops import LayerShapeError, Op
from netviz.tracing.attrs import described_call, described_layer, layer_name
from netviz.tracing.counter import Count, MacCounter
from netviz.tracing.device import make_inputs, model_device, model_dtype
from netviz.tracing.functional import NOT_HANDLED, blank, closed_form
from netviz.tracing.interpreter import PlainInterpreter, interpreter_init
from netviz.tracing.layers import check_input_dtype, describe, layer_outputs, output_dtype
from netviz.tracing.names import function_name, method_name
from netviz.tracing.reuse import Reuse
from netviz.tracing.stamps import Stamps
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


class ShapeInterpreter(PlainInterpreter):
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
            interpreter_init(self, module, graph, submodules)
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
        op, rule_attrs, shown = described_call(name, args, kwargs)
        self._call = _Call(op, attrs=shown, rule_attrs=rule_attrs)
        return self._call

    def _layer_error(self, n: torch.fx.Node, err: LayerShapeError) -> NetvizError:
        from netviz.tracing.failures import layer_error  # failures only

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
        op, shown, rule_attrs = described_layer(module, args, kwargs)
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
        from netviz.tracing.failures import shapes_text  # failures only

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

