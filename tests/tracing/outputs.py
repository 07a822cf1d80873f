"""What the closed-form shape tests compare: a layer's output as nested shape tuples."""

from __future__ import annotations

import torch


def shapes(value: object) -> object:
    """``value`` with every tensor replaced by its shape tuple (tuples kept nested)."""
    if isinstance(value, torch.Tensor):
        return tuple(value.shape)
    if isinstance(value, tuple):
        return tuple(shapes(v) for v in value)
    return value
