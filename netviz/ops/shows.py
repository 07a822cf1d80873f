"""What a call shows: its attributes, derived from its bound arguments.

A functional call carries its settings as arguments (``F.conv2d(x, w, stride=2)``);
these functions turn the bound arguments (tensors as
[`TensorArg`][netviz.ops.record.TensorArg]s) into the attributes a layer of the same
op would show (a conv call's ``kernel_size`` and channels come from its weight's
shape), so that labels, MAC rules and shape rules read one vocabulary. They also
give the labels of the layers whose box says more than their kind's generic label.
"""

from __future__ import annotations

from typing import Any

from netviz.ops.record import Attrs, TensorArg


def _shape(value: Any) -> tuple[int, ...] | None:
    return value.shape if isinstance(value, TensorArg) else None


def conv(bound: Attrs) -> dict[str, Any]:
    """A convolution call (``F.conv2d``, ``F.conv_transpose2d``, aten ``convolution``)."""
    shape = _shape(bound.get("weight")) or ()
    transposed = bool(bound.get("transposed"))
    groups = bound.get("groups")
    pairs: dict[str, Any] = {
        "stride": bound.get("stride"), "padding": bound.get("padding"),
        "dilation": bound.get("dilation"), "groups": groups, "weight_shape": shape,
        "bias": bound.get("bias") is not None, "transposed": transposed,
    }
    if len(shape) >= 3 and isinstance(groups, int):
        pairs["kernel_size"] = shape[2:]
        if transposed:
            pairs.update(in_channels=shape[0], out_channels=shape[1] * groups,
                         output_padding=bound.get("output_padding"))
        else:
            pairs.update(out_channels=shape[0], in_channels=shape[1] * groups)
    return pairs


def linear(bound: Attrs) -> dict[str, Any]:
    """``F.linear``: the weight's shape, hence the features."""
    shape = _shape(bound.get("weight"))
    pairs: dict[str, Any] = {"weight_shape": shape, "bias": bound.get("bias") is not None}
    if shape and len(shape) == 2:
        pairs.update(out_features=shape[0], in_features=shape[1])
    return pairs


def pool(bound: Attrs) -> dict[str, Any]:
    """Average and max pool calls: a missing stride is the kernel (torch's default)."""
    pairs = {k: bound.get(k) for k in ("kernel_size", "stride", "padding", "ceil_mode")}
    if pairs["stride"] in (None, [], ()):
        pairs["stride"] = pairs["kernel_size"]
    if "dilation" in bound:
        pairs["dilation"] = bound["dilation"]
    return pairs


def parameters(bound: Attrs) -> dict[str, Any]:
    """``F.prelu``: one parameter per channel, or one for all."""
    shape = _shape(bound.get("weight"))
    return {"num_parameters": shape[0] if shape else 1} if shape is not None else {}


def table(bound: Attrs) -> dict[str, Any]:
    """``F.embedding``: the table's rows and width, from its weight."""
    shape = _shape(bound.get("weight"))
    if not shape or len(shape) != 2:
        return {}
    return {"num_embeddings": shape[0], "embedding_dim": shape[1]}


def affine(bound: Attrs) -> dict[str, Any]:
    """``affine``: whether a norm call has a weight."""
    return {"affine": bound.get("weight") is not None}


def stats_norm(bound: Attrs) -> dict[str, Any]:
    """``F.batch_norm``/``F.instance_norm``: affine, and channels from the weight or stats."""
    pairs = affine(bound)
    stats = bound.get("weight") if bound.get("weight") is not None else bound.get("running_mean")
    shape = _shape(stats)
    if shape:
        pairs["num_features"] = shape[0]
    return pairs


def group_norm(bound: Attrs) -> dict[str, Any]:
    """``F.group_norm``."""
    return {"num_groups": bound.get("num_groups"), **affine(bound)}


def layer_norm(bound: Attrs) -> dict[str, Any]:
    """``F.layer_norm``/``F.rms_norm``."""
    return {"normalized_shape": bound.get("normalized_shape"), **affine(bound)}


def dims(bound: Attrs) -> dict[str, Any]:
    """``permute``'s order, as a tuple of ints."""
    order = bound.get("dims")
    if isinstance(order, (tuple, list)) and all(isinstance(d, int) for d in order):
        return {"dims": tuple(order)}
    return {}


def swapped(bound: Attrs) -> dict[str, Any]:
    """``transpose``/``swapaxes``: the two dimensions, as ``dims``."""
    pair = (bound.get("dim0"), bound.get("dim1"))
    return {"dims": pair} if all(isinstance(d, int) for d in pair) else {}


def equation(bound: Attrs) -> dict[str, Any]:
    """``einsum``'s equation."""
    text = bound.get("equation")
    return {"equation": text} if isinstance(text, str) else {}


def scalar(bound: Attrs) -> dict[str, Any]:
    """Arithmetic with one number operand (``x * 0.125``): the number, as ``scalar``."""
    numbers = [v for v in (bound.get("input"), bound.get("other"))
               if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return {"scalar": numbers[0]} if len(numbers) == 1 else {}


def exponent(bound: Attrs) -> dict[str, Any]:
    """``x ** 2``, ``torch.pow(x, 0.5)``: a tensor to a number's power, the number as
    ``exponent`` (a number to a tensor's power shows nothing)."""
    power, base = bound.get("exponent"), bound.get("input")
    if isinstance(power, (int, float)) and not isinstance(power, bool) and isinstance(
            base, TensorArg):
        return {"exponent": power}
    return {}


def _depth(attrs: Attrs, key: str) -> str:
    layers = attrs.get(key)
    return f" x{layers}" if isinstance(layers, int) and layers > 1 else ""


_RECURRENT_MODES = {"LSTM": "LSTM", "GRU": "GRU", "RNN_TANH": "RNN", "RNN_RELU": "RNN"}


def recurrent_label(name: str) -> Any:
    """The label of a recurrent layer: ``BiLSTM 128D x2``."""

    def label(attrs: Attrs) -> str:
        kind = _RECURRENT_MODES.get(str(attrs.get("mode")), name)
        prefix = "Bi" if attrs.get("bidirectional") else ""
        return f"{prefix}{kind} {attrs.get('hidden_size')}D{_depth(attrs, 'num_layers')}"

    return label


def transformer_label(title: str) -> Any:
    """The label of a transformer layer or stack: ``Encoder x6 8h 512D 2048F``."""

    def label(attrs: Attrs) -> str:
        depth = _depth(attrs, "num_layers") or _depth(attrs, "num_encoder_layers")
        return (f"{title} {attrs.get('nhead')}h {attrs.get('d_model')}D "
                f"{attrs.get('dim_feedforward')}F{depth}")

    return label


def width_label(title: str, key: str) -> Any:
    """``Embedding 64D``: a title and a width attribute (``width``: the output's, for a
    layer recognised by what it computes)."""

    def label(attrs: Attrs) -> str:
        width = attrs.get(key, attrs.get("width"))
        return f"{title} {width}D" if width is not None else title

    return label


def attention_label(attrs: Attrs) -> str:
    """``MHA 12h 768D``."""
    return f"MHA {attrs.get('num_heads')}h {attrs.get('embed_dim')}D"


def grouped(bound: Attrs) -> dict[str, Any]:
    """``torch._grouped_mm(A, B)``: with ``B`` one matrix per group (the experts of a mixture
    of experts), the groups and each matrix's features."""
    shape = _shape(bound.get("mat2"))
    if not shape or len(shape) != 3:
        return {}
    return {"groups": shape[0], "in_features": shape[1], "out_features": shape[2]}


def experts_label(attrs: Attrs) -> str:
    """``MoE 8 experts, top-2, 14336D``: experts, the experts each token goes through, and an
    expert's hidden width."""
    parts = [f"{attrs.get('experts')} experts" if attrs.get("experts") else "",
             f"top-{attrs.get('top_k')}" if attrs.get("top_k") else "",
             f"{attrs.get('expert_width')}D" if attrs.get("expert_width") else ""]
    return f"MoE {', '.join(p for p in parts if p)}".strip()
