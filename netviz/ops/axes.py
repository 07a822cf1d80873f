"""Which dimension of a tensor holds its feature width, decided by the op that made it.

The op table says it per op ([`Axis`][netviz.ops.record.Axis]): a convolution,
batch/instance/group norm, pooling or upsampling works on dimension 1 of an ``NCHW``
tensor (channels); a linear layer, layer norm, embedding, attention, recurrent layer
or matrix product works on the last dimension (token width ``D``, channels of a
channels-last ``NHWC`` tensor). Element-wise ops keep the axis of their input;
``permute``/``transpose`` move it; other shape changes keep it when the dimensions
up to it (or from it to the end) are unchanged, else it is unknown.

Pure functions of plain values. Axes and shapes here are **full** (batch dimension
included); [`feature_axis`][netviz.ops.axes.feature_axis] answers an index into
the full output shape, or ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from netviz.ops.record import Axis, Op

Shape = tuple[int, ...]


def _normalise(axis: int, rank: int) -> int | None:
    return axis % rank if rank and -rank <= axis < rank else None


def _permuted(axis: int, rank: int, attrs: Mapping[str, Any], swap: bool) -> int | None:
    dims = attrs.get("dims")
    if not isinstance(dims, tuple):
        return None
    if swap and len(dims) == 2:
        a, b = (_normalise(int(d), rank) for d in dims)
        if a is None or b is None:
            return None
        return b if axis == a else a if axis == b else axis
    order = [_normalise(int(d), rank) for d in dims]
    return order.index(axis) if len(order) == rank and axis in order else None

def carried_axis(axis: int, before: Shape, after: Shape) -> int | None:
    """Where ``axis`` of ``before`` is in ``after`` when a shape change keeps it.

    It is kept when the dimensions up to and including it are unchanged (counted
    from the front), or from it to the end (counted from the back).
    """
    if not before or not after or not 0 <= axis < len(before):
        return None
    if tuple(after[: axis + 1]) == tuple(before[: axis + 1]):
        return axis
    tail = len(before) - axis
    if len(after) >= tail and tuple(after[-tail:]) == tuple(before[-tail:]):
        return len(after) - tail
    return None


def feature_axis(
    op: Op | None,
    attrs: Mapping[str, Any],
    inputs: Sequence[tuple[Shape, int | None]],
    output: Shape | None,
) -> int | None:
    """The feature axis of an op's output (an index into its full shape) or ``None``.

    Args:
        op: The op's table entry (``None``: an op the table does not know, which
            keeps its input's axis where it can).
        attrs: Its attributes (``Node.attrs`` as a mapping).
        inputs: Full shape and feature axis of each tensor input, in order.
        output: Its full output shape, if one tensor.
    """
    if not output or len(output) < 2:
        return None
    rank = len(output)
    rule = op.axis if op is not None else Axis.CARRY
    if rule is Axis.LAST:
        return rank - 1
    if rule is Axis.CHANNELS:
        return 1
    known = [(shape, axis) for shape, axis in inputs if axis is not None]
    if not known:
        return None
    shape, axis = known[0]
    if not shape:  # an element of a tuple (``out, _ = self.lstm(x)``): see container_axis
        return _normalise(axis, rank)
    if rule in (Axis.PERMUTE, Axis.SWAP):
        return _permuted(axis, len(shape), attrs, rule is Axis.SWAP)
    if rule in (Axis.CAT, Axis.STACK):
        dim = attrs.get("dim", 0)
        at = _normalise(int(dim), rank) if isinstance(dim, int) else None
        if rule is Axis.STACK:
            return None if at is None else axis + (1 if at <= axis else 0)
        return axis if len(shape) == rank else None
    if len(shape) == rank and all(
        a == b or a == 1 or b == 1 for a, b in zip(shape, output)
    ):
        return axis  # element-wise, broadcasting included
    return carried_axis(axis, shape, output)


def read_axis(op: Op | None, rank: int) -> int | None:
    """The axis of a rank-``rank`` input (full index) whose features an op reads, when the
    table says so: ``1`` for convs, pools and batch norms, the last for linear layers, layer
    norms, attention and recurrent layers; ``None`` for every other op (element-wise ones
    keep whatever axis their input has; an embedding reads ids, a matrix product two axes).
    """
    reads = op.read_axis if op is not None else None
    if rank < 2 or reads is None:
        return None
    return rank - 1 if reads is Axis.LAST else 1


def container_axis(op: Op | None) -> int | None:
    """The feature axis of the tensors in a tuple an op returns (``nn.LSTM``,
    ``nn.MultiheadAttention``): ``-1`` (last) or ``1``, applied to each element."""
    rule = op.axis if op is not None else None
    if rule is Axis.LAST:
        return -1
    if rule is Axis.CHANNELS:
        return 1
    return None
