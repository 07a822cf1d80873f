"""Walking the values a model passes around: tensors in containers, keyed outputs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import torch

T = TypeVar("T")


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


def full_shapes(value: Any) -> tuple[tuple[int, ...], ...]:
    """The full shapes (batch dimension included) of every tensor in ``value``."""
    return tuple(tuple(int(d) for d in t.shape) for t in tensors_in(value))


def keyed_leaves(value: Any, is_leaf: Callable[[Any], bool]) -> list[tuple[str, Any]]:
    """``(key, leaf)`` for every leaf of a returned structure, in order.

    A single leaf has key ``""``; tuple and list items are keyed by their index,
    dict items by their key, nested ones joined with dots (``"hidden.0"``).
    """
    if is_leaf(value):
        return [("", value)]
    items: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        pairs: list[tuple[str, Any]] = [(str(k), v) for k, v in value.items()]
    elif isinstance(value, (tuple, list)):
        pairs = [(str(i), v) for i, v in enumerate(value)]
    else:
        return items
    for key, item in pairs:
        for sub, leaf in keyed_leaves(item, is_leaf):
            items.append((f"{key}.{sub}" if sub else key, leaf))
    return items
