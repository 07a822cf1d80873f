"""Multiply-accumulates of one op, in the convention of published model tables.

One MAC is one multiply-add of a convolution, a linear layer, a matrix product
(``matmul``, ``bmm``, ``einsum``, ...) or attention, counted for every output element
(a ``Linear`` on ``(B, N, D)`` tokens counts once per token):

- convolution: ``output elements x in_channels / groups x kernel elements``
  (transposed: ``input elements x out_channels / groups x kernel elements``);
- linear: ``output elements x in_features``;
- matrix products: ``output elements x contracted size``; ``einsum``: the product
  of the sizes of all its indices;
- attention: ``Nq x Nk x (d_qk + d_v)`` per batch and head (``QKᵀ`` and ``A·V``), and
  ``nn.MultiheadAttention`` adds its q, k, v and output projections;
- recurrent layers: ``gates x hidden x (input + hidden)`` per step, layer and direction;
- grouped matrix products (``torch._grouped_mm``, the experts of a mixture of
  experts): every row of ``A`` through its group's matrix, ``rows x K x N``;
- norms, activations, softmax, element-wise ops, pooling and embedding lookups: 0.

Pure functions of plain values: shapes here are **full** shapes, batch dimension
included (the tracer uses a batch of one), so a sequence-first tensor ``(L, 1, E)``
counts all its ``L`` rows. The op table ([`netviz.ops`][netviz.ops]) says which
rule counts which op, however it is met: a layer, a call, or an aten op under the
dispatch counter.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from netviz.ops.record import Attrs, Shape


def _prod(values: Sequence[int]) -> int:
    return math.prod(int(v) for v in values)


def _kernel(attrs: Attrs) -> int:
    kernel = attrs.get("kernel_size")
    if kernel is None:
        weight = attrs.get("weight_shape") or ()
        kernel = tuple(weight[2:])
    if isinstance(kernel, int):
        return kernel
    return _prod(kernel)


def conv_macs(attrs: Attrs, inputs: Sequence[Shape], output: Shape | None) -> int:
    """Convolutions, plain and transposed, of any rank."""
    groups = int(attrs.get("groups") or 1)
    if attrs.get("transposed"):
        if not inputs:
            return 0
        out_channels = attrs.get("out_channels")
        if out_channels is None:
            return 0
        return _prod(inputs[0]) * int(out_channels) // groups * _kernel(attrs)
    in_channels = attrs.get("in_channels")
    if output is None or in_channels is None:
        return 0
    return _prod(output) * (int(in_channels) // groups) * _kernel(attrs)


def linear_macs(attrs: Attrs, inputs: Sequence[Shape], output: Shape | None) -> int:
    """``Linear``/``F.linear``: every output element costs ``in_features``."""
    in_features = attrs.get("in_features")
    if in_features is None and inputs and inputs[0]:
        in_features = inputs[0][-1]
    if output is None or in_features is None:
        return 0
    return _prod(output) * int(in_features)


def bilinear_macs(attrs: Attrs, inputs: Sequence[Shape], output: Shape | None) -> int:
    """``Bilinear``: ``x1ᵀ A x2`` per output element."""
    if output is None or len(inputs) < 2:
        return 0
    return _prod(output) * inputs[0][-1] * inputs[1][-1]


def matmul_macs(attrs: Attrs, inputs: Sequence[Shape], output: Shape | None) -> int:
    """``matmul``/``@``/``mm``/``bmm``/``addmm``...: output elements times the contracted size."""
    operands = [s for s in inputs if len(s) >= 1]
    if len(operands) < 2 or output is None:
        return 0
    a, b = operands[-2], operands[-1]  # addmm/baddbmm: (input, a, b)
    contracted = a[-1] if len(a) >= 1 else 1
    if len(b) == 1 and len(a) == 1:
        return contracted
    return max(_prod(output), 1) * contracted


def einsum_macs(attrs: Attrs, inputs: Sequence[Shape], output: Shape | None) -> int:
    """``einsum``: the product of the sizes of all indices (no ``...``); 0 if unknown."""
    equation = attrs.get("equation")
    if not isinstance(equation, str) or "..." in equation:
        return _einsum_fallback(inputs, output)
    operands = equation.replace(" ", "").split("->")[0].split(",")
    if len(operands) != len(inputs) or len(operands) < 2:
        return 0
    sizes: dict[str, int] = {}
    for letters, shape in zip(operands, inputs):
        if len(letters) != len(shape):
            return 0
        sizes.update(zip(letters, shape))
    return _prod(list(sizes.values()))


def _einsum_fallback(inputs: Sequence[Shape], output: Shape | None) -> int:
    return matmul_macs({}, inputs, output) if len(inputs) == 2 else 0


def sdpa_macs(attrs: Attrs, inputs: Sequence[Shape], output: Shape | None) -> int:
    """``F.scaled_dot_product_attention(q, k, v)``: ``QKᵀ`` and ``A·V``."""
    if len(inputs) < 3:
        return 0
    q, k, v = inputs[0], inputs[1], inputs[2]
    batch = _prod(q[:-2])
    return batch * q[-2] * k[-2] * (q[-1] + v[-1])


def _tokens(shape: Shape, batch_first: bool) -> tuple[int, int]:
    """(batch, sequence length) of a ``(N, L, E)`` / ``(L, N, E)`` / unbatched ``(L, E)`` tensor."""
    if len(shape) < 3:
        return 1, shape[0] if shape else 1
    return (shape[0], shape[1]) if batch_first else (shape[1], shape[0])


def attention_macs(
    embed_dim: int, query: Shape, key: Shape, *, batch_first: bool, kdim: int | None = None,
    vdim: int | None = None,
) -> int:
    """``nn.MultiheadAttention``: q, k, v and output projections plus ``QKᵀ`` and ``A·V``."""
    n, length = _tokens(query, batch_first)
    _, source = _tokens(key, batch_first)
    kdim, vdim = kdim or embed_dim, vdim or embed_dim
    projections = n * (length * embed_dim * embed_dim + source * kdim * embed_dim
                       + source * vdim * embed_dim + length * embed_dim * embed_dim)
    return projections + n * 2 * length * source * embed_dim


def mha_macs(attrs: Attrs, inputs: Sequence[Shape], output: Shape | None) -> int:
    """``nn.MultiheadAttention(query, key, value)``."""
    if not inputs:
        return 0
    query = inputs[0]
    key = inputs[1] if len(inputs) > 1 else query
    return attention_macs(
        int(attrs.get("embed_dim") or query[-1]), query, key,
        batch_first=bool(attrs.get("batch_first")), kdim=attrs.get("kdim"),
        vdim=attrs.get("vdim"),
    )


def _encoder_layer(attrs: Attrs, src: Shape) -> int:
    d, ff = int(attrs["d_model"]), int(attrs["dim_feedforward"])
    first = bool(attrs.get("batch_first"))
    n, length = _tokens(src, first)
    return attention_macs(d, src, src, batch_first=first) + 2 * n * length * d * ff


def _decoder_layer(attrs: Attrs, tgt: Shape, memory: Shape) -> int:
    d, ff = int(attrs["d_model"]), int(attrs["dim_feedforward"])
    first = bool(attrs.get("batch_first"))
    n, length = _tokens(tgt, first)
    return (attention_macs(d, tgt, tgt, batch_first=first)
            + attention_macs(d, tgt, memory, batch_first=first) + 2 * n * length * d * ff)


def transformer_macs(attrs: Attrs, inputs: Sequence[Shape], output: Shape | None) -> int:
    """``nn.TransformerEncoder(Layer)``, ``nn.TransformerDecoder(Layer)``, ``nn.Transformer``."""
    if not inputs or "d_model" not in attrs:
        return 0
    role = attrs.get("role")
    layers = int(attrs.get("num_layers") or 1)
    if role == "encoder":
        return layers * _encoder_layer(attrs, inputs[0])
    if role == "decoder" and len(inputs) >= 2:
        return layers * _decoder_layer(attrs, inputs[0], inputs[1])
    if role == "transformer" and len(inputs) >= 2:
        encoder = int(attrs.get("num_encoder_layers") or 0) * _encoder_layer(attrs, inputs[0])
        decoder = int(attrs.get("num_decoder_layers") or 0) * _decoder_layer(
            attrs, inputs[1], inputs[0])
        return encoder + decoder
    return 0


_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1, "RNN": 1}


def recurrent_macs(attrs: Attrs, inputs: Sequence[Shape], output: Shape | None) -> int:
    """``nn.RNN``/``nn.LSTM``/``nn.GRU``: per step, layer and direction."""
    if not inputs:
        return 0
    gates = _GATES.get(str(attrs.get("mode")), 0)
    hidden = int(attrs.get("hidden_size") or 0)
    proj = int(attrs.get("proj_size") or 0)
    layers = int(attrs.get("num_layers") or 1)
    directions = 2 if attrs.get("bidirectional") else 1
    first = bool(attrs.get("batch_first"))
    batch, steps = _tokens(inputs[0], first) if len(inputs[0]) >= 2 else (1, 1)
    width = int(attrs.get("input_size") or inputs[0][-1])
    recurrent = proj or hidden
    total = 0
    for _ in range(layers):
        per_step = gates * hidden * (width + recurrent) + (hidden * proj if proj else 0)
        total += directions * batch * steps * per_step
        width = recurrent * directions
    return total


def cell_macs(attrs: Attrs, inputs: Sequence[Shape], output: Shape | None) -> int:
    """``nn.RNNCell``/``nn.LSTMCell``/``nn.GRUCell``: one step."""
    if not inputs:
        return 0
    gates = _GATES.get(str(attrs.get("mode")), 0)
    hidden = int(attrs.get("hidden_size") or 0)
    batch = inputs[0][0] if len(inputs[0]) == 2 else 1
    return batch * gates * hidden * (inputs[0][-1] + hidden)


def batched_sum_macs(attrs: Attrs, inputs: Sequence[Shape], output: Shape | None) -> int:
    """``addbmm(input, A, B)``: the products of every batch, summed: ``b x n x m x p``."""
    if len(inputs) < 2:
        return 0
    a, b = inputs[-2], inputs[-1]
    if len(a) != 3 or len(b) != 3:
        return 0
    return a[0] * a[1] * a[2] * b[2]


def scaled_mm_macs(attrs: Attrs, inputs: Sequence[Shape], output: Shape | None) -> int:
    """``_scaled_mm(A, B, scale_a, scale_b, ...)``: a matrix product of its first two inputs."""
    return matmul_macs(attrs, inputs[:2], output)


def grouped_mm_macs(attrs: Attrs, inputs: Sequence[Shape], output: Shape | None) -> int:
    """``torch._grouped_mm(A, B, offs)``: every row of ``A`` (or every column of ``B``)
    through its group's matrix.

    ``A (M, K) x B (G, K, N)`` and ``A (G, M, K) x B (K, N)``: ``M x K x N``;
    ``A (G, M, K) x B (G, K, N)``: ``G x M x K x N``; ``A (M, K) x B (K, N)`` grouped
    along ``K`` (output ``(G, M, N)``): ``M x K x N``. Offsets past the last row leave
    rows uncomputed; the count takes every row, as the routed tokens fill them.
    """
    if len(inputs) < 2 or output is None:
        return 0
    a, b = inputs[0], inputs[1]
    if len(a) == 2 and len(b) == 2:
        return a[0] * a[1] * b[1]
    return _prod(output) * a[-1]


def sdpa_bmhk_macs(attrs: Attrs, inputs: Sequence[Shape], output: Shape | None) -> int:
    """Attention kernels with ``(batch, tokens, heads, dim)`` inputs (``_flash_attention_forward``,
    ``_efficient_attention_forward``): ``QKᵀ`` and ``A·V``."""
    if len(inputs) < 3:
        return 0
    q, k, v = inputs[0], inputs[1], inputs[2]
    if len(q) != 4 or len(k) != 4 or len(v) != 4:
        return 0
    return q[0] * q[2] * q[1] * k[1] * (q[3] + v[3])


def _tensor_shape(value: object) -> Shape | None:
    shape = getattr(value, "shape", None)
    return tuple(shape) if isinstance(shape, tuple) else None


def recurrent_kernel_macs(attrs: Attrs, inputs: Sequence[Shape], output: Shape | None) -> int:
    """aten's fused recurrent layer (``mkldnn_rnn_layer``, one layer and direction of an
    ``nn.LSTM`` on CPU): every token (step and sample) through its two weight matrices."""
    if not inputs:
        return 0
    tokens = _prod(inputs[0][:-1])
    matrices = [_tensor_shape(attrs.get(key)) for key in ("weight0", "weight1")]
    return tokens * sum(_prod(s) for s in matrices if s)


def native_attention_macs(attrs: Attrs, inputs: Sequence[Shape], output: Shape | None) -> int:
    """aten's fused ``nn.MultiheadAttention`` (``_native_multi_head_attention``): the q, k, v
    and output projections, ``QKᵀ`` and ``A·V``."""
    if len(inputs) < 2 or not isinstance(attrs.get("embed_dim"), int):
        return 0
    return attention_macs(int(attrs["embed_dim"]), inputs[0], inputs[1], batch_first=True)


def encoder_kernel_macs(attrs: Attrs, inputs: Sequence[Shape], output: Shape | None) -> int:
    """aten's fused ``nn.TransformerEncoderLayer`` (``_transformer_encoder_layer_fwd``):
    attention and its projections, and the two feed-forward layers."""
    ffn = _tensor_shape(attrs.get("ffn_weight_1"))
    if not inputs or ffn is None or not isinstance(attrs.get("embed_dim"), int):
        return 0
    width, src = int(attrs["embed_dim"]), inputs[0]
    n, length = _tokens(src, True)
    return attention_macs(width, src, src, batch_first=True) + 2 * n * length * width * ffn[0]


def trilinear_macs(attrs: Attrs, inputs: Sequence[Shape], output: Shape | None) -> int:
    """aten's ``_trilinear`` (``nn.Bilinear``): one multiply-add per combination of every
    index of its three operands, once expanded to a common rank."""
    if len(inputs) < 3:
        return 0
    sizes: list[int] = []
    for shape, key in zip(inputs[:3], ("expand1", "expand2", "expand3")):
        dims = list(shape)
        for at in sorted(int(d) for d in attrs.get(key) or ()):
            dims.insert(at, 1)
        sizes = [max(a, b) for a, b in zip(sizes, dims)] if sizes else dims
    return _prod(sizes)
