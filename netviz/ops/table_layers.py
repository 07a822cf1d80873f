"""The op table, part one: ``torch.nn`` layers and the calls that do the same work.

Each [`Op`][netviz.ops.record.Op] here is one op however it is met: the layer
class(es), the functional call(s), the aten overload(s). Adding an op is adding one
entry (see [`netviz.ops`][netviz.ops]).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from netviz.ir.kinds import Kind
from netviz.ops import computations, rules, shows
from netviz.ops.macs import (
    bilinear_macs,
    cell_macs,
    conv_macs,
    linear_macs,
    mha_macs,
    recurrent_macs,
    transformer_macs,
)
from netviz.ops.record import Axis, From, Op


def plain(*names: str) -> tuple[tuple[str, From], ...]:
    """``(name, From(name))`` for attributes read as they are."""
    return tuple((name, From(name)) for name in names)


def _defaults(**values: Any) -> tuple[tuple[str, Any], ...]:
    return tuple(values.items())


_CONV = (*plain("kernel_size", "stride", "padding", "dilation", "groups", "in_channels",
                "out_channels"),
         ("weight_shape", From("weight", "shape")), ("bias", From("bias", "present")),
         *plain("transposed", "padding_mode"))
_CONV_DEFAULTS = _defaults(bias=None, stride=1, padding=0, dilation=1, groups=1)

CONVS = tuple(
    op
    for n in (1, 2, 3)
    for op in (
        Op(f"conv{n}d", Kind.CONV, modules=(f"Conv{n}d", f"LazyConv{n}d"), calls=(f"conv{n}d",),
           name="Conv", layer_attrs=_CONV,
           params=("input", "weight", "bias", "stride", "padding", "dilation", "groups"),
           defaults=_CONV_DEFAULTS, shows=shows.conv, shape=partial(rules.conv, n=n),
           macs=conv_macs, axis=Axis.CHANNELS),
        Op(f"conv_transpose{n}d", Kind.CONV,
           modules=(f"ConvTranspose{n}d", f"LazyConvTranspose{n}d"),
           calls=(f"conv_transpose{n}d",), name="ConvTranspose",
           layer_attrs=(*_CONV, *plain("output_padding")),
           params=("input", "weight", "bias", "stride", "padding", "output_padding", "groups",
                   "dilation"),
           defaults=(*_CONV_DEFAULTS, ("output_padding", 0), ("transposed", True)),
           shows=shows.conv, shape=partial(rules.conv_transpose, n=n), macs=conv_macs,
           axis=Axis.CHANNELS),
    )
) + (
    Op("convolution", Kind.CONV, calls=("convolution",),
       aten=("convolution", "_convolution", "convolution_overrideable"), name="Conv",
       params=("input", "weight", "bias", "stride", "padding", "dilation", "transposed",
               "output_padding", "groups"),
       shows=shows.conv, macs=conv_macs, axis=Axis.CHANNELS),
)

_STATS = (*plain("num_features", "affine"),)
_TRACKING = plain("track_running_stats", "training")
_STATS_PARAMS = ("input", "running_mean", "running_var", "weight", "bias")

NORMS = tuple(
    Op(f"batch_norm{n}d", Kind.NORM, modules=(f"BatchNorm{n}d", f"LazyBatchNorm{n}d"),
       name="BatchNorm", short="BN", traits=frozenset({"batch_norm"}), layer_attrs=_STATS,
       layer_reads=_TRACKING, shape=partial(rules.batch_norm_layer, ranks=ranks),
       axis=Axis.CHANNELS)
    for n, ranks in ((1, (2, 3)), (2, (4,)), (3, (5,)))
) + tuple(
    Op(f"instance_norm{n}d", Kind.NORM, modules=(f"InstanceNorm{n}d", f"LazyInstanceNorm{n}d"),
       name="InstanceNorm", short="IN", layer_attrs=_STATS, layer_reads=_TRACKING,
       shape=partial(rules.instance_norm_layer, n=n), axis=Axis.CHANNELS)
    for n in (1, 2, 3)
) + (
    Op("sync_batch_norm", Kind.NORM, modules=("SyncBatchNorm",), name="BatchNorm", short="BN",
       traits=frozenset({"batch_norm"}), layer_attrs=_STATS, layer_reads=_TRACKING,
       shape=partial(rules.batch_norm_layer, ranks=tuple(range(2, 9))), axis=Axis.CHANNELS),
    Op("batch_norm", Kind.NORM, calls=("batch_norm",), name="BatchNorm", short="BN",
       traits=frozenset({"batch_norm"}),
       params=(*_STATS_PARAMS, "training", "momentum", "eps"),
       defaults=_defaults(weight=None, bias=None, training=False, momentum=0.1, eps=1e-5),
       shows=shows.stats_norm, shape=rules.batch_norm_call, axis=Axis.CHANNELS),
    Op("instance_norm", Kind.NORM, calls=("instance_norm",), name="InstanceNorm", short="IN",
       params=(*_STATS_PARAMS, "use_input_stats", "momentum", "eps"),
       defaults=_defaults(running_mean=None, running_var=None, weight=None, bias=None,
                          use_input_stats=True, momentum=0.1, eps=1e-5),
       shows=shows.stats_norm, axis=Axis.CHANNELS),
    Op("group_norm", Kind.NORM, modules=("GroupNorm",), calls=("group_norm",), name="GroupNorm",
       short="GN",
       layer_attrs=(("num_groups", From("num_groups")), ("num_features", From("num_channels")),
                    ("affine", From("affine"))),
       params=("input", "num_groups", "weight", "bias", "eps"),
       defaults=_defaults(weight=None, bias=None, eps=1e-5), shows=shows.group_norm,
       shape=rules.group_norm, axis=Axis.CHANNELS),
    Op("layer_norm", Kind.NORM, modules=("LayerNorm",), calls=("layer_norm",), name="LayerNorm",
       short="LN",
       layer_attrs=(("normalized_shape", From("normalized_shape")),
                    ("affine", From("elementwise_affine"))),
       params=("input", "normalized_shape", "weight", "bias", "eps"),
       defaults=_defaults(weight=None, bias=None, eps=1e-5), shows=shows.layer_norm,
       shape=rules.layer_norm, axis=Axis.LAST, computes=computations.LAYER_NORM),
    Op("rms_norm", Kind.NORM, modules=("RMSNorm",), calls=("rms_norm",), name="RMSNorm",
       layer_attrs=(("normalized_shape", From("normalized_shape")),
                    ("affine", From("elementwise_affine"))),
       params=("input", "normalized_shape", "weight", "eps"),
       defaults=_defaults(weight=None, eps=None), shows=shows.layer_norm,
       shape=rules.layer_norm, axis=Axis.LAST, computes=computations.RMS_NORM),
    Op("local_response_norm", Kind.NORM, modules=("LocalResponseNorm",),
       calls=("local_response_norm",), name="LocalResponseNorm", short="LRN",
       axis=Axis.CHANNELS),
)

_INPLACE = _defaults(inplace=False)


def _act(key: str, name: str, params: tuple[str, ...] = ("input", "inplace"),
         defaults: tuple[tuple[str, Any], ...] = _INPLACE, **facts: Any) -> Op:
    """An activation: the layer ``name`` and the call ``key``, same shape out."""
    facts.setdefault("shape", rules.same)
    facts.setdefault("calls", (key,))
    return Op(key, Kind.ACT, modules=(name,), name=name, params=params, defaults=defaults,
              **facts)


ACTIVATIONS = (
    _act("relu", "ReLU", traits=frozenset({"relu"}), calls=("relu", "relu_")),
    _act("relu6", "ReLU6"),
    _act("leaky_relu", "LeakyReLU", ("input", "negative_slope", "inplace"),
         _defaults(negative_slope=0.01, inplace=False), layer_attrs=plain("negative_slope"),
         shows=("negative_slope",)),
    _act("elu", "ELU", ("input", "alpha", "inplace"), _defaults(alpha=1.0, inplace=False)),
    _act("selu", "SELU"),
    _act("celu", "CELU", ("input", "alpha", "inplace"), _defaults(alpha=1.0, inplace=False)),
    _act("gelu", "GELU", ("input", "approximate"), _defaults(approximate="none"),
         computes=computations.GELU),
    _act("silu", "SiLU", computes=computations.SILU),
    _act("mish", "Mish"),
    _act("sigmoid", "Sigmoid", ("input",), ()),
    _act("tanh", "Tanh", ("input",), ()),
    _act("hardswish", "Hardswish"),
    _act("hardsigmoid", "Hardsigmoid"),
    _act("hardtanh", "Hardtanh", ("input", "min_val", "max_val", "inplace"),
         _defaults(min_val=-1.0, max_val=1.0, inplace=False)),
    _act("softplus", "Softplus", ("input", "beta", "threshold"),
         _defaults(beta=1.0, threshold=20.0)),
    _act("softsign", "Softsign", ("input",), ()),
    _act("tanhshrink", "Tanhshrink", ("input",), ()),
    _act("logsigmoid", "LogSigmoid", ("input",), (), calls=("logsigmoid", "log_sigmoid")),
    Op("threshold", Kind.ACT, modules=("Threshold",), calls=("threshold", "_threshold"),
       name="Threshold", params=("input", "threshold", "value", "inplace"),
       defaults=_INPLACE, shape=rules.same),
    Op("prelu", Kind.ACT, modules=("PReLU",), calls=("prelu",), name="PReLU",
       layer_attrs=plain("num_parameters"), params=("input", "weight"),
       shows=shows.parameters, shape=rules.prelu),
    Op("rrelu", Kind.ACT, modules=("RReLU",), calls=("rrelu",), name="RReLU"),
    Op("glu", Kind.ACT, modules=("GLU",), calls=("glu",), name="GLU"),
    Op("softmax", Kind.OTHER, modules=("Softmax",), calls=("softmax",), name="Softmax",
       traits=frozenset({"softmax"}), layer_attrs=plain("dim"), params=("input", "dim"),
       shape=rules.softmax),
    Op("log_softmax", Kind.OTHER, modules=("LogSoftmax",), calls=("log_softmax",),
       name="LogSoftmax", traits=frozenset({"softmax"}), layer_attrs=plain("dim"),
       params=("input", "dim"), shape=rules.softmax),
)

_AVG = ("input", "kernel_size", "stride", "padding", "ceil_mode", "count_include_pad",
        "divisor_override")
_MAX = ("input", "kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices")
_AVG_DEFAULTS = _defaults(stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                          divisor_override=None)
_MAX_DEFAULTS = _defaults(stride=None, padding=0, dilation=1, ceil_mode=False,
                          return_indices=False)
_ADAPTIVE_DEFAULTS = _defaults(return_indices=False)
_RETURNS_INDICES = plain("return_indices")

POOLS = tuple(
    op
    for n in (1, 2, 3)
    for op in (
        Op(f"avg_pool{n}d", Kind.POOL, modules=(f"AvgPool{n}d",), calls=(f"avg_pool{n}d",),
           name="AvgPool", layer_attrs=plain("kernel_size", "stride", "padding", "ceil_mode"),
           params=_AVG, defaults=_AVG_DEFAULTS, shows=shows.pool,
           shape=partial(rules.pool, n=n), axis=Axis.CHANNELS),
        Op(f"max_pool{n}d", Kind.POOL, modules=(f"MaxPool{n}d",), calls=(f"max_pool{n}d",),
           name="MaxPool",
           layer_attrs=plain("kernel_size", "stride", "padding", "dilation", "ceil_mode"),
           layer_reads=_RETURNS_INDICES, params=_MAX, defaults=_MAX_DEFAULTS,
           shows=shows.pool, shape=partial(rules.pool, n=n), axis=Axis.CHANNELS),
        Op(f"adaptive_avg_pool{n}d", Kind.POOL, modules=(f"AdaptiveAvgPool{n}d",),
           calls=(f"adaptive_avg_pool{n}d",), name="AdaptiveAvgPool",
           layer_attrs=plain("output_size"), params=("input", "output_size", "return_indices"),
           defaults=_ADAPTIVE_DEFAULTS, shows=("output_size",),
           shape=partial(rules.adaptive_pool, n=n), axis=Axis.CHANNELS),
        Op(f"adaptive_max_pool{n}d", Kind.POOL, modules=(f"AdaptiveMaxPool{n}d",),
           calls=(f"adaptive_max_pool{n}d",), name="AdaptiveMaxPool",
           layer_attrs=plain("output_size"), layer_reads=_RETURNS_INDICES,
           params=("input", "output_size", "return_indices"), defaults=_ADAPTIVE_DEFAULTS,
           shows=("output_size",), shape=partial(rules.adaptive_pool, n=n),
           axis=Axis.CHANNELS),
        Op(f"lp_pool{n}d", Kind.POOL, modules=(f"LPPool{n}d",), calls=(f"lp_pool{n}d",),
           name="LPPool", layer_attrs=plain("kernel_size", "stride", "ceil_mode"),
           axis=Axis.CHANNELS),
    )
)

_DROPOUT = _defaults(p=0.5, training=True, inplace=False)
_DROPOUT_PARAMS = ("input", "p", "training", "inplace")

LAYERS = (
    Op("linear", Kind.LINEAR, modules=("Linear", "LazyLinear"), calls=("linear",), name="Linear",
       layer_attrs=(*plain("in_features", "out_features"),
                    ("weight_shape", From("weight", "shape")), ("bias", From("bias", "present"))),
       params=("input", "weight", "bias"), defaults=_defaults(bias=None), shows=shows.linear,
       shape=rules.linear, macs=linear_macs, axis=Axis.LAST, computes=computations.LINEAR),
    Op("bilinear", Kind.LINEAR, modules=("Bilinear",), calls=("bilinear",), name="Bilinear",
       macs=bilinear_macs, axis=Axis.LAST),
    Op("upsample", Kind.UPSAMPLE, modules=("Upsample", "UpsamplingNearest2d",
                                            "UpsamplingBilinear2d"),
       calls=("interpolate",), aliases=("upsample", "upsample_nearest", "upsample_bilinear"),
       name="Upsample", layer_attrs=plain("size", "scale_factor", "mode"),
       params=("input", "size", "scale_factor", "mode", "align_corners",
               "recompute_scale_factor", "antialias"),
       defaults=_defaults(size=None, scale_factor=None, mode="nearest", align_corners=None,
                          recompute_scale_factor=None, antialias=False),
       shows=("size", "scale_factor", "mode"), shape=rules.interpolate, axis=Axis.CHANNELS),
    Op("dropout", Kind.DROPOUT, modules=("Dropout", "Dropout2d", "Dropout3d"),
       calls=("dropout", "dropout2d", "dropout3d"), name="Dropout", layer_attrs=plain("p"),
       params=_DROPOUT_PARAMS, defaults=_DROPOUT, shows=("p",), shape=rules.dropout),
    Op("dropout1d", Kind.DROPOUT, modules=("Dropout1d",), calls=("dropout1d",), name="Dropout",
       layer_attrs=plain("p"), params=_DROPOUT_PARAMS, defaults=_DROPOUT, shows=("p",),
       shape=rules.dropout1d),
    Op("alpha_dropout", Kind.DROPOUT, modules=("AlphaDropout", "FeatureAlphaDropout"),
       calls=("alpha_dropout", "feature_alpha_dropout"), layer_attrs=plain("p"),
       params=_DROPOUT_PARAMS, defaults=_DROPOUT, shows=("p",), shape=rules.dropout),
    Op("flatten", Kind.RESHAPE, modules=("Flatten",), calls=("flatten",), name="Flatten",
       layer_attrs=plain("start_dim", "end_dim"), params=("input", "start_dim", "end_dim"),
       defaults=_defaults(start_dim=0, end_dim=-1), shows=("start_dim", "end_dim"),
       shape=rules.flatten),
    Op("unflatten", Kind.RESHAPE, modules=("Unflatten",), calls=("unflatten",)),
    Op("identity", Kind.RESHAPE, modules=("Identity",), shape=rules.same),
    Op("embedding", Kind.OTHER, modules=("Embedding",), calls=("embedding",),
       label=shows.width_label("Embedding", "embedding_dim"),
       layer_attrs=plain("num_embeddings", "embedding_dim"),
       params=("input", "weight", "padding_idx", "max_norm", "norm_type",
               "scale_grad_by_freq", "sparse"),
       defaults=_defaults(padding_idx=None, max_norm=None, norm_type=2.0,
                          scale_grad_by_freq=False, sparse=False),
       shows=shows.table, shape=rules.embedding, axis=Axis.LAST, reads=Axis.CARRY,
       indices=True, computes=computations.EMBEDDING),
    Op("embedding_bag", Kind.OTHER, modules=("EmbeddingBag",), calls=("embedding_bag",),
       label=shows.width_label("EmbeddingBag", "embedding_dim"),
       layer_attrs=plain("num_embeddings", "embedding_dim"), axis=Axis.LAST, reads=Axis.CARRY,
       indices=True),
    Op("multihead_attention", Kind.ATTENTION, modules=("MultiheadAttention",),
       label=shows.attention_label,
       layer_attrs=plain("embed_dim", "num_heads", "kdim", "vdim", "batch_first"),
       forward=("query", "key", "value", "key_padding_mask", "need_weights", "attn_mask",
                "average_attn_weights", "is_causal"),
       defaults=_defaults(key_padding_mask=None, need_weights=True, attn_mask=None,
                          average_attn_weights=True, is_causal=False),
       shape=rules.multihead_attention, macs=mha_macs, axis=Axis.LAST),
)

RECURRENT = tuple(
    Op(name.lower(), Kind.OTHER, modules=(name,), label=shows.recurrent_label(name),
       layer_attrs=plain("mode", "input_size", "hidden_size", "num_layers", "bidirectional",
                         "batch_first", "proj_size"),
       shape=rules.recurrent, macs=recurrent_macs, axis=Axis.LAST)
    for name in ("RNN", "LSTM", "GRU")
) + tuple(
    Op(f"{mode.lower()}_cell", Kind.OTHER, modules=(f"{mode}Cell",),
       layer_attrs=(("mode", From.const(mode)), *plain("input_size", "hidden_size")),
       macs=cell_macs, axis=Axis.LAST)
    for mode in ("RNN", "LSTM", "GRU")
)


def _layer(prefix: str) -> tuple[tuple[str, From], ...]:
    """Widths, heads and order of the transformer layer at ``prefix``."""
    return (("d_model", From(f"{prefix}self_attn.embed_dim")),
            ("nhead", From(f"{prefix}self_attn.num_heads")),
            ("dim_feedforward", From(f"{prefix}linear1.out_features")),
            ("batch_first", From(f"{prefix}self_attn.batch_first")),
            ("norm_first", From(f"{prefix}norm_first")))


_ENCODER = ("src", "mask", "src_key_padding_mask", "is_causal")
_DECODER = ("tgt", "memory", "tgt_mask", "memory_mask", "tgt_key_padding_mask",
            "memory_key_padding_mask", "tgt_is_causal", "memory_is_causal")
_MASKS = _defaults(mask=None, src_mask=None, src_key_padding_mask=None, is_causal=None,
                   tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                   memory_key_padding_mask=None, tgt_is_causal=None, memory_is_causal=False)

TRANSFORMERS = (
    Op("transformer_encoder_layer", Kind.OTHER, modules=("TransformerEncoderLayer",),
       label=shows.transformer_label("Encoder layer"),
       layer_attrs=(("role", From.const("encoder")), ("num_layers", From.const(1)),
                    *_layer("")),
       forward=("src", "src_mask", "src_key_padding_mask", "is_causal"), defaults=_MASKS,
       shape=rules.first_input, macs=transformer_macs, axis=Axis.LAST),
    Op("transformer_decoder_layer", Kind.OTHER, modules=("TransformerDecoderLayer",),
       label=shows.transformer_label("Decoder layer"),
       layer_attrs=(("role", From.const("decoder")), ("num_layers", From.const(1)),
                    *_layer("")),
       forward=_DECODER, defaults=_MASKS, shape=rules.first_input, macs=transformer_macs,
       axis=Axis.LAST),
    Op("transformer_encoder", Kind.OTHER, modules=("TransformerEncoder",),
       label=shows.transformer_label("Encoder"),
       layer_attrs=(("role", From.const("encoder")), ("num_layers", From("layers", "len")),
                    *_layer("layers.0.")),
       forward=_ENCODER, defaults=_MASKS, shape=rules.first_input, macs=transformer_macs,
       axis=Axis.LAST),
    Op("transformer_decoder", Kind.OTHER, modules=("TransformerDecoder",),
       label=shows.transformer_label("Decoder"),
       layer_attrs=(("role", From.const("decoder")), ("num_layers", From("layers", "len")),
                    *_layer("layers.0.")),
       forward=_DECODER, defaults=_MASKS, shape=rules.first_input, macs=transformer_macs,
       axis=Axis.LAST),
    Op("transformer", Kind.OTHER, modules=("Transformer",),
       label=shows.transformer_label("Transformer"),
       layer_attrs=(("role", From.const("transformer")),
                    ("num_encoder_layers", From("encoder.layers", "len")),
                    ("num_decoder_layers", From("decoder.layers", "len")),
                    *_layer("encoder.layers.0.")),
       macs=transformer_macs, axis=Axis.LAST),
)

OPS = (*CONVS, *NORMS, *ACTIVATIONS, *POOLS, *LAYERS, *RECURRENT, *TRANSFORMERS,
       *computations.RECOGNISED)
"""This part's entries."""
