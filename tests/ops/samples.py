"""One small call of every op the table knows, as a layer and as a call, for the table walk.

``LAYERS`` maps a layer class name to a builder and its input shapes; ``CALLS`` maps a
call name to the function and a builder of its arguments. Inputs are made on the
device the walk asks for (meta, or CPU where a kernel has no meta form).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

Make = Callable[[], nn.Module]
Args = Callable[[str], tuple[tuple[Any, ...], dict[str, Any]]]


def t(*shape: int, dtype: torch.dtype = torch.float32) -> Callable[[str], torch.Tensor]:
    """A builder of a tensor of ``shape`` on a device (zeros, so ids are valid)."""
    return lambda device: torch.zeros(shape, dtype=dtype, device=device)


_ACTIVATIONS = ["ReLU", "ReLU6", "LeakyReLU", "ELU", "SELU", "CELU", "GELU", "SiLU", "Mish",
                "Sigmoid", "Tanh", "Hardswish", "Hardsigmoid", "Hardtanh", "Softplus",
                "Softsign", "Tanhshrink", "LogSigmoid", "RReLU", "GLU"]

LAYERS: dict[str, tuple[Make, list[Callable[[str], torch.Tensor]]]] = {
    **{name: (getattr(nn, name), [t(1, 4, 6)]) for name in _ACTIVATIONS},
    "Threshold": (lambda: nn.Threshold(0.1, 0.0), [t(1, 4, 6)]),
    "PReLU": (lambda: nn.PReLU(4), [t(1, 4, 6)]),
    "Softmax": (lambda: nn.Softmax(dim=-1), [t(1, 4, 6)]),
    "LogSoftmax": (lambda: nn.LogSoftmax(dim=1), [t(1, 4, 6)]),
    "Conv1d": (lambda: nn.Conv1d(3, 4, 3, padding=1), [t(1, 3, 9)]),
    "Conv2d": (lambda: nn.Conv2d(4, 6, 3, stride=2, groups=2), [t(1, 4, 9, 9)]),
    "Conv3d": (lambda: nn.Conv3d(3, 4, 3, padding="same"), [t(1, 3, 5, 5, 5)]),
    "ConvTranspose1d": (lambda: nn.ConvTranspose1d(3, 4, 3, stride=2), [t(1, 3, 7)]),
    "ConvTranspose2d": (lambda: nn.ConvTranspose2d(4, 6, 2, stride=2, groups=2),
                        [t(1, 4, 5, 5)]),
    "ConvTranspose3d": (lambda: nn.ConvTranspose3d(3, 4, 3, padding=1), [t(1, 3, 4, 4, 4)]),
    "BatchNorm1d": (lambda: nn.BatchNorm1d(4), [t(1, 4, 6)]),
    "BatchNorm2d": (lambda: nn.BatchNorm2d(4), [t(1, 4, 5, 5)]),
    "BatchNorm3d": (lambda: nn.BatchNorm3d(4), [t(1, 4, 3, 3, 3)]),
    "SyncBatchNorm": (lambda: nn.SyncBatchNorm(4), [t(1, 4, 5, 5)]),
    "InstanceNorm1d": (lambda: nn.InstanceNorm1d(4, affine=True), [t(1, 4, 6)]),
    "InstanceNorm2d": (lambda: nn.InstanceNorm2d(4), [t(1, 4, 5, 5)]),
    "InstanceNorm3d": (lambda: nn.InstanceNorm3d(4), [t(1, 4, 3, 3, 3)]),
    "GroupNorm": (lambda: nn.GroupNorm(2, 4), [t(1, 4, 5, 5)]),
    "LayerNorm": (lambda: nn.LayerNorm(8), [t(1, 5, 8)]),
    "RMSNorm": (lambda: nn.RMSNorm([5, 8]), [t(1, 5, 8)]),
    "LocalResponseNorm": (lambda: nn.LocalResponseNorm(2), [t(1, 4, 5, 5)]),
    **{f"AvgPool{n}d": (lambda n=n: getattr(nn, f"AvgPool{n}d")(2, ceil_mode=True),
                        [t(1, 3, *(5,) * n)]) for n in (1, 2, 3)},
    **{f"MaxPool{n}d": (lambda n=n: getattr(nn, f"MaxPool{n}d")(3, 2, 1),
                        [t(1, 3, *(6,) * n)]) for n in (1, 2, 3)},
    **{f"AdaptiveAvgPool{n}d": (lambda n=n: getattr(nn, f"AdaptiveAvgPool{n}d")(2),
                                [t(1, 3, *(5,) * n)]) for n in (1, 2, 3)},
    **{f"AdaptiveMaxPool{n}d": (lambda n=n: getattr(nn, f"AdaptiveMaxPool{n}d")(2),
                                [t(1, 3, *(5,) * n)]) for n in (1, 2, 3)},
    **{f"LPPool{n}d": (lambda n=n: getattr(nn, f"LPPool{n}d")(2, 2), [t(1, 3, *(4,) * n)])
       for n in (1, 2, 3)},
    "Linear": (lambda: nn.Linear(8, 4), [t(1, 5, 8)]),
    "Bilinear": (lambda: nn.Bilinear(4, 5, 6), [t(1, 4), t(1, 5)]),
    "Upsample": (lambda: nn.Upsample(scale_factor=2), [t(1, 3, 4, 4)]),
    "UpsamplingNearest2d": (lambda: nn.UpsamplingNearest2d(size=(6, 7)), [t(1, 3, 4, 4)]),
    "UpsamplingBilinear2d": (lambda: nn.UpsamplingBilinear2d(scale_factor=1.5), [t(1, 3, 4, 4)]),
    "Dropout": (lambda: nn.Dropout(0.1), [t(1, 4, 6)]),
    "Dropout1d": (lambda: nn.Dropout1d(0.1), [t(1, 4, 6)]),
    "Dropout2d": (lambda: nn.Dropout2d(0.1), [t(1, 4, 5, 5)]),
    "Dropout3d": (lambda: nn.Dropout3d(0.1), [t(1, 4, 3, 3, 3)]),
    "AlphaDropout": (lambda: nn.AlphaDropout(0.1), [t(1, 4, 6)]),
    "FeatureAlphaDropout": (lambda: nn.FeatureAlphaDropout(0.1), [t(1, 4, 5, 5)]),
    "Flatten": (lambda: nn.Flatten(), [t(1, 4, 5, 5)]),
    "Unflatten": (lambda: nn.Unflatten(1, (2, 2)), [t(1, 4, 5)]),
    "Identity": (lambda: nn.Identity(), [t(1, 4, 5)]),
    "Embedding": (lambda: nn.Embedding(10, 4), [t(1, 5, dtype=torch.int64)]),
    "EmbeddingBag": (lambda: nn.EmbeddingBag(10, 4), [t(1, 5, dtype=torch.int64)]),
    "MultiheadAttention": (lambda: nn.MultiheadAttention(16, 4, batch_first=True),
                           [t(1, 5, 16), t(1, 7, 16), t(1, 7, 16)]),
    "RNN": (lambda: nn.RNN(8, 6, 2, batch_first=True), [t(1, 5, 8)]),
    "LSTM": (lambda: nn.LSTM(8, 6, 2, bidirectional=True), [t(5, 1, 8)]),
    "GRU": (lambda: nn.GRU(8, 6), [t(5, 1, 8)]),
    "RNNCell": (lambda: nn.RNNCell(8, 6), [t(1, 8)]),
    "LSTMCell": (lambda: nn.LSTMCell(8, 6), [t(1, 8)]),
    "GRUCell": (lambda: nn.GRUCell(8, 6), [t(1, 8)]),
    "TransformerEncoderLayer": (lambda: nn.TransformerEncoderLayer(16, 4, 32, batch_first=True),
                                [t(1, 5, 16)]),
    "TransformerDecoderLayer": (lambda: nn.TransformerDecoderLayer(16, 4, 32),
                                [t(5, 1, 16), t(7, 1, 16)]),
    "TransformerEncoder": (lambda: nn.TransformerEncoder(
        nn.TransformerEncoderLayer(16, 4, 32, batch_first=True), 2, enable_nested_tensor=False),
        [t(1, 5, 16)]),
    "TransformerDecoder": (lambda: nn.TransformerDecoder(
        nn.TransformerDecoderLayer(16, 4, 32, batch_first=True), 2),
        [t(1, 5, 16), t(1, 7, 16)]),
    "Transformer": (lambda: nn.Transformer(16, 4, 1, 2, 32, batch_first=True),
                    [t(1, 7, 16), t(1, 5, 16)]),
}

LAZY = {"LazyConv1d", "LazyConv2d", "LazyConv3d", "LazyConvTranspose1d", "LazyConvTranspose2d",
        "LazyConvTranspose3d", "LazyBatchNorm1d", "LazyBatchNorm2d", "LazyBatchNorm3d",
        "LazyInstanceNorm1d", "LazyInstanceNorm2d", "LazyInstanceNorm3d", "LazyLinear"}
"""Lazy layers become their plain class at their first call: that class's sample covers them."""


def _args(*makers: Any, **named: Any) -> Args:
    def build(device: str) -> tuple[tuple[Any, ...], dict[str, Any]]:
        def made(value: Any) -> Any:
            if callable(value):
                return value(device)
            if isinstance(value, list):
                return [made(v) for v in value]
            return value

        return tuple(made(m) for m in makers), {k: made(v) for k, v in named.items()}

    return build


_FUNCTIONS = ["relu", "relu6", "leaky_relu", "elu", "selu", "celu", "gelu", "silu", "mish",
              "hardswish", "hardsigmoid", "hardtanh", "softplus", "softsign", "tanhshrink",
              "logsigmoid", "rrelu", "glu"]
_bf16 = torch.bfloat16

CALLS: dict[str, tuple[Callable[..., Any], Args]] = {
    **{name: (getattr(F, name), _args(t(1, 4, 6))) for name in _FUNCTIONS},
    "relu_": (torch.relu_, _args(t(1, 4, 6))),
    "log_sigmoid": (torch._C._nn.log_sigmoid, _args(t(1, 4, 6))),
    "sigmoid": (torch.sigmoid, _args(t(1, 4, 6))),
    "tanh": (torch.tanh, _args(t(1, 4, 6))),
    "threshold": (torch.threshold, _args(t(1, 4, 6), 0.1, 0.0)),
    "_threshold": (F.threshold, _args(t(1, 4, 6), 0.1, 0.0)),
    "prelu": (F.prelu, _args(t(1, 4, 6), t(4))),
    "softmax": (F.softmax, _args(t(1, 4, 6), dim=-1)),
    "log_softmax": (F.log_softmax, _args(t(1, 4, 6), 1)),
    "conv1d": (F.conv1d, _args(t(1, 3, 9), t(4, 3, 3), None, 2, 1)),
    "conv2d": (F.conv2d, _args(t(1, 4, 9, 9), t(6, 2, 3, 3), t(6), groups=2)),
    "conv3d": (F.conv3d, _args(t(1, 3, 5, 5, 5), t(4, 3, 3, 3, 3), padding="same")),
    "conv_transpose1d": (F.conv_transpose1d, _args(t(1, 3, 7), t(3, 4, 3), stride=2)),
    "conv_transpose2d": (F.conv_transpose2d, _args(t(1, 4, 5, 5), t(4, 3, 2, 2), None, 2, 0, 0,
                                                   2)),
    "conv_transpose3d": (F.conv_transpose3d, _args(t(1, 3, 4, 4, 4), t(3, 4, 3, 3, 3),
                                                   padding=1)),
    "convolution": (torch.convolution, _args(t(1, 3, 8, 8), t(4, 3, 3, 3), None, [1, 1],
                                             [1, 1], [1, 1], False, [0, 0], 1)),
    "batch_norm": (F.batch_norm, _args(t(1, 4, 5, 5), t(4), t(4), t(4), t(4))),
    "instance_norm": (F.instance_norm, _args(t(1, 4, 5, 5))),
    "group_norm": (F.group_norm, _args(t(1, 4, 5, 5), 2, t(4))),
    "layer_norm": (F.layer_norm, _args(t(1, 5, 8), (8,))),
    "rms_norm": (F.rms_norm, _args(t(1, 5, 8), [5, 8], t(5, 8))),
    "local_response_norm": (F.local_response_norm, _args(t(1, 4, 5, 5), 2)),
    **{f"avg_pool{n}d": (getattr(F, f"avg_pool{n}d"), _args(t(1, 3, *(5,) * n), 2, 1))
       for n in (1, 2, 3)},
    **{f"max_pool{n}d": (getattr(F, f"max_pool{n}d"), _args(t(1, 3, *(6,) * n), 3, 2, 1))
       for n in (1, 2, 3)},
    **{f"adaptive_avg_pool{n}d": (getattr(F, f"adaptive_avg_pool{n}d"),
                                  _args(t(1, 3, *(5,) * n), 2)) for n in (1, 2, 3)},
    **{f"adaptive_max_pool{n}d": (getattr(F, f"adaptive_max_pool{n}d"),
                                  _args(t(1, 3, *(5,) * n), 3)) for n in (1, 2, 3)},
    **{f"lp_pool{n}d": (getattr(F, f"lp_pool{n}d"), _args(t(1, 3, *(4,) * n), 2, 2))
       for n in (1, 2, 3)},
    "linear": (F.linear, _args(t(1, 5, 8), t(4, 8), t(4))),
    "bilinear": (F.bilinear, _args(t(1, 4), t(1, 5), t(6, 4, 5))),
    "interpolate": (F.interpolate, _args(t(1, 3, 4, 4), scale_factor=2, mode="bilinear")),
    "dropout": (F.dropout, _args(t(1, 4, 6), 0.2, False)),
    "dropout1d": (F.dropout1d, _args(t(1, 4, 6), 0.2, False)),
    "dropout2d": (F.dropout2d, _args(t(1, 4, 5, 5), 0.2, False)),
    "dropout3d": (F.dropout3d, _args(t(1, 4, 3, 3, 3), 0.2, False)),
    "alpha_dropout": (F.alpha_dropout, _args(t(1, 4, 6), 0.2)),
    "feature_alpha_dropout": (F.feature_alpha_dropout, _args(t(1, 4, 5, 5), 0.2)),
    "flatten": (torch.flatten, _args(t(1, 4, 5, 5), 1, 2)),
    "unflatten": (torch.unflatten, _args(t(1, 4, 5), 1, (2, 2))),
    "embedding": (F.embedding, _args(t(1, 5, dtype=torch.int64), t(10, 4))),
    "embedding_bag": (F.embedding_bag, _args(t(1, 5, dtype=torch.int64), t(10, 4))),
    "add": (operator.add, _args(t(1, 4, 6), t(4, 1))),
    "sub": (torch.sub, _args(t(1, 4, 6), 2.0)),
    "mul": (operator.mul, _args(t(1, 4, 6), t(1, 1, 6))),
    "div": (torch.div, _args(t(1, 4, 6), t(6), rounding_mode=None)),
    "floor_divide": (torch.floor_divide, _args(t(1, 4, 6), 2)),
    **{name: (getattr(torch, name), _args(t(1, 4, 6))) for name in
       ("clone", "neg", "abs", "exp", "sqrt")},
    "contiguous": (torch.Tensor.contiguous, _args(t(1, 4, 6))),
    "cat": (torch.cat, _args([t(1, 4, 6), t(1, 2, 6)], 1)),
    "stack": (torch.stack, _args([t(1, 4, 6), t(1, 4, 6)], dim=-1)),
    **{name: (getattr(torch, name), _args(t(1, 4, 6), (1, 2), True)) for name in
       ("mean", "sum", "amax", "amin")},
    "matmul": (torch.matmul, _args(t(1, 2, 5, 8), t(8, 3))),
    "mm": (torch.mm, _args(t(5, 8), t(8, 3))),
    "bmm": (torch.bmm, _args(t(2, 5, 8), t(2, 8, 3))),
    "addmm": (torch.addmm, _args(t(3), t(5, 8), t(8, 3))),
    "baddbmm": (torch.baddbmm, _args(t(2, 5, 3), t(2, 5, 8), t(2, 8, 3))),
    "addbmm": (torch.addbmm, _args(t(5, 3), t(2, 5, 8), t(2, 8, 3))),
    "mv": (torch.mv, _args(t(5, 8), t(8))),
    "dot": (torch.dot, _args(t(8), t(8))),
    "vdot": (torch.vdot, _args(t(8), t(8))),
    "inner": (torch.inner, _args(t(2, 5, 8), t(3, 8))),
    "addmv": (torch.addmv, _args(t(5), t(5, 8), t(8))),
    "einsum": (torch.einsum, _args("bqd,bkd->bqk", t(2, 5, 8), t(2, 7, 8))),
    "_grouped_mm": (torch._grouped_mm, _args(t(64, 32, dtype=_bf16), t(4, 32, 48, dtype=_bf16),
                                             offs=lambda d: torch.tensor(
                                                 [16, 32, 48, 64], dtype=torch.int32,
                                                 device=d))),
    "scaled_dot_product_attention": (F.scaled_dot_product_attention,
                                     _args(t(1, 4, 5, 8), t(1, 4, 7, 8), t(1, 4, 7, 6))),
}
