"""Walking the values a model passes around: tensors in containers, keyed outputs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import torch

T = TypeVar("T")


def tensors_in(value: Any) -> list[torch.Tensor]:
    """Every tensor in a (nested) tuple, list or dict, in order.

    Called for every op of a traced forward (tens of thousands for a large model), so
    the common cases (an argument tuple of tensors and numbers) are tested first, by
    exact type, and only containers are walked further.
    """
    if isinstance(value, torch.Tensor):
        return [value]
    found: list[torch.Tensor] = []
    _collect(value, found)
    return found


def _collect(value: Any, found: list[torch.Tensor]) -> None:
    """Append the tensors in container ``value`` to ``found``, depth first, in order."""
    kind = type(value)
    if kind is tuple or kind is list:
        items: Any = value
    elif kind in _PLAIN:
        return
    elif isinstance(value, torch.Tensor):
        found.append(value)
        return
    elif isinstance(value, (tuple, list)):
        items = value
    elif isinstance(value, dict):
        items = value.values()
    else:
        return
    for item in items:
        kind = type(item)
        if kind is _TENSOR:
            found.append(item)
        elif kind not in _PLAIN:
            _collect(item, found)


_TENSOR = torch.Tensor
_PLAIN = frozenset({int, float, bool, str, type(None), torch.dtype, torch.device})


def map_tensors(value: Any, fn: Callable[[torch.Tensor], Any]) -> Any:
    """``value`` with ``fn`` applied to each tensor in it (through lists, tuples, dicts)."""
    if isinstance(value, torch.Tensor):
        return fn(value)
    if isinstance(value, list):
        return [map_tensors(item, fn) for item in value]
    if isinstance(value, tuple):
        return tuple(map_tensors(item, fn) for item in value)
    if isinstance(value, dict):
        return {key: map_tensors(item, fn) for key, item in value.items()}
    return value


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
