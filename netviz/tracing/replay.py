"""Replaying the meta ops a forward has run before: repeated layers at almost no cost.

A forward on the meta device runs the same ops on tensors of the same layouts in every
layer of a stack (the 80 decoder layers of a 70-B Llama). Each op crosses the meta-values
and MAC-counting dispatch modes, and many (attention, broadcasting arithmetic, RMSNorm)
run a Python meta decomposition: most of the forward's time. On meta, what an op gives
is a function of what it is called with alone: the op, the layout (type, dtype, shape,
strides, storage offset) of each tensor argument and every other argument. So
[`OpMemo`][netviz.tracing.replay.OpMemo] keys each call by exactly that; the first call
with a key runs, and its outputs' layouts, which outputs are its inputs themselves
(``x.contiguous()`` of a contiguous ``x``), and its MACs and data-dependent aten ops (as
the counter saw them) are remembered. A later call with the same key is answered from
that: fresh blank meta tensors of the remembered layouts (or the same input objects), the
same count, without running the op. The model's Python code still runs, so a branch on a
layer's attribute (``layer_idx``, a flag) is followed: it calls other ops, or the same op
with other arguments, whose keys differ, and those run.

A value (see [`meta_values`][netviz.tracing.meta.meta_values]: a mask, the rotary
``cos``, a router's balanced picks) is part of what a call gives and of what it is
called with: a tensor argument carrying one is keyed by its value too (an output's shape
can follow from a value, ``x[mask]``), so only a call with equal values matches, and an
output carrying one is given a copy of the remembered value.

Nothing is answered from memory that the memory might get wrong, and those calls run:

- a tensor argument that is not a meta tensor of plain ``Tensor``/``Parameter`` type,
  or is complex (conjugate bits);
- an argument of any type other than numbers, strings, ``None``, dtypes, devices, memory
  formats, layouts, slices, ``...`` and tuples or lists of these and tensors;
- a property access, a function not from torch;
- a call that changed an argument's layout (``unsqueeze_``) or value (an in-place op
  writing into a tensor carrying one); a write into a tensor without a value changes
  nothing a meta forward can see, so it is answered (the tensor itself);
- an output that is not a tensor or a tuple/list of them, that appears twice, or that
  carries a value aliasing an argument's (a view of a mask: later writes must reach it).

The memo lives for one forward: no state outlives it.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from netviz.tracing.counter import Count, MacCounter
from netviz.tracing.carried import ASSUMED_ATTRIBUTE as _ASSUMED
from netviz.tracing.carried import VALUE_ATTRIBUTE as _VALUE
from netviz.tracing.carried import value_bytes, value_of, with_value
from netviz.tracing.provenance import FollowTensors, OnCall, Provenance

_TENSOR = torch.Tensor
_PARAMETER = nn.Parameter
_META = torch.device("meta")
_ATOMS = frozenset({int, float, bool, str, type(None), type(Ellipsis), torch.dtype,
                    torch.device, torch.memory_format, torch.layout, torch.Size})
_COMPLEX = frozenset({torch.complex32, torch.complex64, torch.complex128})
_NOT_KEYED = frozenset({"__get__", "__set__", "__delete__", "__setitem__", "__delitem__"})


class _Valued:
    """A key part for a tensor's value: equal to another of equal elements (byte for byte)
    and equally assumed (see [`netviz.tracing.choices`][netviz.tracing.choices]). The
    layout beside it in the key hashes. A kept key holds the value's bytes (``frozen``),
    as they were when called: a model may later write into the value."""

    __slots__ = ("value", "_content")

    def __init__(self, value: torch.Tensor | None,
                 content: tuple[bool, bytes] | None = None) -> None:
        self.value = value
        self._content = content

    def content(self) -> tuple[bool, bytes]:
        """Whether the value is assumed, and its elements' bytes (see ``value_bytes``)."""
        if self._content is None:
            value = self.value
            assert value is not None
            self._content = (bool(getattr(value, _ASSUMED, False)), value_bytes(value))
        return self._content

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _Valued):
            return False
        if self.value is not None and self.value is other.value:
            return True
        return self.content() == other.content()

    def __hash__(self) -> int:
        return 0

    def frozen(self) -> _Valued:
        return _Valued(None, self.content())


def kept_key(key: Any) -> Any:
    """``key`` with a copy of each value in it (see ``_Valued``)."""
    if type(key) is tuple:
        return tuple(kept_key(part) for part in key)
    return key.frozen() if type(key) is _Valued else key


class Unkeyed(Exception):
    """An argument the memo cannot key (see the module docs): the call runs."""


def call_key(value: Any, tensors: list[torch.Tensor]) -> Any:
    """A hashable key of ``value`` saying everything an op's meta output depends on;
    its tensors are appended to ``tensors`` in order (as ``tensors_in`` finds them).

    Called for every op of a forward: the common items of an argument tuple (tensors,
    numbers) are keyed in the loop, without a call each.

    Raises:
        Unkeyed: ``value`` holds something the key cannot say (see the module docs).
    """
    kind = type(value)
    if kind is tuple or kind is list:
        parts: list[Any] = [kind]
        for item in value:
            part = type(item)
            if part is _TENSOR or part is _PARAMETER:
                parts.append(_tensor_key(item, tensors))
            elif part in _ATOMS:
                parts.append(part)  # 1, 1.0 and True differ (type promotion)
                parts.append(item)
            else:
                parts.append(call_key(item, tensors))
        return tuple(parts)
    if kind is _TENSOR or kind is _PARAMETER:
        return _tensor_key(value, tensors)
    if kind in _ATOMS:
        return (kind, value)
    if kind is slice:  # a tensor inside one (rare) is not keyed: tensors_in skips it too
        return (kind, call_key(value.start, []), call_key(value.stop, []), call_key(value.step, []))
    raise Unkeyed


def _tensor_key(tensor: torch.Tensor, tensors: list[torch.Tensor]) -> Any:
    """The layout of a meta tensor, and its value if it carries one (see ``call_key``)."""
    if not tensor.is_meta or tensor.dtype in _COMPLEX:
        raise Unkeyed
    tensors.append(tensor)
    carried = tensor.__dict__.get(_VALUE)
    if carried is None:
        return (type(tensor), tensor.dtype, tensor.shape, tensor.stride(),
                tensor.storage_offset())
    return (type(tensor), tensor.dtype, tensor.shape, tensor.stride(), tensor.storage_offset(),
            _Valued(carried))


def _keyed(func: Any) -> bool:
    """Whether calls of ``func`` may be answered from memory: a torch function or tensor
    method other than a property access."""
    name = getattr(func, "__name__", None)
    if not isinstance(name, str) or name in _NOT_KEYED:
        return False
    module = getattr(func, "__module__", None)
    owner = getattr(func, "__objclass__", None)
    return (isinstance(module, str) and module.split(".")[0] == "torch") or (
        owner is torch._C.TensorBase)


Layout = tuple[torch.dtype, tuple[int, ...], tuple[int, ...], int, "torch.Tensor | None"]
"""A new output: dtype, shape, strides, storage offset, and its value (or ``None``)."""


class _Answer:
    """What a call gave: per output, the index of the argument tensor it is, or the
    layout of a new tensor; the output's container (``None``: one tensor); its count.
    (A plain class: a dataclass costs a cold run its making, at import.)"""

    __slots__ = ("outputs", "container", "macs", "data_dependent")

    def __init__(self, outputs: tuple[int | Layout, ...], container: type | None, macs: int,
                 data_dependent: tuple[str, ...]) -> None:
        self.outputs = outputs
        self.container = container
        self.macs = macs
        self.data_dependent = data_dependent

    def give(self, tensors: list[torch.Tensor]) -> tuple[Any, KeyedCount]:
        """The outputs (fresh blanks, or the arguments themselves) and a fresh count."""
        made: list[torch.Tensor] = []
        # torch._C private guard (what torch.utils._mode_utils.no_dispatch uses): neither
        # the meta-values mode nor the MAC counter may see the memo's own ops (function
        # modes are off already, see OpMemo.run). tests/tracing/test_replay.py pins it.
        with torch._C._DisableTorchDispatch():
            for output in self.outputs:
                made.append(tensors[output] if isinstance(output, int) else blank_tensor(output))
        out: Any = made[0] if self.container is None else self.container(made)
        return out, KeyedCount(self.macs, dict.fromkeys(self.data_dependent))


class KeyedCount(Count):
    """The count of a call the memo keyed, with its key: what the call gives follows from
    it (as what the recorder derives from the call's arguments and output does)."""

    def __init__(self, macs: int = 0, data_dependent: dict[str, None] | None = None,
                 key: Any = None) -> None:
        super().__init__(macs, {} if data_dependent is None else data_dependent)
        self.key = key

    def __eq__(self, other: object) -> bool:
        return (type(other) is KeyedCount and super().__eq__(other)
                and self.key == other.key)

    __hash__ = None  # type: ignore[assignment]  # as a dataclass's: mutable


def blank_tensor(layout: Layout) -> torch.Tensor:
    """A new meta tensor of ``layout`` (with a copy of its value); called outside every
    mode (see ``_Answer.give``): it is no op of the model's."""
    dtype, shape, stride, offset, value = layout
    if not offset:
        made = torch.empty_strided(shape, stride, dtype=dtype, device=_META)
    else:
        extent = 1 + sum((size - 1) * step for size, step in zip(shape, stride) if size)
        base = torch.empty((offset + extent,), dtype=dtype, device=_META)
        made = base.as_strided(shape, stride, offset)
    if value is not None:
        with_value(made, _copy(value))
    return made


def _copy(value: torch.Tensor) -> torch.Tensor:
    """A copy of a value, assumed if it is (see ``_Valued``)."""
    copy = value.clone()
    if getattr(value, _ASSUMED, False):
        setattr(copy, _ASSUMED, True)
    return copy


def _storages(tensors: list[torch.Tensor]) -> set[int]:
    """Where the values of ``tensors`` live (their storages' addresses)."""
    found = set()
    for tensor in tensors:
        value = value_of(tensor)
        if value is not None:
            found.add(value.untyped_storage().data_ptr())
    return found


def _answer(out: Any, count: Count, tensors: list[torch.Tensor]) -> _Answer | None:
    """How to give ``out`` again for the same key, or ``None`` when memory cannot."""
    kind = type(out)
    if kind is _TENSOR or kind is _PARAMETER:
        items, container = [out], None
    elif isinstance(out, (tuple, list)) and (kind in (tuple, list) or (
            kind.__module__ == "torch.return_types")):
        items, container = list(out), kind
    else:
        return None
    outputs: list[int | Layout] = []
    aliased: set[int] | None = None
    for index, item in enumerate(items):
        if not isinstance(item, _TENSOR) or any(item is other for other in items[:index]):
            return None
        position = next((i for i, t in enumerate(tensors) if t is item), None)
        if position is not None:
            outputs.append(position)
            continue
        if type(item) is not _TENSOR or not item.is_meta or item.dtype.is_complex:
            return None
        value = value_of(item)
        if set(item.__dict__) - {_VALUE}:  # anything else set on it
            return None
        if value is not None:
            aliased = _storages(tensors) if aliased is None else aliased
            if (type(value) is not _TENSOR or value.is_meta or set(value.__dict__) - {_ASSUMED}
                    or value.untyped_storage().data_ptr() in aliased):
                return None
            value = _copy(value)
        outputs.append((item.dtype, tuple(item.shape), tuple(item.stride()),
                        int(item.storage_offset()), value))
    return _Answer(tuple(outputs), container, count.macs, tuple(count.data_dependent))


_UNSEEN = object()


class OpMemo:
    """What the ops of one meta forward gave, by key (see the module docs).

    Attributes:
        answered: How many calls were answered from memory (for tests and profiles).
    """

    def __init__(self) -> None:
        self._answers: dict[Any, _Answer | None] = {}
        self._keyed: dict[Any, bool] = {}
        self.answered = 0

    def run(self, func: Any, args: tuple[Any, ...], kwargs: dict[str, Any],
            call: Any) -> tuple[Any, Count]:
        """``call(func, args, kwargs)`` (the output and its count), or the same from memory."""
        # The memo's own tensor reads are no calls of the model's: no function mode need see
        # them (torch._C private guard, pinned in tests/tracing/test_replay.py).
        with torch._C.DisableTorchFunction():
            key, tensors = self._key(func, args, kwargs)
            answer: Any = self._answers.get(key, _UNSEEN) if key is not None else None
            if answer is not None and answer is not _UNSEEN:
                self.answered += 1
                out, count = answer.give(tensors)
                count.key = key
                return out, count
            if answer is _UNSEEN:
                kept = kept_key(key)  # as called, values copied
        if answer is None:
            return call(func, args, kwargs)
        out, count = call(func, args, kwargs)
        with torch._C.DisableTorchFunction(), torch._C._DisableTorchDispatch():
            # the arguments' layouts and values as called (a write into a value runs)
            same = self._key(func, args, kwargs)[0] == kept
            self._answers[kept] = _answer(out, count, tensors) if same else None
        return out, KeyedCount(count.macs, count.data_dependent, kept)

    def _key(self, func: Any, args: tuple[Any, ...],
             kwargs: dict[str, Any]) -> tuple[Any, list[torch.Tensor]]:
        """The call's key (``None``: not to be answered from memory) and its tensors."""
        try:
            keyed = self._keyed.get(func)
            if keyed is None:
                keyed = self._keyed[func] = _keyed(func)
        except TypeError:  # an unhashable callable
            keyed = False
        tensors: list[torch.Tensor] = []
        if not keyed:
            return None, tensors
        try:
            return (func, torch.get_default_dtype(), call_key(args, tensors),
                    call_key(tuple(kwargs.items()), tensors) if kwargs else None), tensors
        except Unkeyed:
            return None, tensors


class ReplayingFollow(FollowTensors):
    """[`FollowTensors`][netviz.tracing.provenance.FollowTensors] whose calls are answered
    from an [`OpMemo`][netviz.tracing.replay.OpMemo] when it can; the bookkeeping of
    every call (provenance, nodes, counts) is the same either way."""

    def __init__(self, provenance: Provenance, on_call: OnCall, counter: MacCounter,
                 memo: OpMemo) -> None:
        super().__init__(provenance, on_call, counter)
        self.memo = memo

    def run(self, func: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, Count]:
        return self.memo.run(func, args, kwargs, super().run)

    def __torch_function__(self, func, types, args=(), kwargs=None):  # noqa: ANN001
        kwargs = kwargs or {}
        out, count = self.run(func, args, kwargs)
        if type(out) in _PLAIN_OUTPUTS and not count.macs and not count.data_dependent:
            return out  # a shape, a dtype: following it would add an empty count, no more
        with torch._C.DisableTorchFunction():  # as FollowTensors
            return self.follow(func, args, kwargs, out, count)


_PLAIN_OUTPUTS = frozenset({int, float, bool, str, type(None), torch.Size, torch.dtype,
                            torch.device})
