"""Closed-form output shapes of the common layers, validated like torch does.

Running a layer on meta tensors costs a dispatch per op and on CPU tensors a
real convolution; the formulas below cost neither, and do not grow with the
input resolution (seed 002: ``O = floor((I + 2P - D(K - 1) - 1) / S) + 1``).
[`output_shape`][netviz.trace.shapes.output_shape] answers ``None`` for any
layer or call it does not know, and the caller then runs the layer for real.

Shapes here include the batch dimension.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache
from typing import Any

from torch import nn

Shape = tuple[int, ...]


class LayerShapeError(Exception):
    """The input does not fit a layer (raised by a closed form).

    Attributes:
        detail: What is wrong, phrased after the layer: ``"expects 3 input channels, got 1"``.
        too_small: The input is too small for the layer's kernel.
        config: The layer's own settings are invalid (not the input's fault).
    """

    def __init__(self, detail: str, *, too_small: bool = False, config: bool = False) -> None:
        super().__init__(detail)
        self.detail = detail
        self.too_small = too_small
        self.config = config


def _tup(value: Any, n: int) -> tuple[int, ...]:
    if isinstance(value, (tuple, list)):
        if len(value) == 1 and n > 1:
            return tuple(value) * n
        return tuple(value)
    return (value,) * n


def _dims(module: nn.Module, n: int, shape: Shape, what: str = "") -> bool:
    """Check an ``n``-d spatial layer's input rank; return whether it is batched."""
    if len(shape) == n + 2:
        return True
    if len(shape) == n + 1:
        return False
    raise LayerShapeError(f"expects a {n + 1}D or {n + 2}D input{what}, got {len(shape)}D")


def _spatial_error(sizes: Shape, out: list[int]) -> LayerShapeError:
    got = "x".join(map(str, sizes))
    res = "x".join(map(str, out))
    return LayerShapeError(f"gets {got} spatially and would output {res}", too_small=True)


def conv_shape(module: nn.Module, shape: Shape) -> Shape:
    """Output shape of ``Conv{1,2,3}d`` (zero, reflect, replicate, circular padding)."""
    n = len(module.kernel_size)
    batched = _dims(module, n, shape)
    c = shape[-n - 1]
    expected = module.in_channels
    if c != expected:
        raise LayerShapeError(f"expects {expected} input channels, got {c}")
    sizes = shape[-n:]
    kernel, stride, dilation = module.kernel_size, module.stride, module.dilation
    if isinstance(module.padding, str):
        padding = _tup(0, n) if module.padding == "valid" else None
    else:
        padding = _tup(module.padding, n)
    if padding is None:  # 'same' (stride 1 is enforced when the layer is built)
        out = list(sizes)
    else:
        if module.padding_mode != "zeros":
            limit = {"reflect": "<", "circular": "<="}.get(module.padding_mode)
            for size, pad in zip(sizes, padding):
                if (limit == "<" and pad >= size) or (limit == "<=" and pad > size):
                    raise LayerShapeError(
                        f"gets {size} positions per dimension, too few for "
                        f"{module.padding_mode} padding of {pad}",
                        too_small=True,
                    )
        out = [
            (i + 2 * p - d * (k - 1) - 1) // s + 1
            for i, k, s, p, d in zip(sizes, kernel, stride, padding, dilation)
        ]
        if any(i + 2 * p < d * (k - 1) + 1 for i, k, p, d in zip(sizes, kernel, padding, dilation)):
            raise _spatial_error(sizes, out)
    lead = shape[:1] if batched else ()
    return (*lead, module.out_channels, *out)


def conv_transpose_shape(module: nn.Module, shape: Shape) -> Shape:
    """Output shape of ``ConvTranspose{1,2,3}d`` called without ``output_size``."""
    n = len(module.kernel_size)
    batched = _dims(module, n, shape)
    c = shape[-n - 1]
    if c != module.in_channels:
        raise LayerShapeError(f"expects {module.in_channels} input channels, got {c}")
    sizes = shape[-n:]
    out = [
        (i - 1) * s - 2 * p + d * (k - 1) + op + 1
        for i, k, s, p, d, op in zip(
            sizes, module.kernel_size, module.stride, _tup(module.padding, n),
            module.dilation, module.output_padding,
        )
    ]
    if any(o <= 0 for o in out):
        raise _spatial_error(sizes, out)
    lead = shape[:1] if batched else ()
    return (*lead, module.out_channels, *out)


def _pool_out(i: int, k: int, s: int, p: int, d: int, ceil: bool) -> int:
    """torch's ``pooling_output_shape``."""
    o = (i + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil else 0)) // s + 1
    if ceil and (o - 1) * s >= i + p:
        o -= 1
    return o


def pool_shape(module: nn.Module, shape: Shape) -> Shape | None:
    """Output shape of ``AvgPool{1,2,3}d`` and ``MaxPool{1,2,3}d``."""
    if getattr(module, "return_indices", False):
        return None
    n = _rank(module)
    _dims(module, n, shape)
    sizes = shape[-n:]
    kernel = _tup(module.kernel_size, n)
    stride = _tup(module.stride, n) if module.stride not in (None, [], ()) else kernel
    padding = _tup(module.padding, n)
    dilation = _tup(getattr(module, "dilation", 1), n)
    if any(k <= 0 for k in kernel) or any(s <= 0 for s in stride):
        raise LayerShapeError("has a kernel size or stride that is not positive", config=True)
    if any(p > k // 2 for p, k in zip(padding, kernel)):
        raise LayerShapeError(
            f"has padding {module.padding} larger than half its kernel size", config=True
        )
    out = [_pool_out(*v, module.ceil_mode) for v in zip(sizes, kernel, stride, padding, dilation)]
    if any(o < 1 for o in out):
        raise _spatial_error(sizes, out)
    return (*shape[:-n], *out)


def adaptive_pool_shape(module: nn.Module, shape: Shape) -> Shape | None:
    """Output shape of ``Adaptive{Avg,Max}Pool{1,2,3}d``."""
    if getattr(module, "return_indices", False):
        return None
    n = _rank(module)
    _dims(module, n, shape)
    sizes = shape[-n:]
    wanted = _tup(module.output_size, n)
    if n == 1 and None in wanted:
        return None  # torch rejects it with its own TypeError
    out = [i if o is None else o for i, o in zip(sizes, wanted)]
    return (*shape[:-n], *out)


def batch_norm_shape(module: nn.Module, shape: Shape) -> Shape:
    """``BatchNorm{1,2,3}d`` / ``SyncBatchNorm``: same shape; rank and channels checked."""
    ranks = {nn.BatchNorm1d: (2, 3), nn.BatchNorm2d: (4,), nn.BatchNorm3d: (5,)}.get(
        type(module), tuple(range(2, 9))
    )
    if len(shape) not in ranks:
        want = " or ".join(f"{r}D" for r in ranks)
        raise LayerShapeError(f"expects a {want} input, got {len(shape)}D")
    if (module.affine or module.track_running_stats) and shape[1] != module.num_features:
        raise LayerShapeError(f"expects {module.num_features} input channels, got {shape[1]}")
    return shape


def instance_norm_shape(module: nn.Module, shape: Shape) -> Shape:
    """``InstanceNorm{1,2,3}d``: same shape; rank, channels and spatial size checked."""
    n = _rank(module)
    batched = _dims(module, n, shape)
    channels = shape[1] if batched else shape[0]
    if (module.affine or module.track_running_stats) and channels != module.num_features:
        raise LayerShapeError(f"expects {module.num_features} input channels, got {channels}")
    uses_input_stats = module.training or not module.track_running_stats
    if uses_input_stats and math.prod(shape[-n:]) == 1:
        raise LayerShapeError(
            "gets a single spatial element per channel, too few for instance statistics",
            too_small=True,
        )
    return shape


def group_norm_shape(module: nn.Module, shape: Shape) -> Shape:
    """``GroupNorm``: same shape; channels and group divisibility checked."""
    if len(shape) < 2:
        raise LayerShapeError(f"expects an input with at least 2 dimensions, got {len(shape)}D")
    c = shape[1]
    if module.affine and c != module.num_channels:
        raise LayerShapeError(f"expects {module.num_channels} input channels, got {c}")
    if c % module.num_groups:
        raise LayerShapeError(f"expects channels divisible by {module.num_groups}, got {c}")
    if shape[0] * c // module.num_groups * math.prod(shape[2:]) == 1:
        raise LayerShapeError("gets one value per group, too few for statistics", too_small=True)
    return shape


def layer_norm_shape(module: nn.Module, shape: Shape) -> Shape:
    """``LayerNorm``: the trailing dimensions must equal ``normalized_shape``."""
    want = tuple(module.normalized_shape)
    if len(shape) < len(want) or tuple(shape[len(shape) - len(want):]) != want:
        trail = "x".join(map(str, want))
        raise LayerShapeError(f"expects trailing dimensions {trail}, got {_fmt(shape[1:])}")
    return shape


def prelu_shape(module: nn.Module, shape: Shape) -> Shape:
    """``PReLU``: one parameter, or one per channel (dimension 1)."""
    channels = shape[1] if len(shape) >= 2 else 1
    if module.num_parameters not in (1, channels):
        raise LayerShapeError(
            f"has {module.num_parameters} parameters but its input has {channels} channels"
        )
    return shape


def linear_shape(module: nn.Module, shape: Shape) -> Shape:
    """``Linear``: the last dimension must equal ``in_features``."""
    if not shape:
        raise LayerShapeError("expects an input with at least 1 dimension, got a scalar")
    if shape[-1] != module.in_features:
        raise LayerShapeError(f"expects {module.in_features} input features, got {shape[-1]}")
    return (*shape[:-1], module.out_features)


_INTERP_RANK = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}


def upsample_shape(module: nn.Module, shape: Shape) -> Shape | None:
    """``Upsample`` and friends: ``size`` or ``floor(I * scale_factor)``."""
    n = len(shape) - 2
    if n not in (1, 2, 3):
        raise LayerShapeError(f"expects a 3D, 4D or 5D input, got {len(shape)}D")
    need = _INTERP_RANK.get(module.mode)
    if need is not None and need != n:
        raise LayerShapeError(f"in {module.mode!r} mode expects a {need + 2}D input, got {len(shape)}D")
    sizes = shape[2:]
    if (module.size is None) == (module.scale_factor is None):
        return None  # torch raises its own, clear error
    if module.size is not None:
        out = list(_tup(module.size, n))
        if len(out) != n:
            raise LayerShapeError(f"has size {module.size} but gets a {n}-d spatial input")
    else:
        scales = _tup(module.scale_factor, n)
        if len(scales) != n:
            return None
        out = [math.floor(float(i) * float(s)) for i, s in zip(sizes, scales)]
    if any(o <= 0 for o in out):
        raise _spatial_error(sizes, out)
    return (*shape[:2], *out)


def flatten_shape(module: nn.Module, shape: Shape) -> Shape:
    """``Flatten(start_dim, end_dim)``."""
    rank = max(len(shape), 1)
    start, end = module.start_dim, module.end_dim
    for dim in (start, end):
        if not -rank <= dim < rank:
            raise LayerShapeError(f"flattens dimension {dim} of a {len(shape)}D input")
    start, end = start % rank, end % rank
    if start > end:
        raise LayerShapeError(f"has start_dim {module.start_dim} after end_dim {module.end_dim}",
                              config=True)
    if not shape:
        return (1,)
    return (*shape[:start], math.prod(shape[start:end + 1]), *shape[end + 1:])


def dropout1d_shape(module: nn.Module, shape: Shape) -> Shape:
    """``Dropout1d`` accepts 2D or 3D inputs."""
    if len(shape) not in (2, 3):
        raise LayerShapeError(f"expects a 2D or 3D input, got {len(shape)}D")
    return shape


def same_shape(module: nn.Module, shape: Shape) -> Shape:
    """Element-wise layers: the output has the input's shape."""
    return shape


def _rank(module: nn.Module) -> int:
    """Spatial rank from the class name's ``1d``/``2d``/``3d`` suffix."""
    return int(type(module).__name__[-2])


def _fmt(shape: Shape) -> str:
    return "x".join(map(str, shape)) if shape else "a scalar"


@cache
def _table() -> dict[type, Callable[[Any, Shape], Shape | None]]:
    same = [
        nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.ELU, nn.SELU, nn.CELU, nn.GELU, nn.SiLU, nn.Mish,
        nn.Sigmoid, nn.Tanh, nn.Hardswish, nn.Hardsigmoid, nn.Hardtanh, nn.Softplus,
        nn.Softsign, nn.Tanhshrink, nn.LogSigmoid, nn.Threshold, nn.Dropout, nn.Dropout2d,
        nn.Dropout3d, nn.AlphaDropout, nn.FeatureAlphaDropout, nn.Identity,
    ]
    table: dict[type, Callable[[Any, Shape], Shape | None]] = dict.fromkeys(same, same_shape)
    table.update(dict.fromkeys([nn.Conv1d, nn.Conv2d, nn.Conv3d], conv_shape))
    table.update(dict.fromkeys(
        [nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d], conv_transpose_shape
    ))
    table.update(dict.fromkeys(
        [nn.AvgPool1d, nn.AvgPool2d, nn.AvgPool3d, nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d],
        pool_shape,
    ))
    table.update(dict.fromkeys(
        [nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d, nn.AdaptiveAvgPool3d,
         nn.AdaptiveMaxPool1d, nn.AdaptiveMaxPool2d, nn.AdaptiveMaxPool3d],
        adaptive_pool_shape,
    ))
    table.update(dict.fromkeys(
        [nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.SyncBatchNorm], batch_norm_shape
    ))
    table.update(dict.fromkeys(
        [nn.InstanceNorm1d, nn.InstanceNorm2d, nn.InstanceNorm3d], instance_norm_shape
    ))
    table.update({
        nn.GroupNorm: group_norm_shape,
        nn.LayerNorm: layer_norm_shape,
        nn.PReLU: prelu_shape,
        nn.Linear: linear_shape,
        nn.Upsample: upsample_shape,
        nn.UpsamplingNearest2d: upsample_shape,
        nn.UpsamplingBilinear2d: upsample_shape,
        nn.Flatten: flatten_shape,
        nn.Dropout1d: dropout1d_shape,
    })
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


def describe(module: nn.Module) -> str:
    """Short layer description for messages: ``"Conv2d 3x3"``, ``"AvgPool2d 8x8"``."""
    name = type(module).__name__
    kernel = getattr(module, "kernel_size", None)
    if kernel is None:
        return name
    if not isinstance(kernel, (tuple, list)):
        n = int(name[-2]) if name[-2:-1].isdigit() and name.endswith("d") else 1
        kernel = _tup(kernel, n)
    return f"{name} {'x'.join(map(str, kernel))}"


def broadcast_shape(a: Shape, b: Shape) -> Shape:
    """The shape of ``a <op> b`` under broadcasting.

    Raises:
        RuntimeError: The shapes do not broadcast (torch's own wording).
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
