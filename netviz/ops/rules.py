"""The op table's shape rules: output shapes from attributes and input shapes.

Each rule takes an op's attributes (a layer's settings read off the module, or a
call's bound arguments with what it shows derived from them: a conv call's
``in_channels`` come from its weight's shape) and the full shapes of its tensor
inputs, and answers the output shape; ``None`` where torch should run the op
(an unusual case, or one whose error torch words better). They cost no
dispatch and do not grow with the input's size, which is why the tracer uses
them instead of running the common ops. The formulas are in
[`netviz.ops.shapes`][netviz.ops.shapes].
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from netviz.ops.record import Attrs, Outputs, Shape, TensorArg
from netviz.ops.shapes import (
    LayerShapeError,
    adaptive_output,
    broadcast_shape,
    cat_output,
    check_rank,
    conv_output,
    conv_transpose_output,
    flatten_output,
    fmt,
    interpolate_output,
    pool_output,
    reduce_output,
)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _ints(value: Any) -> bool:
    return isinstance(value, int) or (
        isinstance(value, (tuple, list)) and all(isinstance(v, int) for v in value))


def same(attrs: Attrs, inputs: Sequence[Shape]) -> Shape:
    """Element-wise ops (activations, dropout, ``contiguous``): the input's shape."""
    return tuple(inputs[0])


def first_input(attrs: Attrs, inputs: Sequence[Shape]) -> Shape | None:
    """Layers whose output has their first input's shape (a transformer encoder or decoder)."""
    return tuple(inputs[0]) if inputs else None


def arithmetic(attrs: Attrs, inputs: Sequence[Shape]) -> Shape | None:
    """``a + b``, ``a * 2``...: the broadcast shape; a number keeps the tensor's."""
    a, b = attrs.get("input"), attrs.get("other")
    if not isinstance(a, TensorArg):
        return None
    if isinstance(b, TensorArg):
        return broadcast_shape(a.shape, b.shape)
    return a.shape if _number(b) else None


def dropout(attrs: Attrs, inputs: Sequence[Shape]) -> Shape | None:
    """Dropout calls: the input's shape, for a probability torch accepts."""
    p = attrs.get("p", 0.5)
    return tuple(inputs[0]) if _number(p) and 0 <= p <= 1 else None


def softmax(attrs: Attrs, inputs: Sequence[Shape]) -> Shape | None:
    """``softmax``/``log_softmax`` along an int ``dim`` (checked against the rank)."""
    dim = attrs.get("dim")
    if not isinstance(dim, int) or isinstance(dim, bool):
        return None
    reduce_output(tuple(inputs[0]), dim, True)  # validates dim
    return tuple(inputs[0])


def cat(attrs: Attrs, inputs: Sequence[Shape], *, stack: bool = False) -> Shape | None:
    """``torch.cat``/``torch.stack`` of a non-empty list along an int ``dim``."""
    tensors, dim = attrs.get("tensors"), attrs.get("dim")
    if not isinstance(tensors, (list, tuple)) or not tensors or not isinstance(dim, int):
        return None
    if not all(isinstance(t, TensorArg) for t in tensors):
        return None
    shapes = [t.shape for t in tensors]
    if any(math.prod(s) == 0 for s in shapes):
        return None  # torch's legacy rules for empty tensors
    return cat_output(shapes, dim, stack=stack)


def stack(attrs: Attrs, inputs: Sequence[Shape]) -> Shape | None:
    """``torch.stack``."""
    return cat(attrs, inputs, stack=True)


def reduction(attrs: Attrs, inputs: Sequence[Shape]) -> Shape | None:
    """``mean``, ``sum``, ``amax``, ``amin`` over ``dim`` (``None``: all)."""
    dims, keepdim = attrs.get("dim"), attrs.get("keepdim")
    if not isinstance(keepdim, bool) or not (dims is None or _ints(dims)):
        return None
    return reduce_output(tuple(inputs[0]), dims, keepdim)


def pool(attrs: Attrs, inputs: Sequence[Shape], *, n: int) -> Shape | None:
    """``{Avg,Max}Pool{n}d`` layers and calls (``ceil_mode``, dilation); not with indices."""
    if attrs.get("return_indices"):
        return None
    return pool_output(tuple(inputs[0]), n=n, kernel_size=attrs["kernel_size"],
                       stride=attrs.get("stride"), padding=attrs.get("padding", 0),
                       dilation=attrs.get("dilation", 1),
                       ceil_mode=bool(attrs.get("ceil_mode", False)))


def adaptive_pool(attrs: Attrs, inputs: Sequence[Shape], *, n: int) -> Shape | None:
    """``Adaptive{Avg,Max}Pool{n}d`` layers and calls; not with indices."""
    if attrs.get("return_indices"):
        return None
    return adaptive_output(tuple(inputs[0]), n=n, output_size=attrs["output_size"])


def interpolate(attrs: Attrs, inputs: Sequence[Shape]) -> Shape | None:
    """``F.interpolate`` and ``Upsample``: ``size`` or ``floor(I * scale_factor)``."""
    mode = attrs.get("mode", "nearest")
    if not isinstance(mode, str):
        return None
    return interpolate_output(tuple(inputs[0]), size=attrs.get("size"),
                              scale_factor=attrs.get("scale_factor"), mode=mode)


def conv(attrs: Attrs, inputs: Sequence[Shape], *, n: int) -> Shape | None:
    """``Conv{n}d`` layers and calls, any padding mode, ``'same'`` and ``'valid'`` included."""
    kernel = attrs.get("kernel_size")
    if not isinstance(kernel, tuple) or len(kernel) != n or attrs.get("in_channels") is None:
        return None  # a weight of another rank: torch words it
    padding = attrs.get("padding", 0)
    if isinstance(padding, str):
        strides = attrs.get("stride", 1)
        strides = strides if isinstance(strides, (tuple, list)) else (strides,)
        if padding not in ("same", "valid") or any(s != 1 for s in strides):
            return None
    return conv_output(
        tuple(inputs[0]), in_channels=attrs["in_channels"], out_channels=attrs["out_channels"],
        kernel=kernel, stride=attrs.get("stride", 1), padding=padding,
        dilation=attrs.get("dilation", 1), padding_mode=attrs.get("padding_mode", "zeros"),
    )


def conv_transpose(attrs: Attrs, inputs: Sequence[Shape], *, n: int) -> Shape | None:
    """``ConvTranspose{n}d`` layers and calls without ``output_size``."""
    kernel = attrs.get("kernel_size")
    if not isinstance(kernel, tuple) or len(kernel) != n or attrs.get("in_channels") is None:
        return None
    return conv_transpose_output(
        tuple(inputs[0]), in_channels=attrs["in_channels"], out_channels=attrs["out_channels"],
        kernel=kernel, stride=attrs.get("stride", 1), padding=attrs.get("padding", 0),
        dilation=attrs.get("dilation", 1), output_padding=attrs.get("output_padding", 0),
    )


def linear(attrs: Attrs, inputs: Sequence[Shape]) -> Shape | None:
    """``Linear`` and ``F.linear``: the last dimension must equal ``in_features``."""
    in_features, out_features = attrs.get("in_features"), attrs.get("out_features")
    if in_features is None or out_features is None:
        return None  # a weight that is not a matrix: torch words it
    shape = tuple(inputs[0])
    if not shape:
        raise LayerShapeError("expects an input with at least 1 dimension, got a scalar")
    if shape[-1] != in_features:
        raise LayerShapeError(f"expects {in_features} input features, got {shape[-1]}")
    return (*shape[:-1], out_features)


def batch_norm_layer(attrs: Attrs, inputs: Sequence[Shape], *, ranks: tuple[int, ...]) -> Shape:
    """``BatchNorm{1,2,3}d`` / ``SyncBatchNorm``: same shape; rank and channels checked.

    Torch refuses batch statistics over a single value in training mode; netviz
    traces with an artificial batch of one, so that check is deliberately skipped.
    """
    shape = tuple(inputs[0])
    if len(shape) not in ranks:
        want = " or ".join(f"{r}D" for r in ranks)
        raise LayerShapeError(f"expects a {want} input, got {len(shape)}D")
    checked = attrs.get("affine") or attrs.get("track_running_stats")
    if checked and shape[1] != attrs["num_features"]:
        raise LayerShapeError(f"expects {attrs['num_features']} input channels, got {shape[1]}")
    return shape


def batch_norm_call(attrs: Attrs, inputs: Sequence[Shape]) -> Shape | None:
    """``F.batch_norm``: same shape; each statistic and weight has one value per channel."""
    shape = tuple(inputs[0])
    if len(shape) < 2:
        return None
    for key in ("running_mean", "running_var", "weight", "bias"):
        stat = attrs.get(key)
        if isinstance(stat, TensorArg) and math.prod(stat.shape) != shape[1]:
            raise LayerShapeError(
                f"expects {math.prod(stat.shape)} input channels, got {shape[1]}")
    return shape


def instance_norm_layer(attrs: Attrs, inputs: Sequence[Shape], *, n: int) -> Shape:
    """``InstanceNorm{1,2,3}d``: same shape; rank, channels and spatial size checked."""
    shape = tuple(inputs[0])
    channels = shape[1] if check_rank(n, shape) else shape[0]
    tracked = attrs.get("track_running_stats")
    if (attrs.get("affine") or tracked) and channels != attrs["num_features"]:
        raise LayerShapeError(f"expects {attrs['num_features']} input channels, got {channels}")
    if (attrs.get("training") or not tracked) and math.prod(shape[-n:]) == 1:
        raise LayerShapeError(
            "gets a single spatial element per channel, too few for instance statistics",
            too_small=True,
        )
    return shape


def group_norm(attrs: Attrs, inputs: Sequence[Shape]) -> Shape:
    """``GroupNorm``: same shape; channels and group divisibility checked."""
    shape = tuple(inputs[0])
    if len(shape) < 2:
        raise LayerShapeError(f"expects an input with at least 2 dimensions, got {len(shape)}D")
    c, groups = shape[1], attrs["num_groups"]
    if attrs.get("affine") and attrs.get("num_features") not in (None, c):
        raise LayerShapeError(f"expects {attrs['num_features']} input channels, got {c}")
    if c % groups:
        raise LayerShapeError(f"expects channels divisible by {groups}, got {c}")
    if shape[0] * c // groups * math.prod(shape[2:]) == 1:
        raise LayerShapeError("gets one value per group, too few for statistics", too_small=True)
    return shape


def layer_norm(attrs: Attrs, inputs: Sequence[Shape]) -> Shape | None:
    """``LayerNorm``/``RMSNorm`` and their calls: trailing dimensions equal ``normalized_shape``."""
    given = attrs.get("normalized_shape")
    if isinstance(given, int) and not isinstance(given, bool):
        given = (given,)
    if not isinstance(given, (tuple, list)) or not all(isinstance(d, int) for d in given):
        return None
    want, shape = tuple(given), tuple(inputs[0])
    if len(shape) < len(want) or tuple(shape[len(shape) - len(want):]) != want:
        raise LayerShapeError(f"expects trailing dimensions {fmt(want)}, got {fmt(shape[1:])}")
    return shape


def prelu(attrs: Attrs, inputs: Sequence[Shape]) -> Shape | None:
    """``PReLU`` and ``F.prelu``: one parameter, or one per channel (dimension 1)."""
    if not isinstance(attrs.get("num_parameters"), int):
        return None
    shape = tuple(inputs[0])
    channels = shape[1] if len(shape) >= 2 else 1
    if attrs["num_parameters"] not in (1, channels):
        raise LayerShapeError(
            f"has {attrs['num_parameters']} parameters but its input has {channels} channels"
        )
    return shape


def flatten(attrs: Attrs, inputs: Sequence[Shape]) -> Shape | None:
    """``Flatten`` and ``flatten(start_dim, end_dim)``."""
    start, end = attrs.get("start_dim", 0), attrs.get("end_dim", -1)
    if not isinstance(start, int) or not isinstance(end, int):
        return None
    return flatten_output(tuple(inputs[0]), start, end)


def dropout1d(attrs: Attrs, inputs: Sequence[Shape]) -> Shape:
    """``Dropout1d`` accepts 2D or 3D inputs."""
    shape = tuple(inputs[0])
    if len(shape) not in (2, 3):
        raise LayerShapeError(f"expects a 2D or 3D input, got {len(shape)}D")
    return shape


def embedding(attrs: Attrs, inputs: Sequence[Shape]) -> Shape | None:
    """``Embedding`` and ``F.embedding``: one ``embedding_dim`` vector per index."""
    width = attrs.get("embedding_dim")
    return (*inputs[0], width) if isinstance(width, int) else None


def recurrent(attrs: Attrs, inputs: Sequence[Shape]) -> Outputs | None:
    """``nn.RNN``/``nn.LSTM``/``nn.GRU`` on one sequence: the output and the last hidden
    state (an LSTM's is the pair ``(h, c)``). A meta run steps through torch's Python
    decompositions one time step at a time, seconds for a long sequence."""
    shape = tuple(inputs[0])
    if len(shape) not in (2, 3):
        raise LayerShapeError(f"expects a 2D or 3D input, got {len(shape)}D")
    width, hidden = attrs.get("input_size"), attrs.get("hidden_size")
    if not isinstance(width, int) or not isinstance(hidden, int):
        return None
    if shape[-1] != width:
        raise LayerShapeError(f"expects {width} input features, got {shape[-1]}")
    out = int(attrs.get("proj_size") or 0) or hidden
    directions = 2 if attrs.get("bidirectional") else 1
    states = directions * int(attrs.get("num_layers") or 1)
    batch: tuple[int, ...] = ()
    if len(shape) == 3:
        batch = (shape[0] if attrs.get("batch_first") else shape[1],)
    output = (*shape[:-1], directions * out)
    last = (states, *batch, out)
    if attrs.get("mode") == "LSTM":
        return output, (last, (states, *batch, hidden))
    return output, last


def multihead_attention(attrs: Attrs, inputs: Sequence[Shape]) -> Outputs | None:
    """``nn.MultiheadAttention``: its output and its attention weights (``None`` without
    ``need_weights``), whose meta run would pull in torch's decompositions."""
    query, key = attrs.get("query"), attrs.get("key")
    if not isinstance(query, TensorArg) or not isinstance(key, TensorArg):
        return None
    q, k, width = query.shape, key.shape, attrs["embed_dim"]
    if len(q) not in (2, 3) or len(k) != len(q) or q[-1] != width:
        return None  # torch words these errors itself
    output = (*q[:-1], width)
    if not attrs.get("need_weights", True):
        return output, None
    lead: tuple[int, ...]
    if len(q) == 2:
        length, source, lead = q[0], k[0], ()
    elif attrs.get("batch_first"):
        length, source, lead = q[1], k[1], (q[0],)
    else:
        length, source, lead = q[0], k[0], (q[1],)
    heads: tuple[int, ...] = () if attrs.get("average_attn_weights", True) else (
        attrs["num_heads"],)
    return output, (*lead, *heads, length, source)
