"""Walking the values a model passes around: tensors in containers, keyed outputs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import torch

T = TypeVar("T")


def tensors_in(value: Any) -> list[torch.Tensor]:
    """Every tensor in a (nested) tuple, list or dict, in order.

    Called for every op of a traced forward (tens of thousands for a large model), so
    it walks with a loop rather than nested generators.
    """
    if isinstance(value, torch.Tensor):
        return [value]
    found: list[torch.Tensor] = []
    todo = [value]
    while todo:
        item = todo.pop()
        kind = type(item)
        if kind in _PLAIN:
            continue
        if kind is tuple or kind is list:
            todo.extend(reversed(item))
        elif isinstance(item, torch.Tensor):
            found.append(item)
        elif isinstance(item, (tuple, list)):
            todo.extend(reversed(item))
        elif isinstance(item, dict):
            todo.extend(reversed(list(item.values())))
    return found


_PLAIN = frozenset({int, float, bool, str, type(None), torch.dtype, torch.device})


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
