"""The dispatch-level MAC counter: the MACs of calls the op table has no rule for.

A call the table does not know (a ``torch.fx.wrap``-ped function, a custom layer
that calls ``torch.addmm``, a weight-normed layer, a fused kernel) still reaches
aten: ``mm``, ``addmm``, ``bmm``, ``convolution``, ``_grouped_mm``, the attention
kernels, ``einsum``'s batched products. [`MacCounter`][netviz.tracing.counter.MacCounter]
is a ``TorchDispatchMode`` that sees every aten op of the calls run under it and
counts each one with the table's MAC rule for that aten op (``aten_op``), on
whatever device the call runs (meta included: only shapes are read). It also
notes the ops whose work depends on tensor values (``nonzero``, indexing with a
mask): after those, a count is a lower bound.

``torch.utils._python_dispatch.TorchDispatchMode`` is a private module of torch,
the documented way to write a dispatch mode (``torch.utils.flop_counter`` builds
on it too); tests/tracing/test_counter.py pins the behaviour relied on here (the
mode sees aten ops under ``no_grad`` on meta and CPU, nested calls inside the
mode's own handler are not seen again, the mode stack is per thread, and counting
imports no ``torch._dynamo``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import torch
from torch.utils._python_dispatch import TorchDispatchMode

from netviz import ops
from netviz.tracing.attrs import call_rule_attrs
from netviz.tracing.values import tensors_in


@dataclass
class Count:
    """What the aten ops of one call did.

    Attributes:
        macs: Their multiply-accumulates, by the table's aten MAC rules.
        data_dependent: Aten ops among them whose work depends on tensor values.
    """

    macs: int = 0
    data_dependent: dict[str, None] = field(default_factory=dict)

    def add(self, other: Count) -> None:
        """Add ``other``'s count to this one."""
        self.macs += other.macs
        self.data_dependent.update(other.data_dependent)


def _shape(value: Any) -> tuple[int, ...] | None:
    return tuple(int(d) for d in value.shape) if isinstance(value, torch.Tensor) else None


def _entry(func: Any) -> ops.Op | None:
    """The table's entry of aten overload ``func`` (``__name__``: ``"addmm.default"``)."""
    try:
        return _ENTRIES[func]
    except KeyError:
        packet, _, overload = str(func.__name__).partition(".")
        op = _ENTRIES[func] = ops.aten_op(packet, overload or "default")
        return op


_ENTRIES: dict[Any, ops.Op | None] = {}
"""aten overload -> its table entry, filled as overloads are met (the table is constant;
a forward of a large model runs the same few overloads thousands of times)."""


def aten_macs(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any], out: Any) -> int:
    """The MACs of one aten op by the table's rule for it (0 for ops without one)."""
    op = _entry(func)
    if op is None or not op.counts:
        return 0
    attrs = call_rule_attrs(op, args, kwargs) or {}
    inputs = tuple(_shape(t) or () for t in tensors_in((args, kwargs)))
    return max(int(op.macs(attrs, inputs, _shape(out))), 0)


def _depends_on_data(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    op = _entry(func)
    if op is None or not op.data_dependent:
        return False
    if not callable(op.data_dependent):
        return True
    return op.depends_on_data(call_rule_attrs(op, args, kwargs) or {})


class MacCounter(TorchDispatchMode):
    """Counts the MACs of the aten ops run under it into the innermost open ``Count``.

    Use [`measure`][netviz.tracing.counter.MacCounter.measure] around each call to
    attribute; the counter itself must be active (``with counter:``) while the calls
    run. Counts of calls measured inside another measured call also go to the outer
    one when their caller adds them (see ``Count.add``).
    """

    def __init__(self) -> None:
        super().__init__()
        self.counts: list[Count] = [Count()]

    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        """torch wraps a mode's ``__torch_dispatch__`` in ``torch._disable_dynamo`` unless
        this says ``False`` (the opt-out its docstring describes); the wrapper imports
        ``torch._dynamo`` (seconds) at the first op counted. Nothing here is compiled.
        Private to torch: tests/tracing/test_counter.py pins that counting imports no
        ``torch._dynamo``."""
        return False

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):  # noqa: ANN001
        kwargs = kwargs or {}
        if _depends_on_data(func, args, kwargs):
            self.counts[-1].data_dependent[str(func.__name__).partition(".")[0]] = None
        out = func(*args, **kwargs)
        self.counts[-1].macs += aten_macs(func, args, kwargs, out)
        return out

    @contextmanager
    def measure(self) -> Iterator[Count]:
        """A fresh ``Count`` for what runs inside (not added to the enclosing one)."""
        count = Count()
        self.counts.append(count)
        try:
            yield count
        finally:
            self.counts.pop()
