"""Closed forms of functional ops (``x + y``, ``F.relu``, ``torch.cat``, ...).

On meta tensors the first op without a C++ meta kernel triggers about a
second of lazy imports, and each later one costs ~0.3 ms of Python; models
written with ``F.relu`` and ``out + x`` would pay that on every trace. The op
table's shape rules answer the common cases from shapes alone; anything
unusual (mixed dtypes or devices, integer inputs, ``out=``, ``dtype=``,
arguments the entry does not list) is left to torch by answering ``NOT_HANDLED``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch

from netviz import ops
from netviz.tracing.attrs import call_rule_attrs
from netviz.tracing.names import is_inplace
from netviz.tracing.values import tensors_in

NOT_HANDLED = object()
"""Answer of ``closed_form`` when torch must run the op."""


def blank(
    shape: Sequence[int], like: torch.Tensor, dtype: torch.dtype | None = None
) -> torch.Tensor:
    """A tensor standing for an op's output: free on meta, zeros elsewhere.

    It has ``like``'s device and ``dtype`` (default: ``like``'s). Zeros (not
    ``torch.empty``) on real devices keep any later data-dependent op
    (``nonzero``) deterministic.
    """
    kind = dtype or like.dtype
    if like.device.type == "meta":
        return torch.empty(tuple(shape), dtype=kind, device=like.device)
    return torch.zeros(tuple(shape), dtype=kind, device=like.device)


def _alike(tensors: list[torch.Tensor]) -> bool:
    """Floating tensors of one dtype on one device."""
    first = tensors[0]
    return first.is_floating_point() and all(
        t.dtype == first.dtype and t.device == first.device for t in tensors)


def closed_form(raw: str, name: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
    """Result of ``name(*args, **kwargs)`` from shapes alone, or ``NOT_HANDLED``.

    Args:
        raw: The function's or method's own name (``"iadd"``, ``"add_"``): tells in-place.
        name: Its canonical name (``"add"``).
        args: Concrete positional arguments (the tensor itself first, for methods).
        kwargs: Concrete keyword arguments.

    Raises:
        LayerShapeError: The inputs do not fit the op.
        RuntimeError: Shapes do not broadcast or concatenate (torch's wording).
    """
    op = ops.lookup(name)
    if op is None or op.shape is None:
        return NOT_HANDLED
    tensors = list(tensors_in((args, kwargs)))
    if not tensors or not isinstance(args[0] if args else None, (torch.Tensor, list, tuple)):
        return NOT_HANDLED
    ids, values = (tensors[:1], tensors[1:]) if op.indices else ([], tensors)
    if not values or not _alike(values) or any(t.is_floating_point() for t in ids):
        return NOT_HANDLED  # mixed dtypes or devices, integer values, float ids: torch decides
    attrs = call_rule_attrs(op, args, kwargs)
    if attrs is None:
        return NOT_HANDLED
    outputs = op.shape(attrs, [tuple(int(d) for d in t.shape) for t in tensors])
    if outputs is None or not all(isinstance(d, int) for d in outputs):
        return NOT_HANDLED
    shape = tuple(int(d) for d in outputs)  # type: ignore[arg-type]
    first = values[0]
    if is_inplace(raw) and first is args[0]:
        if tuple(shape) != tuple(first.shape):
            raise RuntimeError(f"output with shape {list(first.shape)} doesn't match the "
                               f"broadcast shape {list(shape)}")
        return first
    return blank(shape, first)
