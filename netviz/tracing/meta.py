"""Forwards of meta models: shapes everywhere, values wherever no weight is involved.

A model built on the meta device has shapes but no values, so a forward on meta
draws a model of any size without allocating a weight. What stops a plain meta
forward is code that looks at values that depend on no weight at all: a padding
check on the token ids (``pad_token_id in input_ids``), an all-ones attention mask
made with ``torch.ones(..., device=embeddings.device)`` and tested with ``.all()``,
a constant kept in a buffer. Under [`meta_values`][netviz.tracing.meta.meta_values]
every tensor stays on meta (so device checks see one device, as on a real one),
and a small meta tensor whose value depends on no weight carries that value: a
CPU tensor computed alongside it, by the same op on the values of its operands.

- Model inputs made by [`meta_inputs`][netviz.tracing.meta.meta_inputs] carry the
  values a real forward would get (zeros for integer inputs, seeded noise for
  floats); buffers made while a model is built on meta carry theirs
  ([`netviz.building`][netviz.building] builds under this mode too).
- An op whose operands all have values (real tensors are their own values) and
  whose output is small (at most [`REAL_ELEMENTS`][netviz.tracing.meta.REAL_ELEMENTS])
  gets its output's value computed on the CPU, in place for in-place ops (views
  alias their base's value as on a real device). Factories count (``torch.ones``,
  ``arange``), but not ``empty`` (no values) nor random ops (a real forward draws
  its random numbers in another order).
- Reading a value (``.item()``, ``bool()``, ``.tolist()``, ``.cpu()``) and ops whose
  output shape depends on values (``nonzero``) answer from those values.
- Indices chosen from a weight-derived tensor (a router's ``topk``) get a balanced
  value ([`netviz.tracing.choices`][netviz.tracing.choices]): tokens spread evenly
  over the experts, so a layer looping over the experts hit runs on meta.
- A weight, or anything computed from one, has no value: reading it raises (the
  model needs a real forward, see
  [`check_real_forward`][netviz.tracing.weights.check_real_forward]), and an in-place
  op writing weight-derived data into a tensor drops that tensor's value.
- Real tensors mixed with meta ones (``meta + torch.ones(2)``) are moved to meta.
- A concatenation of parts with and without values keeps the parts' values: a
  select, slice or split of it that falls within one part with a value has it (a
  mask packed beside features, split back out).
- An op whose meta kernel refuses single or double precision where the CPU's takes
  it (``torch._grouped_mm``'s wants ``bfloat16``) runs on meta in ``bfloat16``, its
  output back in the operands' dtype: shapes, hence mult-adds, do not depend on it.

So every value a meta forward sees is the one a CPU forward computes on the same
inputs, and the branches it takes are the same.

``TorchDispatchMode`` lives in ``torch.utils._python_dispatch``, a private module
(public in all but name, and what ``FlopCounterMode`` is built on), and its
``_should_skip_dynamo`` hook is private too; ``tests/tracing/test_meta.py`` pins
what this module relies on. Dispatch modes are
thread-local: another thread's work is not affected.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import torch
from torch import nn
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode

from netviz.inputs import Fill
from netviz.ir import Shape
from netviz.tracing.carried import (
    drop_value, is_assumed, mark, value_of, values_written, with_value,
)
from netviz.tracing.choices import balanced_indices, is_choice, warn_assumed
from netviz.tracing.partial import PART_OPS, in_half_precision, keep_parts
from netviz.tracing.values import map_tensors, tensors_in

REAL_ELEMENTS = 1 << 18
"""Largest floating-point tensor (in elements) whose value a meta forward computes."""

INDEX_ELEMENTS = 1 << 22
"""Largest integer or boolean tensor (in elements) whose value a meta forward computes:
masks and indices are cheap to compute, and routing masks are large (a one-hot mask of
128 tokens x 2 picks x 128 experts)."""

_CPU = torch.device("cpu")
_META = torch.device("meta")
_aten = torch.ops.aten
_ITEM = _aten._local_scalar_dense.default
_COPY = _aten._to_copy.default


def _tensors(value: Any) -> list[torch.Tensor]:
    return tensors_in(value)


def _has_no_values(func: Any) -> bool:
    """``empty`` and friends (uninitialised memory) and random ops."""
    name = func.__name__
    return "empty" in name or torch.Tag.nondeterministic_seeded in func.tags


_NO_VALUES: dict[Any, bool] = {}  # op -> _has_no_values(op), filled as ops are met
_MUTABLE: dict[Any, bool] = {}  # op -> whether it writes into an argument, filled alike


def _written(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[torch.Tensor]:
    """The tensors an in-place or ``out=`` op writes."""
    schema = func._schema
    if not schema.is_mutable:
        return []
    written: list[torch.Tensor] = []
    for index, argument in enumerate(schema.arguments):
        if argument.alias_info is None or not argument.alias_info.is_write:
            continue
        value = args[index] if index < len(args) else kwargs.get(argument.name)
        written.extend(_tensors(value))
    return written


def _small(out: Any) -> bool:
    return all(t.numel() <= (REAL_ELEMENTS if t.is_floating_point() or t.is_complex()
                             else INDEX_ELEMENTS) for t in _tensors(out))


class LostValues(NotImplementedError):
    """A meta forward would write meta data into a real tensor (its values would be wrong
    from then on): the model needs a real forward."""


class _MetaValues(TorchDispatchMode):
    """The dispatch rules of [`meta_values`][netviz.tracing.meta.meta_values]."""

    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        # torch wraps a mode's __torch_dispatch__ in torch._dynamo.disable unless this
        # says no; the first call would import torch._dynamo (~2 s). Nothing here is
        # ever compiled. tests/tracing/test_meta.py pins it (no torch._dynamo import).
        return False

    def __init__(self, assumed: Assumed) -> None:
        super().__init__()
        self.assumed = assumed

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):  # noqa: ANN001
        kwargs = kwargs or {}
        mutable = _MUTABLE.get(func)
        if mutable is None:
            mutable = _MUTABLE[func] = func._schema.is_mutable
        if mutable and any(value_of(t) is not None for t in _written(func, args, kwargs)):
            values_written()  # into a value (a real tensor is its own): bytes read are stale
        tensors = list(_tensors((args, kwargs)))
        meta = any(t.is_meta for t in tensors)
        no_values = _NO_VALUES.get(func)
        if no_values is None:
            no_values = _NO_VALUES[func] = _has_no_values(func)
        if no_values and not meta:  # empty() of a new weight, a random draw: nothing to do
            return func(*args, **kwargs)
        known = not no_values and all(value_of(t) is not None for t in tensors)
        assumed = known and is_assumed(tensors)
        if known and meta:
            if func is _ITEM:  # .item(), bool(), int()
                self.assumed.read(assumed)
                return args[0] if not args[0].is_meta else value_of(args[0]).item()
            device = kwargs.get("device")
            if func is _COPY and device is not None and torch.device(device).type != "meta":
                self.assumed.read(assumed)
                return _on_values(func, args, kwargs)  # .cpu(), .tolist(): the value itself
        if meta:
            written = _written(func, args, kwargs)
            if any(not t.is_meta for t in written) and not known:
                raise LostValues(f"{func} would write meta data into a real tensor")
            margs, mkwargs = map_tensors((args, kwargs), _to_meta)
            if mkwargs.get("device") is not None:  # off meta: a value moves with its tensor
                mkwargs["device"] = _META
        elif _on_meta(kwargs.get("device")):
            margs, mkwargs = args, kwargs
        else:  # a real op: nothing of netviz's
            return func(*args, **kwargs)
        if meta and not known and func in _INDEXING:
            margs = _masks_as_indices(margs, self.assumed)
        try:
            out = func(*margs, **mkwargs)
        except (RuntimeError, NotImplementedError):
            if not known:  # no values: the meta kernel's error stands (a real forward is needed)
                retried = in_half_precision(func, margs, mkwargs) if meta else None
                if retried is None:
                    raise
                return retried
            real = _on_values(func, args, kwargs)  # a data-dependent shape (nonzero)
            self.assumed.read(assumed)
            mark(real, assumed)
            return map_tensors(real, lambda r: with_value(r.to(_META), r)) if _small(real) else map_tensors(
                real, lambda r: r.to(_META))
        if known and not any(True for _ in _tensors(out)):  # a bool, a number: from the values
            self.assumed.read(assumed)
            return _on_values(func, args, kwargs)
        if not known or not _small(out):
            for tensor in _written(func, margs, mkwargs):
                drop_value(tensor)
            if not known and meta and is_choice(func) and _small(out):
                made = balanced_indices(func, margs, mkwargs, out)
                if made is not None:  # picks from a router's scores: balanced
                    with_value(made[0], mark(made[1], True))
                    self.assumed.made(func)
            elif not known and meta and func in PART_OPS and _small(out):
                keep_parts(func, margs, mkwargs, out)
            return out
        try:
            real = _on_values(func, args, kwargs)  # in place on the values for in-place ops
        except (RuntimeError, NotImplementedError):  # no CPU kernel (histc of ints): no value
            for tensor in _written(func, margs, mkwargs):
                drop_value(tensor)
            return out
        mark(real, assumed)
        for made, value in zip(_tensors(out), _tensors(real)):
            if made.is_meta:
                with_value(made, value)
        return out


class Assumed:
    """The balanced choices of one [`meta_values`][netviz.tracing.meta.meta_values] scope
    (see [`netviz.tracing.choices`][netviz.tracing.choices]): made, and whether the forward
    read one (a loop over the experts hit), which is when netviz says so, once."""

    def __init__(self) -> None:
        self.op: Any = None
        self.warned = False

    def made(self, func: Any) -> None:
        self.op = self.op or func

    def read(self, assumed: bool) -> None:
        if assumed and not self.warned:
            self.warned = True
            warn_assumed(self.op)


_INDEXING = frozenset({_aten.index.Tensor, _aten.index_put.default, _aten.index_put_.default,
                       _aten._index_put_impl_.default})


def _masks_as_indices(args: tuple[Any, ...], assumed: Assumed) -> tuple[Any, ...]:
    """``x[mask]`` of a valueless ``x`` and a mask with a value: the mask as the positions
    it selects (``mask.nonzero()``, from its value), so the meta kernel knows the result's
    shape without reading the mask."""
    indices = args[1]
    if not any(isinstance(i, torch.Tensor) and i.dtype in (torch.bool, torch.uint8)
               and value_of(i) is not None for i in indices):
        return args
    found: list[Any] = []
    for index in indices:
        value = value_of(index) if isinstance(index, torch.Tensor) else None
        if value is None or index.dtype not in (torch.bool, torch.uint8):
            found.append(index)
            continue
        assumed.read(is_assumed([value]))
        found.extend(_to_meta(position) for position in value.bool().nonzero().unbind(1))
    return (args[0], found, *args[2:])


def _to_meta(tensor: torch.Tensor) -> torch.Tensor:
    """A real tensor's meta twin, carrying it as its value."""
    return tensor if tensor.is_meta else with_value(tensor.to(_META), tensor)


def _on_meta(device: Any) -> bool:
    return device is not None and torch.device(device).type == "meta"


def _on_values(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``func`` run on the operands' values, on the CPU."""
    vargs, vkwargs = map_tensors((args, kwargs), value_of)
    if _on_meta(vkwargs.get("device")):
        vkwargs = {**vkwargs, "device": _CPU}
    return func(*vargs, **vkwargs)


class _IndexValues(TorchFunctionMode):
    """What no op netviz sees does with values: ``x[:, [-1, 0]]`` (Python turns the list
    into an index tensor on ``x``'s device), so the result's value is computed here, from
    ``x``'s; ``torch.tensor(2, device=x.device)`` (data copied straight to meta);
    ``x.tolist()``, which reads a meta tensor's storage directly; and ``f"{x}"`` of a
    one-element ``x``, which formats its number on a real device."""

    def __init__(self, assumed: Assumed) -> None:
        super().__init__()
        self.assumed = assumed

    def __torch_function__(self, func, types, args=(), kwargs=None):  # noqa: ANN001
        if func in _READS and isinstance(args[0], torch.Tensor) and args[0].is_meta:
            value = value_of(args[0])
            if value is not None and (func is _TOLIST or value.dim() == 0):
                self.assumed.read(is_assumed([value]))
                return func(value, *args[1:], **(kwargs or {}))  # f"expert_{index}" too
        out = func(*args, **(kwargs or {}))
        if (func in _FROM_DATA and isinstance(out, torch.Tensor) and out.is_meta
                and value_of(out) is None and out.numel() <= REAL_ELEMENTS
                and all(value_of(t) is not None for t in _tensors(args))):
            data = map_tensors(args, value_of)
            value = func(*data, **{**(kwargs or {}), "device": _CPU})
            with_value(out, mark(value, is_assumed(_tensors(args))))
            return out
        if (func is _GETITEM and isinstance(out, torch.Tensor) and out.is_meta
                and value_of(out) is None and out.numel() <= REAL_ELEMENTS):
            source = value_of(args[0])
            if source is not None and all(value_of(t) is not None for t in _tensors(args[1])):
                value = source[map_tensors(args[1], value_of)]
                with_value(out, mark(value, is_assumed(_tensors(args))))
        return out


_GETITEM = torch.Tensor.__getitem__
_TOLIST = torch.Tensor.tolist
_READS = frozenset({_TOLIST, torch.Tensor.__format__})
_FROM_DATA = frozenset({torch.tensor, torch.as_tensor, torch.asarray})


@contextmanager
def meta_values() -> Iterator[None]:
    """Run ops on meta tensors with values where they depend on no weight (module docs)."""
    assumed = Assumed()
    with _MetaValues(assumed), _IndexValues(assumed):
        yield


def meta_inputs(
    shapes: Sequence[Shape], dtype: torch.dtype, dtypes: Sequence[str] | None = None,
    fills: Sequence[Fill | None] | None = None,
) -> list[torch.Tensor]:
    """Batch-1 meta inputs carrying the values of a real forward's inputs (see
    [`make_inputs`][netviz.tracing.device.make_inputs]: zeros for integers but for their
    ``fills``, seeded noise)."""
    from netviz.tracing.device import make_inputs

    real = make_inputs(shapes, _CPU, dtype, random=True, dtypes=dtypes, fills=fills)
    return [with_value(torch.empty_like(t, device=_META), t) for t in real]


def meta_unsupported(error: BaseException) -> bool:
    """Whether ``error`` says an op cannot run on meta (no kernel, no values), rather than
    that the model or its input is wrong."""
    text = str(error).strip().splitlines()
    first = text[0].lower() if text else ""
    return isinstance(error, NotImplementedError) or "meta" in first or (
        "unallocated storage" in first)  # .tolist() of a meta tensor
