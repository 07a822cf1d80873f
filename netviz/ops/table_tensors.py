"""The op table, part two: tensor functions and methods, and aten-only ops.

Arithmetic, views and reorders, joins and splits, reductions, the matrix-product
family (met as calls and, under the dispatch counter, as aten ops), attention
kernels, and the ops whose output size depends on tensor values.
"""

from __future__ import annotations

from typing import Any

from netviz.ir.kinds import Kind
from netviz.ops import rules, shows
from netviz.ops.macs import (
    batched_sum_macs,
    einsum_macs,
    encoder_kernel_macs,
    grouped_mm_macs,
    matmul_macs,
    native_attention_macs,
    recurrent_kernel_macs,
    scaled_mm_macs,
    sdpa_bmhk_macs,
    sdpa_macs,
    trilinear_macs,
)
from netviz.ops.record import Attrs, Axis, Op, TensorArg

_PRODUCT = frozenset({"product"})
_REORDER = frozenset({"reorder"})


def _arithmetic(key: str, kind: Kind, symbol: str, *extra: str, **facts: Any) -> Op:
    return Op(key, kind, calls=(key,), symbol=symbol, params=("input", "other", *extra),
              defaults=tuple((name, None if name == "rounding_mode" else 1) for name in extra),
              shows=shows.scalar, shape=rules.arithmetic, **facts)


_ZERO = frozenset({"zero_identity"})
_ONE = frozenset({"unit_identity"})

ARITHMETIC = (
    _arithmetic("add", Kind.ADD, "+", "alpha", traits=_ZERO),
    _arithmetic("sub", Kind.OTHER, "−", "alpha", traits=_ZERO),
    _arithmetic("mul", Kind.MUL, "×", name="×", traits=_ONE),
    _arithmetic("div", Kind.OTHER, "÷", "rounding_mode", aliases=("truediv",), traits=_ONE),
    Op("floor_divide", Kind.OTHER, calls=("floor_divide",), aliases=("floordiv",)),
)

def _same(key: str, kind: Kind = Kind.OTHER, **facts: Any) -> Op:
    """A call of one tensor whose output has its shape."""
    return Op(key, kind, calls=(key,), params=("input",), shape=rules.same, **facts)


ELEMENTWISE = (
    *(_same(name) for name in ("clone", "neg", "abs", "exp", "sqrt")),
    Op("pow", Kind.OTHER, calls=("pow",), params=("input", "exponent"), shows=shows.exponent),
    Op("roll", Kind.OTHER, calls=("roll",), traits=frozenset({"shift"})),
    Op("pad", Kind.OTHER, calls=("pad",), traits=frozenset({"pad"}),
       modules=tuple(f"{way}Pad{n}d" for way in ("Zero", "Constant", "Reflection", "Replication",
                                                   "Circular") for n in (1, 2, 3))),
)

VIEWS = (
    Op("view", Kind.RESHAPE, calls=("view",), name="View"),
    Op("reshape", Kind.RESHAPE, calls=("reshape",), name="Reshape"),
    _same("contiguous", Kind.RESHAPE),
    *(Op(name, Kind.RESHAPE, calls=(name,))
      for name in ("squeeze", "unsqueeze", "expand", "expand_as", "view_as", "getitem",
                   "repeat", "broadcast_to", "narrow", "t")),
    Op("movedim", Kind.RESHAPE, calls=("movedim",), traits=_REORDER),
    Op("permute", Kind.RESHAPE, calls=("permute",), traits=_REORDER, params=("input", "*dims"),
       shows=shows.dims, axis=Axis.PERMUTE),
    Op("transpose", Kind.RESHAPE, calls=("transpose", "swapaxes"), traits=_REORDER,
       params=("input", "dim0", "dim1"), shows=shows.swapped, axis=Axis.SWAP),
    Op("split", Kind.SPLIT, calls=("unbind", "chunk", "split", "tensor_split",
                                   "split_with_sizes", "unsafe_chunk", "unsafe_split")),
    Op("cat", Kind.CAT, calls=("cat",), aliases=("concat", "concatenate"), name="Concat",
       params=("tensors", "dim"), defaults=(("dim", 0),), shows=("dim",), shape=rules.cat,
       axis=Axis.CAT),
    Op("stack", Kind.CAT, calls=("stack",), name="Stack", params=("tensors", "dim"),
       defaults=(("dim", 0),), shows=("dim",), shape=rules.stack, axis=Axis.STACK),
)

REDUCTIONS = tuple(
    Op(name, Kind.OTHER, calls=(name,), params=("input", "dim", "keepdim"),
       defaults=(("dim", None), ("keepdim", False)), shape=rules.reduction)
    for name in ("mean", "sum", "amax", "amin")
)


def _product(key: str, **facts: Any) -> Op:
    """A product over the last axis, whose input axes it contracts (reads none)."""
    return Op(key, facts.pop("kind", Kind.OTHER), axis=Axis.LAST, reads=Axis.CARRY, **facts)


PRODUCTS = (
    _product("matmul", calls=("matmul", "mm", "bmm"), aten=("mm", "bmm"), name="MatMul",
             traits=_PRODUCT, macs=matmul_macs),
    _product("addmm", calls=("addmm", "baddbmm"), aten=("addmm", "baddbmm"), traits=_PRODUCT,
             macs=matmul_macs),
    Op("addbmm", Kind.OTHER, calls=("addbmm",), aten=("addbmm",), macs=batched_sum_macs),
    Op("vector_product", Kind.OTHER, calls=("mv", "dot", "inner", "addmv", "vdot"),
       aten=("mv", "dot", "addmv", "vdot"), macs=matmul_macs),
    _product("einsum", calls=("einsum",), name="Einsum", traits=_PRODUCT,
             params=("equation", "*operands"), shows=shows.equation, macs=einsum_macs),
    _product("scaled_mm", aten=("_scaled_mm",), macs=scaled_mm_macs),
    _product("grouped_mm", calls=("_grouped_mm",), aten=("_grouped_mm",),
             traits=frozenset({"experts"}), params=("input", "mat2", "offs", "bias", "out_dtype"),
             defaults=(("offs", None), ("bias", None), ("out_dtype", None)),
             shows=shows.grouped, macs=grouped_mm_macs),
    _product("scaled_dot_product_attention", kind=Kind.ATTENTION,
             calls=("scaled_dot_product_attention",),
             aten=("_scaled_dot_product_flash_attention_for_cpu",
                   "_scaled_dot_product_efficient_attention",
                   "_scaled_dot_product_flash_attention", "_scaled_dot_product_cudnn_attention",
                   "_scaled_dot_product_fused_attention_overrideable"),
             name="SDPA", traits=frozenset({"attention"}), macs=sdpa_macs),
    _product("attention_kernel", kind=Kind.ATTENTION,
             aten=("_flash_attention_forward", "_efficient_attention_forward"),
             macs=sdpa_bmhk_macs),
)

FUSED = (
    Op("recurrent_kernel", Kind.OTHER, aten=("mkldnn_rnn_layer",),
       params=("input", "weight0", "weight1", "weight2", "weight3", "hx_", "cx_", "reverse",
               "batch_sizes", "mode", "hidden_size", "num_layers", "has_biases",
               "bidirectional", "batch_first", "train"),
       macs=recurrent_kernel_macs),
    Op("attention_layer_kernel", Kind.ATTENTION, aten=("_native_multi_head_attention",),
       params=("query", "key", "value", "embed_dim", "num_head", "qkv_weight", "qkv_bias",
               "proj_weight", "proj_bias", "mask", "need_weights", "average_attn_weights",
               "mask_type"),
       defaults=(("mask", None), ("need_weights", True), ("average_attn_weights", True),
                 ("mask_type", None)),
       macs=native_attention_macs),
    Op("encoder_layer_kernel", Kind.OTHER, aten=("_transformer_encoder_layer_fwd",),
       params=("src", "embed_dim", "num_heads", "qkv_weight", "qkv_bias", "proj_weight",
               "proj_bias", "use_gelu", "norm_first", "eps", "norm_weight_1", "norm_bias_1",
               "norm_weight_2", "norm_bias_2", "ffn_weight_1", "ffn_bias_1", "ffn_weight_2",
               "ffn_bias_2", "mask", "mask_type"),
       defaults=(("mask", None), ("mask_type", None)), macs=encoder_kernel_macs),
    Op("trilinear", Kind.OTHER, aten=("_trilinear",),
       params=("i1", "i2", "i3", "expand1", "expand2", "expand3", "sumdim", "unroll_dim"),
       defaults=(("unroll_dim", 1),), macs=trilinear_macs),
)
"""aten's fused kernels of whole layers (CPU fast paths), met by the dispatch counter."""


def _masked(attrs: Attrs) -> bool:
    """Whether an index holds a boolean mask (the selected count depends on its values)."""
    indices = attrs.get("indices") or ()
    return any(isinstance(i, TensorArg) and i.dtype in ("torch.bool", "torch.uint8")
               for i in indices if i is not None)


DATA_DEPENDENT = (
    Op("nonzero", Kind.OTHER, calls=("nonzero", "argwhere", "masked_select", "unique",
                                     "unique_consecutive", "bincount"),
       aten=("nonzero", "masked_select", "_unique", "_unique2", "unique_dim",
             "unique_consecutive", "unique_dim_consecutive", "bincount",
             "repeat_interleave.Tensor", "repeat_interleave.self_Tensor"),
       data_dependent=True),
    Op("index", Kind.OTHER, aten=("index.Tensor",),
       params=("input", "indices"), data_dependent=_masked),
)

GRAPH = (
    Op("input", Kind.INPUT, calls=("input",)),
    Op("output", Kind.OUTPUT, calls=("output",)),
    Op("data", Kind.DATA, calls=("data",)),
)
"""The IR's own node names: model inputs, outputs, and data nodes."""

OPS = (*ARITHMETIC, *ELEMENTWISE, *VIEWS, *REDUCTIONS, *PRODUCTS, *FUSED, *DATA_DEPENDENT,
       *GRAPH)
"""This part's entries."""
