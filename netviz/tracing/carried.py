"""Values carried by meta tensors: the CPU value a small meta tensor holds beside its
shape (see [`meta_values`][netviz.tracing.meta.meta_values]), and whether that value
follows from an assumed, balanced choice (see [`netviz.tracing.choices`][netviz.tracing.choices])."""

from __future__ import annotations

from collections.abc import Sequence
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
