"""Count every parameter once across a whole graph (shared and tied weights)."""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch.nn.parameter import is_lazy


class ParamLedger:
    """Hands out parameter counts, each ``nn.Parameter`` only the first time it is seen.

    A module called twice owns its parameters on the first call only; weights
    tied between two layers count for the first layer that uses them.
    """

    def __init__(self) -> None:
        self._seen: set[int] = set()
        self._keep: list[torch.Tensor] = []  # keeps ids valid while counting

    def unseen(self, params: Iterable[torch.Tensor]) -> bool:
        """Whether none of ``params`` was counted yet."""
        return self._seen.isdisjoint(map(id, params))

    def claim(self, params: list[torch.Tensor]) -> bool:
        """Count ``params`` as seen when none was seen before (``True``); else change
        nothing (``False``)."""
        seen = self._seen
        if not seen.isdisjoint(map(id, params)):
            return False
        seen.update(map(id, params))
        self._keep += params
        return True

    def take(self, params: Iterable[torch.Tensor]) -> int:
        """Number of elements of the not-yet-counted tensors in ``params``."""
        total = 0
        for param in params:
            key = id(param)
            if key in self._seen:
                continue
            self._seen.add(key)
            self._keep.append(param)
            if is_lazy(param):
                continue  # a lazy layer's weights have no size yet
            total += param.numel()
        return total

    def mark(self) -> int:
        """A mark of what was taken so far (see ``taken_since``)."""
        return len(self._keep)

    def taken_since(self, mark: int) -> list[torch.Tensor]:
        """The tensors first taken after ``mark``, in order."""
        return self._keep[mark:]

    def is_taken(self, param: torch.Tensor) -> bool:
        """Whether ``param`` was taken already (a later take counts it as 0)."""
        return id(param) in self._seen
