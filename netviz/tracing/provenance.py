"""Which ops produced each live tensor: the edges of the module-hooks tracer.

[`Provenance`][netviz.tracing.provenance.Provenance] maps tensors to the nodes that
produced them, and tensors computed from weights alone (``cls_token.expand(...)``)
to those weights, so the op that finally uses one with the model's data counts
them (as torch.fx's graph folds them into it);
[`FollowTensors`][netviz.tracing.provenance.FollowTensors] passes both through
every functional op of a forward.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from functools import partial
from typing import Any

import torch
from torch import nn
from torch.overrides import TorchFunctionMode

from netviz.tracing.counter import Count, MacCounter
from netviz.tracing.values import tensors_in


class Provenance:
    """Which nodes produced each live tensor.

    Keyed by tensor identity through weak references, so the bookkeeping never
    keeps an activation alive (a real forward of a big model stays as light as
    the model's own) and a recycled ``id()`` never inherits stale producers.
    """

    def __init__(self) -> None:
        self._entries: dict[int, tuple[weakref.ref, tuple[str, ...]]] = {}
        self._weights: dict[int, tuple[weakref.ref, tuple[nn.Parameter, ...]]] = {}

    def of(self, value: Any) -> tuple[str, ...]:
        found: dict[str, None] = {}
        for tensor in tensors_in(value):
            entry = self._entries.get(id(tensor))
            if entry is not None and entry[0]() is tensor:
                found.update(dict.fromkeys(entry[1]))
        return tuple(found)

    def set(self, value: Any, producers: tuple[str, ...]) -> None:
        for tensor in tensors_in(value):
            key = id(tensor)
            ref = weakref.ref(tensor, partial(self._forget, key))
            self._entries[key] = (ref, producers)

    def _forget(self, key: int, ref: weakref.ref) -> None:
        for entries in (self._entries, self._weights):
            entry = entries.get(key)
            if entry is not None and entry[0] is ref:
                del entries[key]

    def weights_of(self, value: Any) -> tuple[nn.Parameter, ...]:
        """The weights in ``value``, and those its tensors were computed from alone."""
        found: dict[int, nn.Parameter] = {}
        for tensor in tensors_in(value):
            if isinstance(tensor, nn.Parameter):
                found.setdefault(id(tensor), tensor)
            entry = self._weights.get(id(tensor))
            if entry is not None and entry[0]() is tensor:
                for weight in entry[1]:
                    found.setdefault(id(weight), weight)
        return tuple(found.values())

    def carry(self, value: Any, weights: tuple[nn.Parameter, ...]) -> None:
        """Record that ``value``'s tensors were computed from ``weights`` and no input."""
        for tensor in tensors_in(value):
            key = id(tensor)
            ref = weakref.ref(tensor, partial(self._forget, key))
            self._weights[key] = (ref, weights)


OnCall = Callable[
    [Any, tuple[Any, ...], dict[str, Any], Any, tuple[str, ...], Count], tuple[str, ...]]
"""``(func, args, kwargs, out, sources, count) -> producers of out``: records a functional op
(``count``: what its aten ops did)."""


class FollowTensors(TorchFunctionMode):
    """Passes provenance through functional ops (``x + y``, ``F.relu``, ``view``).

    ``on_call`` sees every call whose inputs depend on a model input and whose
    output holds tensors; what it returns becomes the output's provenance. The aten
    ops of a call ``on_call`` draws as a node of its own are that node's count;
    those of any other call go to the enclosing call's (``counter``).
    """

    def __init__(self, provenance: Provenance, on_call: OnCall, counter: MacCounter) -> None:
        super().__init__()
        self.provenance = provenance
        self.on_call = on_call
        self.counter = counter

    def run(self, func: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, Count]:
        """``func(*args, **kwargs)``, and what its aten ops did (a subclass may answer
        from what it has seen, see [`netviz.tracing.replay`][netviz.tracing.replay])."""
        # MacCounter.measure() written out: a generator context manager per functional op
        # is a good part of the bookkeeping of a forward with tens of thousands of them.
        count = Count()
        counts = self.counter.counts
        counts.append(count)
        try:
            out = func(*args, **kwargs)
        finally:
            counts.pop()
        return out, count

    def __torch_function__(self, func, types, args=(), kwargs=None):  # noqa: ANN001
        kwargs = kwargs or {}
        out, count = self.run(func, args, kwargs)
        # The bookkeeping's own tensor reads (shapes, ids) are no calls of the model's: no
        # function mode (this one's outer modes) need see them. torch._C private guard;
        # tests/tracing/test_replay.py pins that modes do not see calls made under it.
        with torch._C.DisableTorchFunction():
            return self.follow(func, args, kwargs, out, count)

    def follow(self, func: Any, args: tuple[Any, ...], kwargs: dict[str, Any], out: Any,
               count: Count) -> Any:
        """Pass provenance from ``func``'s arguments to ``out`` and its count on; ``out``."""
        sources = self.provenance.of((args, kwargs))
        counted = False
        if any(True for _ in tensors_in(out)):
            if sources:
                producers = self.on_call(func, args, kwargs, out, sources, count)
                counted = producers != sources  # a node of its own took the count
                self.provenance.set(out, producers)
            else:
                weights = self.provenance.weights_of((args, kwargs))
                if weights and not any(out is w for w in weights):
                    self.provenance.carry(out, weights)
        if not counted:
            self.counter.counts[-1].add(count)  # part of the enclosing call
        return out
