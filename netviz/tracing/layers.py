"""Closed-form output shapes of the common ``torch.nn`` layers.

Running a layer on meta tensors costs a dispatch (and, for the first op that
has no C++ meta kernel, about a second of lazy imports); on CPU tensors it
costs a real convolution. The rules below cost neither and do not grow with
the input resolution. ``output_shape``
answers ``None`` for a layer it does not know, and the caller runs it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache
from typing import Any

from torch import nn

from netviz.tracing.shapes import (
    LayerShapeError,
    Shape,
    adaptive_output,
    check_rank,
    conv_output,
    conv_transpose_output,
    flatten_output,
    fmt,
    interpolate_output,
    pool_output,
    tup,
)


_Pool = (
    nn.AvgPool1d | nn.AvgPool2d | nn.AvgPool3d | nn.MaxPool1d | nn.MaxPool2d | nn.MaxPool3d
)
_AdaptivePool = (
    nn.AdaptiveAvgPool1d | nn.AdaptiveAvgPool2d | nn.AdaptiveAvgPool3d
    | nn.AdaptiveMaxPool1d | nn.AdaptiveMaxPool2d | nn.AdaptiveMaxPool3d
)
_BatchNorm = nn.BatchNorm1d | nn.BatchNorm2d | nn.BatchNorm3d | nn.SyncBatchNorm


def _rank(module: nn.Module) -> int:
    """Spatial rank from the class name's ``1d``/``2d``/``3d`` suffix."""
    return int(type(module).__name__[-2])


def conv_shape(m: nn.Conv1d | nn.Conv2d | nn.Conv3d, shape: Shape) -> Shape:
    """``Conv{1,2,3}d`` with any padding mode, ``'same'`` and ``'valid'`` included."""
    return conv_output(
        shape, in_channels=m.in_channels, out_channels=m.out_channels, kernel=m.kernel_size,
        stride=m.stride, padding=m.padding, dilation=m.dilation, padding_mode=m.padding_mode,
    )


def conv_transpose_shape(
    m: nn.ConvTranspose1d | nn.ConvTranspose2d | nn.ConvTranspose3d, shape: Shape
) -> Shape:
    """``ConvTranspose{1,2,3}d`` called without ``output_size``."""
    return conv_transpose_output(
        shape, in_channels=m.in_channels, out_channels=m.out_channels, kernel=m.kernel_size,
        stride=m.stride, padding=m.padding, dilation=m.dilation,
        output_padding=m.output_padding,
    )


def pool_shape(m: _Pool, shape: Shape) -> Shape | None:
    """``AvgPool{1,2,3}d`` and ``MaxPool{1,2,3}d`` (``ceil_mode``, dilation)."""
    if getattr(m, "return_indices", False):
        return None
    return pool_output(shape, n=_rank(m), kernel_size=m.kernel_size, stride=m.stride,
                       padding=m.padding, dilation=getattr(m, "dilation", 1),
                       ceil_mode=m.ceil_mode)


def adaptive_pool_shape(m: _AdaptivePool, shape: Shape) -> Shape | None:
    """``Adaptive{Avg,Max}Pool{1,2,3}d``."""
    if getattr(m, "return_indices", False):
        return None
    return adaptive_output(shape, n=_rank(m), output_size=m.output_size)


def batch_norm_shape(m: _BatchNorm, shape: Shape) -> Shape:
    """``BatchNorm{1,2,3}d`` / ``SyncBatchNorm``: same shape; rank and channels checked.

    Torch refuses batch statistics over a single value in training mode; netviz
    traces with an artificial batch of one, so that check is deliberately skipped.
    """
    ranks = {nn.BatchNorm1d: (2, 3), nn.BatchNorm2d: (4,), nn.BatchNorm3d: (5,)}.get(
        type(m), tuple(range(2, 9))
    )
    if len(shape) not in ranks:
        want = " or ".join(f"{r}D" for r in ranks)
        raise LayerShapeError(f"expects a {want} input, got {len(shape)}D")
    if (m.affine or m.track_running_stats) and shape[1] != m.num_features:
        raise LayerShapeError(f"expects {m.num_features} input channels, got {shape[1]}")
    return shape


def instance_norm_shape(
    m: nn.InstanceNorm1d | nn.InstanceNorm2d | nn.InstanceNorm3d, shape: Shape
) -> Shape:
    """``InstanceNorm{1,2,3}d``: same shape; rank, channels and spatial size checked."""
    n = _rank(m)
    channels = shape[1] if check_rank(n, shape) else shape[0]
    if (m.affine or m.track_running_stats) and channels != m.num_features:
        raise LayerShapeError(f"expects {m.num_features} input channels, got {channels}")
    if (m.training or not m.track_running_stats) and math.prod(shape[-n:]) == 1:
        raise LayerShapeError(
            "gets a single spatial element per channel, too few for instance statistics",
            too_small=True,
        )
    return shape


def group_norm_shape(m: nn.GroupNorm, shape: Shape) -> Shape:
    """``GroupNorm``: same shape; channels and group divisibility checked."""
    if len(shape) < 2:
        raise LayerShapeError(f"expects an input with at least 2 dimensions, got {len(shape)}D")
    c = shape[1]
    if m.affine and c != m.num_channels:
        raise LayerShapeError(f"expects {m.num_channels} input channels, got {c}")
    if c % m.num_groups:
        raise LayerShapeError(f"expects channels divisible by {m.num_groups}, got {c}")
    if shape[0] * c // m.num_groups * math.prod(shape[2:]) == 1:
        raise LayerShapeError("gets one value per group, too few for statistics", too_small=True)
    return shape


def layer_norm_shape(m: nn.LayerNorm, shape: Shape) -> Shape:
    """``LayerNorm``: the trailing dimensions must equal ``normalized_shape``."""
    want = tuple(m.normalized_shape)
    if len(shape) < len(want) or tuple(shape[len(shape) - len(want):]) != want:
        raise LayerShapeError(f"expects trailing dimensions {fmt(want)}, got {fmt(shape[1:])}")
    return shape


def prelu_shape(m: nn.PReLU, shape: Shape) -> Shape:
    """``PReLU``: one parameter, or one per channel (dimension 1)."""
    channels = shape[1] if len(shape) >= 2 else 1
    if m.num_parameters not in (1, channels):
        raise LayerShapeError(
            f"has {m.num_parameters} parameters but its input has {channels} channels"
        )
    return shape


def linear_shape(m: nn.Linear, shape: Shape) -> Shape:
    """``Linear``: the last dimension must equal ``in_features``."""
    if not shape:
        raise LayerShapeError("expects an input with at least 1 dimension, got a scalar")
    if shape[-1] != m.in_features:
        raise LayerShapeError(f"expects {m.in_features} input features, got {shape[-1]}")
    return (*shape[:-1], m.out_features)


def upsample_shape(m: nn.Upsample, shape: Shape) -> Shape | None:
    """``Upsample`` and friends: ``size`` or ``floor(I * scale_factor)``."""
    return interpolate_output(shape, size=m.size, scale_factor=m.scale_factor, mode=m.mode)


def flatten_shape(m: nn.Flatten, shape: Shape) -> Shape:
    """``Flatten(start_dim, end_dim)``."""
    return flatten_output(shape, m.start_dim, m.end_dim)


def dropout1d_shape(m: nn.Dropout1d, shape: Shape) -> Shape:
    """``Dropout1d`` accepts 2D or 3D inputs."""
    if len(shape) not in (2, 3):
        raise LayerShapeError(f"expects a 2D or 3D input, got {len(shape)}D")
    return shape


def embedding_shape(m: nn.Embedding, shape: Shape) -> Shape:
    """``Embedding``: one ``embedding_dim`` vector per index."""
    return (*shape, m.embedding_dim)


def output_dtype(module: nn.Module, dtype: Any) -> Any:
    """The dtype of a layer's output: an embedding's weights', else its input's."""
    if isinstance(module, (nn.Embedding, nn.EmbeddingBag)):
        return module.weight.dtype
    return dtype


def check_input_dtype(module: nn.Module, floating: bool, dtype: str) -> None:
    """Raise ``LayerShapeError`` for float input to an embedding (it takes indices)."""
    if floating and isinstance(module, (nn.Embedding, nn.EmbeddingBag)):
        name = dtype.removeprefix("torch.")
        raise LayerShapeError(
            f"expects integer indices, got {name}; give the input dtype, e.g. "
            "--input-dtype int64 (input_dtypes=['int64'] in Python)"
        )


def same_shape(m: nn.Module, shape: Shape) -> Shape:
    """Element-wise layers: the output has the input's shape."""
    return shape


@cache
def _table() -> dict[type, Callable[[Any, Shape], Shape | None]]:
    same = [
        nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.ELU, nn.SELU, nn.CELU, nn.GELU, nn.SiLU, nn.Mish,
        nn.Sigmoid, nn.Tanh, nn.Hardswish, nn.Hardsigmoid, nn.Hardtanh, nn.Softplus,
        nn.Softsign, nn.Tanhshrink, nn.LogSigmoid, nn.Threshold, nn.Dropout, nn.Dropout2d,
        nn.Dropout3d, nn.AlphaDropout, nn.FeatureAlphaDropout, nn.Identity,
    ]
    table: dict[type, Callable[[Any, Shape], Shape | None]] = dict.fromkeys(same, same_shape)
    groups: list[tuple[list[type], Callable[[Any, Shape], Shape | None]]] = [
        ([nn.Conv1d, nn.Conv2d, nn.Conv3d], conv_shape),
        ([nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d], conv_transpose_shape),
        ([nn.AvgPool1d, nn.AvgPool2d, nn.AvgPool3d, nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d],
         pool_shape),
        ([nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d, nn.AdaptiveAvgPool3d,
          nn.AdaptiveMaxPool1d, nn.AdaptiveMaxPool2d, nn.AdaptiveMaxPool3d],
         adaptive_pool_shape),
        ([nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.SyncBatchNorm], batch_norm_shape),
        ([nn.InstanceNorm1d, nn.InstanceNorm2d, nn.InstanceNorm3d], instance_norm_shape),
        ([nn.Upsample, nn.UpsamplingNearest2d, nn.UpsamplingBilinear2d], upsample_shape),
        ([nn.GroupNorm], group_norm_shape),
        ([nn.LayerNorm], layer_norm_shape),
        ([nn.PReLU], prelu_shape),
        ([nn.Linear], linear_shape),
        ([nn.Flatten], flatten_shape),
        ([nn.Dropout1d], dropout1d_shape),
        ([nn.Embedding], embedding_shape),
    ]
    for classes, rule in groups:
        table.update(dict.fromkeys(classes, rule))
    return table


def output_shape(module: nn.Module, shape: Shape) -> Shape | None:
    """Closed-form output shape of ``module`` for an input of ``shape`` (batch included).

    Returns:
        The output shape, or ``None`` when no closed form applies (unknown layer,
        lazy parameters, tuple outputs): the caller then runs the layer.

    Raises:
        LayerShapeError: The input does not fit the layer, as torch would complain.
    """
    rule = _table().get(type(module))
    if rule is None:
        return None
    has_uninitialized = getattr(module, "has_uninitialized_params", None)
    if has_uninitialized is not None and has_uninitialized():
        return None
    return rule(module, tuple(shape))


_MHA_ARGS = ("query", "key", "value", "key_padding_mask", "need_weights", "attn_mask",
             "average_attn_weights", "is_causal")
_TRANSFORMERS = (nn.TransformerEncoderLayer, nn.TransformerEncoder, nn.TransformerDecoderLayer,
                 nn.TransformerDecoder)


def attention_outputs(
    module: nn.Module, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[Shape, Shape | None] | Shape | None:
    """Closed-form output shapes of attention and transformer layers, whose meta run
    would pull in torch's decompositions (about a second of imports).

    Returns:
        For ``nn.MultiheadAttention``, the shapes of its output and of its attention
        weights (``None`` without ``need_weights``); for a transformer encoder or
        decoder (layer), the shape of its output (its first input's); ``None`` for
        other modules, or calls this does not cover (the caller runs them).
    """
    if isinstance(module, _TRANSFORMERS):
        first: Any = args[0] if args else kwargs.get("src", kwargs.get("tgt"))
        return tuple(first.shape) if hasattr(first, "shape") else None
    if not isinstance(module, nn.MultiheadAttention):
        return None
    bound = dict(zip(_MHA_ARGS, args))
    bound.update(kwargs)
    query: Any = bound.get("query")
    key: Any = bound.get("key")
    if not hasattr(query, "shape") or not hasattr(key, "shape") or set(bound) - set(_MHA_ARGS):
        return None
    q, k = tuple(query.shape), tuple(key.shape)
    if len(q) not in (2, 3) or len(k) != len(q) or q[-1] != module.embed_dim:
        return None  # torch words these errors itself
    output = (*q[:-1], module.embed_dim)
    if not bound.get("need_weights", True):
        return output, None
    lead: tuple[int, ...]
    if len(q) == 2:
        length, source, lead = q[0], k[0], ()
    elif module.batch_first:
        length, source, lead = q[1], k[1], (q[0],)
    else:
        length, source, lead = q[0], k[0], (q[1],)
    heads: tuple[int, ...] = () if bound.get("average_attn_weights", True) else (
        module.num_heads,)
    return output, (*lead, *heads, length, source)


def describe(module: nn.Module) -> str:
    """Short layer description for messages: ``"Conv2d 3x3"``, ``"AvgPool2d 8x8"``."""
    name = type(module).__name__
    kernel = getattr(module, "kernel_size", None)
    if kernel is None:
        return name
    if not isinstance(kernel, (tuple, list)):
        n = int(name[-2]) if name[-2:-1].isdigit() and name.endswith("d") else 1
        kernel = tup(kernel, n)
    return f"{name} {'x'.join(map(str, kernel))}"
