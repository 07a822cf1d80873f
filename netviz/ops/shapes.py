"""Closed-form output shapes, validated the way torch validates them.

Pure functions of plain values (no modules, no tensors), the formulas under the
op table's shape rules (``netviz.ops.rules``). Seed 002's formula, with
dilation: ``O = floor((I + 2P - D(K - 1) - 1) / S) + 1``.

Shapes here include the batch dimension. A function answers ``None`` where
torch's own error is clearer than anything we could say (the op then runs).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

Shape = tuple[int, ...]


class LayerShapeError(Exception):
    """The input does not fit an op.

    Attributes:
        detail: What is wrong, phrased after the op's name: ``"expects 3 input channels, got 1"``.
        too_small: The input is too small for the op's kernel.
        config: The op's own settings are invalid (not the input's fault).
    """

    def __init__(self, detail: str, *, too_small: bool = False, config: bool = False) -> None:
        super().__init__(detail)
        self.detail = detail
        self.too_small = too_small
        self.config = config


def tup(value: Any, n: int) -> tuple[Any, ...]:
    """``value`` as an ``n``-tuple (ints are repeated, 1-tuples broadcast)."""
    if isinstance(value, (tuple, list)):
        if len(value) == 1 and n > 1:
            return tuple(value) * n
        return tuple(value)
    return (value,) * n


def fmt(shape: Sequence[int]) -> str:
    """``"3x32x32"``."""
    return "x".join(map(str, shape)) if shape else "a scalar"


def check_rank(n: int, shape: Shape) -> bool:
    """Check an ``n``-d spatial op's input rank; return whether it is batched."""
    if len(shape) == n + 2:
        return True
    if len(shape) == n + 1:
        return False
    raise LayerShapeError(f"expects a {n + 1}D or {n + 2}D input, got {len(shape)}D")


def _too_small(sizes: Sequence[int], out: Sequence[int]) -> LayerShapeError:
    return LayerShapeError(
        f"gets {fmt(sizes)} spatially and would output {fmt(out)}", too_small=True
    )


def conv_output(
    shape: Shape,
    *,
    in_channels: int,
    out_channels: int,
    kernel: Sequence[int],
    stride: Any,
    padding: Any,
    dilation: Any,
    padding_mode: str = "zeros",
) -> Shape:
    """Output shape of an ``n``-d convolution (``n = len(kernel)``).

    ``padding`` may be an int, a tuple, ``"valid"`` or ``"same"`` (stride 1).
    """
    n = len(kernel)
    batched = check_rank(n, shape)
    c = shape[-n - 1]
    if c != in_channels:
        if not batched:  # the trace always batches: a sample is missing a dimension
            raise LayerShapeError(
                f"expects {n + 1} dims per sample (channels and {n} spatial), "
                f"got {len(shape) - 1}"
            )
        raise LayerShapeError(f"expects {in_channels} input channels, got {c}")
    sizes = shape[-n:]
    stride, dilation = tup(stride, n), tup(dilation, n)
    lead = shape[:1] if batched else ()
    if padding == "same":
        return (*lead, out_channels, *sizes)
    pads = tup(0 if padding == "valid" else padding, n)
    if padding_mode in ("reflect", "circular"):
        for size, pad in zip(sizes, pads):
            if pad > size or (padding_mode == "reflect" and pad == size):
                raise LayerShapeError(
                    f"gets {size} positions per dimension, too few for "
                    f"{padding_mode} padding of {pad}",
                    too_small=True,
                )
    out = [(i + 2 * p - d * (k - 1) - 1) // s + 1
           for i, k, s, p, d in zip(sizes, kernel, stride, pads, dilation)]
    if any(i + 2 * p < d * (k - 1) + 1 for i, k, p, d in zip(sizes, kernel, pads, dilation)):
        raise _too_small(sizes, out)
    return (*lead, out_channels, *out)


def conv_transpose_output(
    shape: Shape,
    *,
    in_channels: int,
    out_channels: int,
    kernel: Sequence[int],
    stride: Any,
    padding: Any,
    dilation: Any,
    output_padding: Any,
) -> Shape:
    """Output shape of a transposed convolution called without ``output_size``."""
    n = len(kernel)
    batched = check_rank(n, shape)
    c = shape[-n - 1]
    if c != in_channels:
        raise LayerShapeError(f"expects {in_channels} input channels, got {c}")
    sizes = shape[-n:]
    out = [
        (i - 1) * s - 2 * p + d * (k - 1) + op + 1
        for i, k, s, p, d, op in zip(sizes, kernel, tup(stride, n), tup(padding, n),
                                     tup(dilation, n), tup(output_padding, n))
    ]
    if any(o <= 0 for o in out):
        raise _too_small(sizes, out)
    lead = shape[:1] if batched else ()
    return (*lead, out_channels, *out)


def _pool_out(i: int, k: int, s: int, p: int, d: int, ceil: bool) -> int:
    """torch's ``pooling_output_shape``."""
    o = (i + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil else 0)) // s + 1
    if ceil and (o - 1) * s >= i + p:
        o -= 1
    return o


def pool_output(
    shape: Shape,
    *,
    n: int,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any = 1,
    ceil_mode: bool = False,
) -> Shape:
    """Output shape of an ``n``-d average or max pool (``stride=None``: the kernel)."""
    check_rank(n, shape)
    sizes = shape[-n:]
    kernel = tup(kernel_size, n)
    strides = kernel if stride is None or stride == [] or stride == () else tup(stride, n)
    pads, dilations = tup(padding, n), tup(dilation, n)
    if min(kernel) <= 0 or min(strides) <= 0:
        raise LayerShapeError("has a kernel size or stride that is not positive", config=True)
    if any(p > k // 2 for p, k in zip(pads, kernel)):
        raise LayerShapeError(f"has padding {padding} larger than half its kernel size",
                              config=True)
    out = [_pool_out(*v, bool(ceil_mode)) for v in zip(sizes, kernel, strides, pads, dilations)]
    if any(o < 1 for o in out):
        raise _too_small(sizes, out)
    return (*shape[:-n], *out)


def adaptive_output(shape: Shape, *, n: int, output_size: Any) -> Shape | None:
    """Output shape of an ``n``-d adaptive pool (``None`` entries keep the input size)."""
    check_rank(n, shape)
    wanted = tup(output_size, n)
    if len(wanted) != n or (n == 1 and None in wanted):
        return None  # torch rejects it with its own error
    sizes = shape[-n:]
    return (*shape[:-n], *(i if o is None else o for i, o in zip(sizes, wanted)))


_INTERP_RANK = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}


def interpolate_output(shape: Shape, *, size: Any, scale_factor: Any, mode: str) -> Shape | None:
    """Output shape of ``F.interpolate`` / ``Upsample``: ``size`` or ``floor(I * scale)``."""
    n = len(shape) - 2
    if n not in (1, 2, 3):
        raise LayerShapeError(f"expects a 3D, 4D or 5D input, got {len(shape)}D")
    need = _INTERP_RANK.get(mode)
    if need is not None and need != n:
        raise LayerShapeError(f"in {mode!r} mode expects a {need + 2}D input, got {len(shape)}D")
    if (size is None) == (scale_factor is None):
        return None  # torch raises its own, clear error
    sizes = shape[2:]
    if size is not None:
        out = list(tup(size, n))
        if len(out) != n:
            raise LayerShapeError(f"has size {size} but gets a {n}-d spatial input")
    else:
        scales = tup(scale_factor, n)
        if len(scales) != n:
            return None
        out = [math.floor(float(i) * float(s)) for i, s in zip(sizes, scales)]
    if any(o <= 0 for o in out):
        raise _too_small(sizes, out)
    return (*shape[:2], *out)


def _dim(dim: int, rank: int) -> int:
    rank = max(rank, 1)
    if not -rank <= dim < rank:
        raise LayerShapeError(f"uses dimension {dim} of a {rank}D input")
    return dim % rank


def flatten_output(shape: Shape, start_dim: int, end_dim: int) -> Shape:
    """Output shape of ``flatten(start_dim, end_dim)``."""
    start, end = _dim(start_dim, len(shape)), _dim(end_dim, len(shape))
    if start > end:
        raise LayerShapeError(f"has start_dim {start_dim} after end_dim {end_dim}", config=True)
    if not shape:
        return (1,)
    return (*shape[:start], math.prod(shape[start:end + 1]), *shape[end + 1:])


def reduce_output(shape: Shape, dims: Any, keepdim: bool) -> Shape:
    """Output shape of a reduction (``mean``, ``sum``, ...) over ``dims`` (``None``: all)."""
    if dims is None or dims == () or dims == []:
        axes = set(range(len(shape)))
    else:
        listed = [_dim(d, len(shape)) for d in tup(dims, 1)]
        axes = set(listed)
        if len(axes) != len(listed):
            raise LayerShapeError(f"reduces dimensions {dims} that repeat", config=True)
    if keepdim:
        return tuple(1 if i in axes else s for i, s in enumerate(shape))
    return tuple(s for i, s in enumerate(shape) if i not in axes)


def cat_output(shapes: Sequence[Shape], dim: int, *, stack: bool = False) -> Shape:
    """Output shape of ``torch.cat`` (or ``torch.stack``) along ``dim``.

    Raises:
        RuntimeError: The shapes do not fit together (torch's wording).
    """
    first = shapes[0]
    if stack:
        for i, s in enumerate(shapes):
            if s != first:
                raise RuntimeError(
                    f"stack expects each tensor to be equal size, but got {list(first)} at "
                    f"entry 0 and {list(s)} at entry {i}"
                )
        axis = _dim(dim, len(first) + 1)
        return (*first[:axis], len(shapes), *first[axis:])
    axis = _dim(dim, len(first))
    for i, s in enumerate(shapes):
        if len(s) != len(first):
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {len(first)} and {len(s)}"
            )
        for d, (a, b) in enumerate(zip(first, s)):
            if d != axis and a != b:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {axis}. Expected size "
                    f"{a} but got size {b} for tensor number {i} in the list."
                )
    return (*first[:axis], sum(s[axis] for s in shapes), *first[axis + 1:])


def broadcast_shape(a: Shape, b: Shape) -> Shape:
    """The shape of ``a <op> b`` under broadcasting.

    Raises:
        RuntimeError: The shapes do not broadcast (torch's wording).
    """
    n = max(len(a), len(b))
    a2, b2 = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    out = []
    for dim, (x, y) in enumerate(zip(a2, b2)):
        if x != y and x != 1 and y != 1:
            raise RuntimeError(
                f"The size of tensor a ({x}) must match the size of tensor b ({y}) "
                f"at non-singleton dimension {dim}"
            )
        out.append(y if x == 1 else x)
    return tuple(out)
