"""What a meta forward recovers where its plain rules give up (see
[`meta_values`][netviz.tracing.meta.meta_values]): the values of the parts of a
concatenation, and ops whose meta kernel is stricter on dtypes than the CPU's."""

from __future__ import annotations

from typing import Any

import torch

from netviz.tracing.carried import is_assumed, mark, value_of, with_value
from netviz.tracing.values import map_tensors, tensors_in

_aten = torch.ops.aten


def in_half_precision(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``func``'s output on meta when its meta kernel refuses single or double precision
    where the CPU's takes it (``torch._grouped_mm``'s meta kernel wants ``bfloat16``): the
    op run on ``bfloat16`` operands, its floating outputs back in the operands' dtype
    (shapes do not depend on it). ``None`` when that does not run either, or unless the
    floating operands are all of one dtype, single or double precision (mixed dtypes are
    the model's error on any device)."""
    floating = {t.dtype for t in tensors_in((args, kwargs)) if t.is_floating_point()}
    if len(floating) != 1 or not floating <= _WIDE or func._schema.is_mutable:
        return None
    wide = floating.pop()

    def narrow(tensor: torch.Tensor) -> torch.Tensor:
        return tensor.to(torch.bfloat16) if tensor.dtype in _WIDE else tensor

    try:
        out = func(*map_tensors(args, narrow), **map_tensors(kwargs, narrow))
    except (RuntimeError, NotImplementedError):
        return None
    return map_tensors(out, lambda t: t.to(wide) if t.dtype == torch.bfloat16 else t)


_WIDE = frozenset({torch.float32, torch.float64})

_PARTS = "_netviz_parts"  # (dim, ((start, stop, value or None), ...)) of a concatenation
_CAT = _aten.cat.default
_SELECT = _aten.select.int
_SLICE = _aten.slice.Tensor
_SPLITS = frozenset({_aten.split_with_sizes.default, _aten.split.Tensor})
PART_OPS = frozenset({_CAT, _SELECT, _SLICE, *_SPLITS})


def keep_parts(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any], out: Any) -> None:
    """The values of the parts of a concatenation, kept where the whole has none.

    ``torch.cat([features, mask], -1)`` of features computed from weights and a mask
    known from the inputs has no value, but ``packed[..., -1]`` (a select, slice or
    split within one part, along the concatenated dim) is the mask again: it gets the
    part's value back.
    """
    if func is _CAT:
        tensors = [t for t in args[0] if not (t.dim() == 1 and t.numel() == 0)]  # legacy []
        if not tensors or all(value_of(t) is None for t in tensors):
            return
        dim = (args[1] if len(args) > 1 else kwargs.get("dim", 0)) % out.dim()
        parts, start = [], 0
        for tensor in tensors:
            value = value_of(tensor)
            stop = start + int(tensor.shape[dim])
            parts.append((start, stop, None if value is None else value.to(out.dtype)))
            start = stop
        setattr(out, _PARTS, (dim, tuple(parts)))
        return
    source = args[0]
    found = getattr(source, _PARTS, None)
    if found is None:
        return
    dim, parts = found
    size = int(source.shape[dim])
    if func in _SPLITS:  # split(self, size or sizes, dim=0): one range of the dim per output
        given = args[2] if len(args) > 2 else kwargs.get("dim", 0)
        if given % source.dim() != dim:
            return
        start = 0
        for piece in out:
            stop = start + int(piece.shape[dim])
            _take_part(piece, parts, dim, start, stop)
            start = stop
        return
    if len(args) < 2 or args[1] % source.dim() != dim:
        return
    if func is _SELECT:
        index = args[2] % size
        _take_part(out, parts, dim, index, index + 1, squeeze=True)
        return
    given = [*args[2:5], *[None, None, 1][len(args[2:5]):]]  # start, end, step
    begin, end, _ = slice(given[0], given[1]).indices(size)
    if given[2] in (None, 1) and begin < end:
        _take_part(out, parts, dim, begin, end)


def _take_part(out: torch.Tensor, parts: Any, dim: int, first: int, last: int,
               squeeze: bool = False) -> None:
    """Give ``out`` (positions ``first:last`` of a concatenation along ``dim``) the value
    of the part that holds them all, when that part has one."""
    for start, stop, value in parts:
        if value is not None and start <= first and last <= stop:
            taken = value.narrow(dim, first - start, last - first)
            taken = taken.squeeze(dim) if squeeze else taken
            with_value(out, mark(taken, is_assumed([value])))
            return
