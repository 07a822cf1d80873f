"""Values carried by meta tensors: the CPU value a small meta tensor holds beside its
shape (see [`meta_values`][netviz.tracing.meta.meta_values]), and whether that value
follows from an assumed, balanced choice (see [`netviz.tracing.choices`][netviz.tracing.choices])."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import torch

from netviz.tracing.values import tensors_in

VALUE_ATTRIBUTE = "_netviz_value"
"""The attribute of a meta tensor holding its CPU value."""
ASSUMED_ATTRIBUTE = "_netviz_assumed"
"""The attribute set on a value that follows from a balanced choice."""
_VALUE, _ASSUMED = VALUE_ATTRIBUTE, ASSUMED_ATTRIBUTE


def value_of(tensor: torch.Tensor) -> torch.Tensor | None:
    """The value of ``tensor``: itself when real, its CPU value when a meta tensor has one."""
    if not tensor.is_meta:
        return tensor
    value: torch.Tensor | None = getattr(tensor, _VALUE, None)
    return value


def with_value(tensor: torch.Tensor, value: torch.Tensor) -> torch.Tensor:
    """``tensor`` (on meta), carrying ``value`` (a CPU tensor of its shape)."""
    setattr(tensor, _VALUE, value)
    return tensor


def drop_value(tensor: torch.Tensor) -> None:
    """Forget ``tensor``'s value (weight-derived data was written into it)."""
    if tensor.is_meta and hasattr(tensor, _VALUE):
        delattr(tensor, _VALUE)


def is_assumed(tensors: Sequence[torch.Tensor]) -> bool:
    """Whether any of ``tensors`` (all with values) follows from a balanced choice."""
    return any(getattr(value_of(t), _ASSUMED, False) for t in tensors)


def mark(value: Any, assumed: bool) -> Any:
    """``value`` (values), marked as following from a balanced choice when ``assumed``."""
    if assumed:
        for tensor in tensors_in(value):
            setattr(tensor, _ASSUMED, True)
    return value


_BITS = {1: torch.uint8, 2: torch.int16, 4: torch.int32, 8: torch.int64}
"""An integer dtype of each element size: a value's elements as bits."""

_BYTES: ContextVar[dict[int, tuple[torch.Tensor, bytes]] | None] = ContextVar(
    "netviz_value_bytes", default=None)
"""Within ``remembered_bytes``: per value (by ``id``; the value is held, so the ``id``
stays its own) its elements' bytes, as read since the last write the forward made."""


@contextmanager
def remembered_bytes() -> Iterator[None]:
    """In this context (this thread), ``value_bytes`` reads each value's bytes once until
    ``values_written`` says a write happened: the rotary ``cos`` and ``sin`` every layer
    of a stack is called with are compared with the recorded ones at every layer. Enter
    it inside [`meta_values`][netviz.tracing.meta.meta_values], which calls
    ``values_written`` for every op that writes into a tensor."""
    token = _BYTES.set({})
    try:
        yield
    finally:
        _BYTES.reset(token)


def values_written() -> None:
    """Forget the bytes read so far: an op is about to write into a tensor (a value, or a
    real tensor that is one)."""
    remembered = _BYTES.get()
    if remembered:
        remembered.clear()


def value_bytes(value: torch.Tensor) -> bytes:
    """The bytes of ``value``'s elements (a CPU tensor), read once per ``remembered_bytes``
    scope until a write (see ``values_written``)."""
    remembered = _BYTES.get()
    entry = remembered.get(id(value)) if remembered is not None else None
    if entry is not None and entry[0] is value:
        return entry[1]
    # no mode may see this read (torch._C private guard, as _Answer.give in replay.py)
    with torch._C._DisableTorchDispatch():
        bits = value.view(_BITS[value.element_size()])  # numpy knows no bfloat16
        read = bits.numpy().tobytes()
    if remembered is not None:
        remembered[id(value)] = (value, read)
    return read
