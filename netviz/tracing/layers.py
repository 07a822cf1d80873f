"""Closed-form outputs of layers, from the op table's shape rules.

Running a layer on meta tensors costs a dispatch (and, for the first op that
has no C++ meta kernel, about a second of lazy imports); on CPU tensors it
costs a real convolution. The table's rules cost neither and do not grow with
the input resolution. ``layer_outputs`` answers ``None`` for a layer or a call
the table has no rule for, and the caller runs it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch
from torch import nn

from netviz.ir import Attr
from netviz.ops import LayerShapeError, Op
from netviz.ops.record import Outputs
from netviz.ops.shapes import tup
from netviz.tracing.attrs import bound, layer_op, layer_rule_attrs, module_attrs

Shape = tuple[int, ...]


def _uninitialized(module: nn.Module) -> bool:
    check = getattr(module, "has_uninitialized_params", None)
    return check is not None and bool(check())


def layer_outputs(
    module: nn.Module, args: Sequence[Any], kwargs: Mapping[str, Any], *,
    op: Op | None = None, shown: tuple[Attr, ...] | None = None,
) -> Outputs | None:
    """Closed-form output shape(s) of the call ``module(*args, **kwargs)``.

    A layer whose entry has call parameters (``nn.MultiheadAttention``, transformer
    layers) is answered for any call that binds to them; any other layer for a call
    with one tensor and nothing else.

    Args:
        module: The layer.
        args: The call's positional arguments.
        kwargs: Its keyword arguments.
        op: The layer's table entry, when the caller has it.
        shown: The attributes it shows, when the caller has them.

    Returns:
        The output shape (or one per element of a tuple output), or ``None`` when no
        closed form applies (unknown layer, lazy parameters, other calls).

    Raises:
        LayerShapeError: The input does not fit the layer, as torch would complain.
    """
    op = layer_op(module) if op is None else op
    if op is None or op.shape is None or _uninitialized(module):
        return None
    attrs = layer_rule_attrs(module, op, module_attrs(module, op) if shown is None else shown)
    if op.forward:
        found = bound(op, args, kwargs, layer=True)
        if found is None:
            return None
        attrs.update(found)
        inputs = [tuple(int(d) for d in t.shape) for t in _tensors(args, kwargs)]
        if not inputs:
            return None
    elif len(args) == 1 and not kwargs and isinstance(args[0], torch.Tensor):
        inputs = [tuple(int(d) for d in args[0].shape)]
    else:
        return None
    return op.shape(attrs, inputs)


def _tensors(args: Sequence[Any], kwargs: Mapping[str, Any]) -> list[torch.Tensor]:
    return [v for v in (*args, *kwargs.values()) if isinstance(v, torch.Tensor)]


def output_shape(module: nn.Module, shape: Shape) -> Shape | None:
    """Closed-form output shape of ``module`` for one input of ``shape`` (batch included).

    Returns:
        The output shape, or ``None`` when no closed form applies (unknown layer,
        lazy parameters, tuple outputs): the caller then runs the layer.

    Raises:
        LayerShapeError: The input does not fit the layer, as torch would complain.
    """
    out = layer_outputs(module, (torch.empty(tuple(shape), device="meta"),), {})
    return out if out is None or all(isinstance(d, int) for d in out) else None  # type: ignore[return-value]


def layer_macs(module: nn.Module, inputs: Sequence[Shape], output: Shape | None) -> int:
    """A layer's MACs by its table rule, from its full input and output shapes (0 for a
    layer the table has no rule for)."""
    op = layer_op(module)
    if op is None:
        return 0
    attrs = layer_rule_attrs(module, op, module_attrs(module, op))
    return max(int(op.macs(attrs, inputs, output)), 0)


def output_dtype(module: nn.Module, op: Op | None, dtype: torch.dtype) -> torch.dtype:
    """The dtype of a layer's output: an embedding's weights', else its input's."""
    weight = getattr(module, "weight", None)
    if op is not None and op.indices and isinstance(weight, torch.Tensor):
        return weight.dtype
    return dtype


def check_input_dtype(op: Op | None, floating: bool, dtype: str) -> None:
    """Raise ``LayerShapeError`` for float input to an embedding (it takes indices)."""
    if floating and op is not None and op.indices:
        name = dtype.removeprefix("torch.")
        raise LayerShapeError(
            f"expects integer indices, got {name}; give the input dtype, e.g. "
            "--input-dtype int64 (input_dtypes=['int64'] in Python)"
        )


def describe(module: nn.Module) -> str:
    """Short layer description for messages: ``"Conv2d 3x3"``, ``"AvgPool2d 8x8"``."""
    name = type(module).__name__
    kernel = getattr(module, "kernel_size", None)
    if kernel is None:
        return name
    if not isinstance(kernel, (tuple, list)):
        n = int(name[-2]) if name[-2:-1].isdigit() and name.endswith("d") else 1
        kernel = tup(kernel, n)
    return f"{name} {'x'.join(map(str, kernel))}"
