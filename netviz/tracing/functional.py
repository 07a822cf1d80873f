"""Closed forms of common functional ops (``x + y``, ``F.relu``, ``torch.cat``, ...).

On meta tensors the first op without a C++ meta kernel triggers about a
second of lazy imports, and each later one costs ~0.3 ms of Python; models
written with ``F.relu`` and ``out + x`` would pay that on every trace. These
rules answer the common cases from shapes alone and leave anything unusual
(mixed dtypes or devices, ``out=``, ``dtype=``, index-returning variants) to
torch by answering ``NOT_HANDLED``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeGuard

import torch

from netviz.tracing.shapes import (
    LayerShapeError,
    adaptive_output,
    broadcast_shape,
    cat_output,
    conv_output,
    fmt,
    interpolate_output,
    pool_output,
    reduce_output,
)

NOT_HANDLED = object()
"""Answer of ``closed_form`` when torch must run the op."""


def blank(
    shape: Sequence[int], like: torch.Tensor, dtype: torch.dtype | None = None
) -> torch.Tensor:
    """A tensor standing for an op's output: free on meta, zeros elsewhere.

    It has ``like``'s device and ``dtype`` (default: ``like``'s). Zeros (not
    ``torch.empty``) on real devices keep any later data-dependent op
    (``nonzero``) deterministic.
    """
    kind = dtype or like.dtype
    if like.device.type == "meta":
        return torch.empty(tuple(shape), dtype=kind, device=like.device)
    return torch.zeros(tuple(shape), dtype=kind, device=like.device)


def _bind(
    names: tuple[str, ...], defaults: Mapping[str, Any], args: Sequence[Any],
    kwargs: Mapping[str, Any],
) -> dict[str, Any] | None:
    """Bind a call to ``names``; ``None`` for surplus or unknown arguments."""
    if len(args) > len(names) or any(k not in names for k in kwargs):
        return None
    bound = dict(defaults)
    bound.update(zip(names, args))
    bound.update(kwargs)
    return bound if all(n in bound for n in names) else None


def _float(x: Any) -> TypeGuard[torch.Tensor]:
    return isinstance(x, torch.Tensor) and x.is_floating_point()


def _same_kind(x: torch.Tensor, *others: Any) -> bool:
    return all(isinstance(o, torch.Tensor) and o.dtype == x.dtype and o.device == x.device
               for o in others)


_INPLACE = {"iadd", "isub", "imul", "itruediv", "__iadd__", "__isub__", "__imul__",
            "__itruediv__", "add_", "sub_", "mul_", "div_"}


def _arithmetic(raw: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
    if len(args) != 2 or set(kwargs) - {"alpha"}:
        return NOT_HANDLED
    a, b = args
    if not _float(a):
        return NOT_HANDLED
    if isinstance(b, torch.Tensor):
        if not _same_kind(a, b):
            return NOT_HANDLED
        shape = broadcast_shape(tuple(a.shape), tuple(b.shape))
    elif isinstance(b, (int, float)) and not isinstance(b, bool):
        shape = tuple(a.shape)
    else:
        return NOT_HANDLED
    if raw in _INPLACE:
        if shape != tuple(a.shape):
            raise RuntimeError(f"output with shape {list(a.shape)} doesn't match the broadcast "
                               f"shape {list(shape)}")
        return a
    return blank(shape, a)


_UNARY = {
    "relu", "relu6", "leaky_relu", "elu", "selu", "celu", "gelu", "silu", "mish", "sigmoid",
    "tanh", "hardswish", "hardsigmoid", "hardtanh", "softplus", "softsign", "logsigmoid",
    "tanhshrink", "contiguous", "clone", "neg", "abs", "exp", "sqrt",
}
_DROPOUT = {"dropout", "alpha_dropout", "feature_alpha_dropout", "dropout2d", "dropout3d"}


def _unary(name: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
    x = args[0] if args else None
    if not _float(x) or {"out", "dtype", "memory_format"} & set(kwargs):
        return NOT_HANDLED
    if any(isinstance(v, torch.Tensor) for v in (*args[1:], *kwargs.values())):
        return NOT_HANDLED
    if name in _DROPOUT:
        p = args[1] if len(args) > 1 else kwargs.get("p", 0.5)
        if not isinstance(p, (int, float)) or not 0 <= p <= 1:
            return NOT_HANDLED  # torch explains the bad probability itself
    if name in ("softmax", "log_softmax"):
        dim = args[1] if len(args) > 1 else kwargs.get("dim")
        if not isinstance(dim, int) or len(args) > 2:
            return NOT_HANDLED
        reduce_output(tuple(x.shape), dim, True)  # validates dim
    return blank(tuple(x.shape), x)


def _cat(name: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
    b = _bind(("tensors", "dim"), {"dim": 0}, args, kwargs)
    if b is None or not isinstance(b["tensors"], (list, tuple)) or not b["tensors"]:
        return NOT_HANDLED
    tensors, dim = list(b["tensors"]), b["dim"]
    first = tensors[0]
    if not _float(first) or not _same_kind(first, *tensors) or not isinstance(dim, int):
        return NOT_HANDLED
    if any(t.numel() == 0 for t in tensors):
        return NOT_HANDLED  # torch's legacy rules for empty tensors
    shapes = [tuple(t.shape) for t in tensors]
    return blank(cat_output(shapes, dim, stack=name == "stack"), first)


def _reduce(name: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
    b = _bind(("input", "dim", "keepdim"), {"dim": None, "keepdim": False}, args, kwargs)
    if b is None or not _float(b["input"]) or not isinstance(b["keepdim"], bool):
        return NOT_HANDLED
    dims = b["dim"]
    if not (dims is None or isinstance(dims, int)
            or (isinstance(dims, (tuple, list)) and all(isinstance(d, int) for d in dims))):
        return NOT_HANDLED
    x = b["input"]
    return blank(reduce_output(tuple(x.shape), dims, b["keepdim"]), x)


_AVG = (("input", "kernel_size", "stride", "padding", "ceil_mode", "count_include_pad",
         "divisor_override"),
        {"stride": None, "padding": 0, "ceil_mode": False, "count_include_pad": True,
         "divisor_override": None})
_MAX = (("input", "kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices"),
        {"stride": None, "padding": 0, "dilation": 1, "ceil_mode": False,
         "return_indices": False})


def _pool(name: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
    n = int(name[-2])
    if name.startswith("adaptive_"):
        b = _bind(("input", "output_size", "return_indices"), {"return_indices": False},
                  args, kwargs)
        if b is None or b["return_indices"] or not _float(b["input"]):
            return NOT_HANDLED
        shape = adaptive_output(tuple(b["input"].shape), n=n, output_size=b["output_size"])
        return NOT_HANDLED if shape is None else blank(shape, b["input"])
    b = _bind(*(_AVG if name.startswith("avg") else _MAX), args, kwargs)
    if b is None or b.get("return_indices") or not _float(b["input"]):
        return NOT_HANDLED
    shape = pool_output(tuple(b["input"].shape), n=n, kernel_size=b["kernel_size"],
                        stride=b["stride"], padding=b["padding"],
                        dilation=b.get("dilation", 1), ceil_mode=b["ceil_mode"])
    return blank(shape, b["input"])


def _interpolate(name: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
    b = _bind(("input", "size", "scale_factor", "mode", "align_corners",
               "recompute_scale_factor", "antialias"),
              {"size": None, "scale_factor": None, "mode": "nearest", "align_corners": None,
               "recompute_scale_factor": None, "antialias": False}, args, kwargs)
    if b is None or not _float(b["input"]) or not isinstance(b["mode"], str):
        return NOT_HANDLED
    shape = interpolate_output(tuple(b["input"].shape), size=b["size"],
                               scale_factor=b["scale_factor"], mode=b["mode"])
    return NOT_HANDLED if shape is None else blank(shape, b["input"])


def _conv(name: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
    b = _bind(("input", "weight", "bias", "stride", "padding", "dilation", "groups"),
              {"bias": None, "stride": 1, "padding": 0, "dilation": 1, "groups": 1},
              args, kwargs)
    if b is None or not _float(b["input"]) or not _same_kind(b["input"], b["weight"]):
        return NOT_HANDLED
    x, w, groups = b["input"], b["weight"], b["groups"]
    n = w.dim() - 2
    if not isinstance(groups, int) or n != int(name[-2]):
        return NOT_HANDLED
    strides = b["stride"] if isinstance(b["stride"], (tuple, list)) else (b["stride"],)
    if isinstance(b["padding"], str) and (b["padding"] not in ("same", "valid")
                                          or any(s != 1 for s in strides)):
        return NOT_HANDLED  # torch words these errors itself
    shape = conv_output(tuple(x.shape), in_channels=w.shape[1] * groups,
                        out_channels=w.shape[0], kernel=tuple(w.shape[2:]),
                        stride=b["stride"], padding=b["padding"], dilation=b["dilation"])
    return blank(shape, x)


def _linear(name: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
    b = _bind(("input", "weight", "bias"), {"bias": None}, args, kwargs)
    if b is None or not _float(b["input"]) or not _same_kind(b["input"], b["weight"]):
        return NOT_HANDLED
    x, w = b["input"], b["weight"]
    if w.dim() != 2 or x.dim() < 1:
        return NOT_HANDLED
    if x.shape[-1] != w.shape[1]:
        raise LayerShapeError(f"expects {w.shape[1]} input features, got {x.shape[-1]}")
    return blank((*x.shape[:-1], w.shape[0]), x)


def _norm(name: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
    x = args[0] if args else kwargs.get("input")
    if not _float(x) or x.dim() < 2:
        return NOT_HANDLED
    shape = tuple(x.shape)
    if name == "batch_norm":
        b = _bind(("input", "running_mean", "running_var", "weight", "bias", "training",
                   "momentum", "eps"),
                  {"weight": None, "bias": None, "training": False, "momentum": 0.1,
                   "eps": 1e-5}, args, kwargs)
        if b is None:
            return NOT_HANDLED
        for key in ("running_mean", "running_var", "weight", "bias"):
            stat = b[key]
            if isinstance(stat, torch.Tensor) and stat.numel() != shape[1]:
                raise LayerShapeError(f"expects {stat.numel()} input channels, got {shape[1]}")
    elif name == "layer_norm":
        b = _bind(("input", "normalized_shape", "weight", "bias", "eps"),
                  {"weight": None, "bias": None, "eps": 1e-5}, args, kwargs)
        if b is None or not isinstance(b["normalized_shape"], (list, tuple, int)):
            return NOT_HANDLED
        want = tuple(b["normalized_shape"]) if not isinstance(b["normalized_shape"], int) \
            else (b["normalized_shape"],)
        if shape[len(shape) - len(want):] != want:
            raise LayerShapeError(f"expects trailing dimensions {fmt(want)}, "
                                  f"got {fmt(shape[1:])}")
    else:
        return NOT_HANDLED
    return blank(shape, x)


_RULES: dict[str, Callable[[str, Sequence[Any], Mapping[str, Any]], Any]] = {
    **dict.fromkeys(_UNARY | _DROPOUT | {"softmax", "log_softmax"}, _unary),
    **dict.fromkeys(["cat", "stack"], _cat),
    **dict.fromkeys(["mean", "sum", "amax", "amin"], _reduce),
    **dict.fromkeys(
        [f"{kind}_pool{n}d" for kind in ("avg", "max", "adaptive_avg", "adaptive_max")
         for n in (1, 2, 3)],
        _pool,
    ),
    "interpolate": _interpolate,
    **dict.fromkeys(["conv1d", "conv2d", "conv3d"], _conv),
    "linear": _linear,
    **dict.fromkeys(["batch_norm", "layer_norm"], _norm),
}


def closed_form(raw: str, name: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
    """Result of ``name(*args, **kwargs)`` from shapes alone, or ``NOT_HANDLED``.

    Args:
        raw: The function's or method's own name (``"iadd"``, ``"add_"``): tells in-place.
        name: Its canonical name (``"add"``).
        args: Concrete positional arguments (the tensor itself first, for methods).
        kwargs: Concrete keyword arguments.

    Raises:
        LayerShapeError: The inputs do not fit the op.
        RuntimeError: Shapes do not broadcast or concatenate (torch's wording).
    """
    if name in ("add", "sub", "mul", "div"):
        return _arithmetic(raw, args, kwargs)
    rule = _RULES.get(name)
    return NOT_HANDLED if rule is None else rule(name, args, kwargs)
