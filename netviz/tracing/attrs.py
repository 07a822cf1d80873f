"""Hyper-parameters of layers and functional calls, as plain Python values.

Values are ints, floats, strings, bools, ``None`` or tuples of those: never
torch objects, so the IR stays free of torch. Pools keep exactly what the
module stores (``AvgPool2d(8, stride=1)`` → ``kernel_size=8, stride=1,
padding=0``); convs keep their tuples.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import Enum
from typing import Any

import torch
from torch import nn

from netviz.ir import Attr

_MISSING = object()
_SCALARS = frozenset({bool, int, float, str})
"""Exact types that are plain values as they are (subclasses such as enums go the long way)."""


def plain(value: Any) -> Any:
    """``value`` as a plain Python value, or ``_MISSING`` if it has no plain form."""
    kind = type(value)
    if value is None or kind in _SCALARS:
        return value
    if kind is tuple and all(type(v) in _SCALARS for v in value):
        return value  # the common case (conv sizes): already plain
    if isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, torch.Size):
        return tuple(int(v) for v in value)
    if isinstance(value, (torch.dtype, torch.device)):
        return str(value)
    if isinstance(value, (tuple, list)):
        items = tuple(plain(v) for v in value)
        return _MISSING if any(v is _MISSING for v in items) else items
    return _MISSING


def operand_name(path: str) -> str:
    """Readable name of a parameter or constant operand (``"blocks.0.ls.gamma"`` → ``"gamma"``)."""
    name = path.rpartition(".")[2]
    return "const" if name.startswith("_tensor_constant") else name


def _shape_of(tensor: Any) -> tuple[int, ...] | None:
    try:
        return tuple(int(s) for s in tensor.shape)
    except (AttributeError, RuntimeError, ValueError, TypeError):
        return None  # absent, or a lazy (uninitialized) parameter


def _pack(pairs: Mapping[str, Any]) -> tuple[Attr, ...]:
    out = []
    for name, value in pairs.items():
        value = plain(value)
        if value is not _MISSING:
            out.append((name, value))
    return tuple(sorted(out, key=lambda kv: kv[0]))


def module_attrs(module: nn.Module) -> tuple[Attr, ...]:
    """Sorted ``(name, value)`` attributes of a layer (empty for unknown layers)."""
    return _pack(_module_pairs(module))


def _module_pairs(m: nn.Module) -> dict[str, Any]:
    if isinstance(m, nn.modules.conv._ConvNd):
        pairs = {
            "kernel_size": m.kernel_size, "stride": m.stride, "padding": m.padding,
            "dilation": m.dilation, "groups": m.groups, "in_channels": m.in_channels,
            "out_channels": m.out_channels, "weight_shape": _shape_of(m.weight),
            "bias": m.bias is not None, "transposed": m.transposed,
            "padding_mode": m.padding_mode,
        }
        if m.transposed:
            pairs["output_padding"] = m.output_padding
        return pairs
    if isinstance(m, nn.modules.batchnorm._NormBase):  # BatchNorm*, InstanceNorm*
        return {"num_features": m.num_features, "affine": m.affine}
    if isinstance(m, nn.GroupNorm):
        return {"num_groups": m.num_groups, "num_features": m.num_channels, "affine": m.affine}
    if isinstance(m, nn.LayerNorm):
        return {"normalized_shape": m.normalized_shape, "affine": m.elementwise_affine}
    if isinstance(m, nn.PReLU):
        return {"num_parameters": m.num_parameters}
    if isinstance(m, nn.LeakyReLU):
        return {"negative_slope": m.negative_slope}
    if isinstance(m, nn.modules.pooling._AvgPoolNd):
        return {"kernel_size": m.kernel_size, "stride": m.stride, "padding": m.padding,
                "ceil_mode": m.ceil_mode}
    if isinstance(m, nn.modules.pooling._MaxPoolNd):
        return {"kernel_size": m.kernel_size, "stride": m.stride, "padding": m.padding,
                "dilation": m.dilation, "ceil_mode": m.ceil_mode}
    if isinstance(m, (nn.modules.pooling._AdaptiveAvgPoolNd,
                      nn.modules.pooling._AdaptiveMaxPoolNd)):
        return {"output_size": m.output_size}
    if isinstance(m, nn.Linear):
        return {"in_features": m.in_features, "out_features": m.out_features,
                "weight_shape": _shape_of(m.weight), "bias": m.bias is not None}
    if isinstance(m, nn.Upsample):
        return {"size": m.size, "scale_factor": m.scale_factor, "mode": m.mode}
    if isinstance(m, nn.modules.dropout._DropoutNd):
        return {"p": m.p}
    if isinstance(m, nn.Flatten):
        return {"start_dim": m.start_dim, "end_dim": m.end_dim}
    if isinstance(m, nn.Embedding):
        return {"num_embeddings": m.num_embeddings, "embedding_dim": m.embedding_dim}
    if isinstance(m, nn.MultiheadAttention):
        return {"embed_dim": m.embed_dim, "num_heads": m.num_heads, "kdim": m.kdim,
                "vdim": m.vdim, "batch_first": m.batch_first}
    if isinstance(m, nn.modules.rnn.RNNBase):
        return {"mode": m.mode, "input_size": m.input_size, "hidden_size": m.hidden_size,
                "num_layers": m.num_layers, "bidirectional": m.bidirectional,
                "batch_first": m.batch_first, "proj_size": getattr(m, "proj_size", 0)}
    if isinstance(m, nn.modules.rnn.RNNCellBase):
        mode = {nn.LSTMCell: "LSTM", nn.GRUCell: "GRU"}.get(type(m), "RNN")
        return {"mode": mode, "input_size": m.input_size, "hidden_size": m.hidden_size}
    return _transformer_pairs(m)


def _transformer_pairs(m: nn.Module) -> dict[str, Any]:
    """``nn.Transformer`` and its encoder/decoder (layers): widths, heads, depth."""
    layers: Any
    if isinstance(m, (nn.TransformerEncoderLayer, nn.TransformerDecoderLayer)):
        role = "encoder" if isinstance(m, nn.TransformerEncoderLayer) else "decoder"
        return {"role": role, "num_layers": 1, **_layer_pairs(m)}
    if isinstance(m, (nn.TransformerEncoder, nn.TransformerDecoder)) and len(m.layers):
        layers = m.layers
        role = "encoder" if isinstance(m, nn.TransformerEncoder) else "decoder"
        return {"role": role, "num_layers": len(layers), **_layer_pairs(layers[0])}
    if isinstance(m, nn.Transformer) and len(m.encoder.layers) and len(m.decoder.layers):
        return {"role": "transformer", "num_encoder_layers": len(m.encoder.layers),
                "num_decoder_layers": len(m.decoder.layers),
                **_layer_pairs(m.encoder.layers[0])}
    return {}


def _layer_pairs(layer: nn.Module) -> dict[str, Any]:
    attention: Any = layer.self_attn
    linear: Any = layer.linear1
    return {"d_model": attention.embed_dim, "nhead": attention.num_heads,
            "dim_feedforward": linear.out_features,
            "batch_first": attention.batch_first, "norm_first": layer.norm_first}


# Parameter names (after the input) and defaults of the functional ops whose
# attributes matter; torch's builtins have no inspectable signature.
_POOL = ("kernel_size", "stride", "padding", "ceil_mode")
_SIGNATURES: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    **dict.fromkeys(
        ["avg_pool1d", "avg_pool2d", "avg_pool3d"],
        (("input", "kernel_size", "stride", "padding", "ceil_mode"),
         {"stride": None, "padding": 0, "ceil_mode": False}),
    ),
    **dict.fromkeys(
        ["max_pool1d", "max_pool2d", "max_pool3d"],
        (("input", "kernel_size", "stride", "padding", "dilation", "ceil_mode"),
         {"stride": None, "padding": 0, "dilation": 1, "ceil_mode": False}),
    ),
    **dict.fromkeys(
        ["adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
         "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d"],
        (("input", "output_size"), {}),
    ),
    "interpolate": (("input", "size", "scale_factor", "mode"),
                    {"size": None, "scale_factor": None, "mode": "nearest"}),
    "cat": (("tensors", "dim"), {"dim": 0}),
    "stack": (("tensors", "dim"), {"dim": 0}),
    "flatten": (("input", "start_dim", "end_dim"), {"start_dim": 0, "end_dim": -1}),
    **dict.fromkeys(
        ["conv1d", "conv2d", "conv3d"],
        (("input", "weight", "bias", "stride", "padding", "dilation", "groups"),
         {"bias": None, "stride": 1, "padding": 0, "dilation": 1, "groups": 1}),
    ),
    **dict.fromkeys(
        ["conv_transpose1d", "conv_transpose2d", "conv_transpose3d"],
        (("input", "weight", "bias", "stride", "padding", "output_padding", "groups",
          "dilation"),
         {"bias": None, "stride": 1, "padding": 0, "output_padding": 0, "groups": 1,
          "dilation": 1}),
    ),
    "linear": (("input", "weight", "bias"), {"bias": None}),
    "dropout": (("input", "p"), {"p": 0.5}),
    "leaky_relu": (("input", "negative_slope"), {"negative_slope": 0.01}),
    "group_norm": (("input", "num_groups", "weight"), {"weight": None}),
    "layer_norm": (("input", "normalized_shape", "weight"), {"weight": None}),
    "batch_norm": (("input", "running_mean", "running_var", "weight"), {"weight": None}),
    "instance_norm": (("input", "running_mean", "running_var", "weight"),
                      {"running_mean": None, "running_var": None, "weight": None}),
}


def _bind(name: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> dict[str, Any] | None:
    spec = _SIGNATURES.get(name)
    if spec is None:
        return None
    names, defaults = spec
    bound = dict(defaults)
    bound.update(zip(names, args))
    bound.update((k, v) for k, v in kwargs.items() if k in names)
    return bound if all(n in bound for n in names) else None


def call_attrs(name: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> tuple[Attr, ...]:
    """Attributes of a functional call ``name(*args, **kwargs)`` on concrete values.

    ``name`` is the canonical name (``"avg_pool2d"``); for methods ``args[0]``
    is the tensor itself. Unknown names give no attributes.
    """
    special = _layout_pairs(name, args, kwargs)
    if special is not None:
        return _pack(special)
    b = _bind(name, args, kwargs)
    if b is None:
        return ()
    if name.startswith(("avg_pool", "max_pool")):
        pairs = {k: b[k] for k in _POOL}
        if pairs["stride"] in (None, [], ()):
            pairs["stride"] = pairs["kernel_size"]  # torch's default
        if "dilation" in b:
            pairs["dilation"] = b["dilation"]
        return _pack(pairs)
    if name.startswith("adaptive_"):
        return _pack({"output_size": b["output_size"]})
    if name == "interpolate":
        return _pack({k: b[k] for k in ("size", "scale_factor", "mode")})
    if name in ("cat", "stack"):
        return _pack({"dim": b["dim"]})
    if name == "flatten":
        return _pack({"start_dim": b["start_dim"], "end_dim": b["end_dim"]})
    if name.startswith("conv"):
        return _pack(_conv_pairs(name, b))
    if name == "linear":
        shape = _shape_of(b["weight"])
        pairs = {"weight_shape": shape, "bias": b["bias"] is not None}
        if shape and len(shape) == 2:
            pairs.update(out_features=shape[0], in_features=shape[1])
        return _pack(pairs)
    if name in ("dropout", "leaky_relu"):
        return _pack({k: v for k, v in b.items() if k != "input"})
    if name == "group_norm":
        return _pack({"num_groups": b["num_groups"], "affine": b["weight"] is not None})
    if name == "layer_norm":
        return _pack({"normalized_shape": b["normalized_shape"],
                      "affine": b["weight"] is not None})
    if name in ("batch_norm", "instance_norm"):
        pairs = {"affine": b["weight"] is not None}
        stats = b["weight"] if b["weight"] is not None else b["running_mean"]
        shape = _shape_of(stats) if stats is not None else None
        if shape:
            pairs["num_features"] = shape[0]
        return _pack(pairs)
    return ()


def _layout_pairs(
    name: str, args: Sequence[Any], kwargs: Mapping[str, Any]
) -> dict[str, Any] | None:
    """Dimension arguments of ``permute``/``transpose`` and the equation of ``einsum``."""
    if name == "permute":
        dims = args[1:] if len(args) > 2 else (args[1] if len(args) == 2 else kwargs.get("dims"))
        return {"dims": tuple(dims)} if isinstance(dims, (tuple, list)) else {}
    if name in ("transpose", "swapaxes"):
        dims = list(args[1:3]) + [kwargs[k] for k in ("dim0", "dim1") if k in kwargs]
        return {"dims": tuple(dims)} if len(dims) == 2 else {}
    if name == "einsum" and args and isinstance(args[0], str):
        return {"equation": args[0]}
    if name in ("add", "sub", "mul", "div"):
        numbers = [a for a in args
                   if isinstance(a, (int, float)) and not isinstance(a, bool)]
        return {"scalar": numbers[0]} if len(numbers) == 1 and len(args) == 2 else {}
    return None


def _conv_pairs(name: str, b: dict[str, Any]) -> dict[str, Any]:
    shape = _shape_of(b["weight"]) or ()
    transposed = "transpose" in name
    pairs: dict[str, Any] = {
        "stride": b["stride"], "padding": b["padding"], "dilation": b["dilation"],
        "groups": b["groups"], "weight_shape": shape, "bias": b["bias"] is not None,
        "transposed": transposed,
    }
    if len(shape) >= 3 and isinstance(b["groups"], int):
        pairs["kernel_size"] = shape[2:]
        if transposed:
            pairs.update(in_channels=shape[0], out_channels=shape[1] * b["groups"],
                         output_padding=b["output_padding"])
        else:
            pairs.update(out_channels=shape[0], in_channels=shape[1] * b["groups"])
    return pairs
