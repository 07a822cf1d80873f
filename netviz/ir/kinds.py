"""The small vocabulary of op kinds every transform and renderer speaks."""

from __future__ import annotations

from enum import Enum


class Kind(str, Enum):
    """What an IR node does, independent of the framework class that did it."""

    INPUT = "input"
    OUTPUT = "output"
    DATA = "data"  # a data node (double circle) inserted where a block begins
    CONV = "conv"
    NORM = "norm"
    ACT = "act"
    ADD = "add"
    MUL = "mul"
    CAT = "cat"
    POOL = "pool"
    LINEAR = "linear"
    RESHAPE = "reshape"  # shape-only or no-op: view, flatten, getitem, nn.Identity
    SPLIT = "split"  # one tensor into several: unbind, chunk, split
    ATTENTION = "attention"  # nn.MultiheadAttention, scaled dot-product attention
    UPSAMPLE = "upsample"
    DROPOUT = "dropout"
    OTHER = "other"

    def __str__(self) -> str:
        return self.value


# One table from framework op names (module class names, function and method
# names, as the tracer records them in ``Node.type_name``) to kinds.
_KIND_BY_NAME: dict[str, Kind] = {
    **dict.fromkeys(
        ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d",
         "LazyConv1d", "LazyConv2d", "LazyConv3d", "conv1d", "conv2d", "conv3d",
         "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"],
        Kind.CONV,
    ),
    **dict.fromkeys(
        ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "SyncBatchNorm", "InstanceNorm1d",
         "InstanceNorm2d", "InstanceNorm3d", "GroupNorm", "LayerNorm", "LocalResponseNorm",
         "batch_norm", "instance_norm", "group_norm", "layer_norm"],
        Kind.NORM,
    ),
    **dict.fromkeys(
        ["ReLU", "ReLU6", "PReLU", "LeakyReLU", "ELU", "SELU", "CELU", "GELU", "SiLU", "Mish",
         "Sigmoid", "Tanh", "Hardswish", "Hardsigmoid", "Hardtanh", "Softplus",
         "relu", "relu_", "relu6", "prelu", "leaky_relu", "elu", "selu", "celu", "gelu",
         "silu", "mish", "sigmoid", "tanh", "hardswish", "hardsigmoid", "hardtanh", "softplus",
         "RReLU", "rrelu", "Threshold", "threshold", "LogSigmoid", "logsigmoid", "Softsign",
         "softsign", "Tanhshrink", "tanhshrink", "GLU", "glu"],
        Kind.ACT,
    ),
    **dict.fromkeys(["add", "add_", "iadd", "__add__", "__iadd__"], Kind.ADD),
    **dict.fromkeys(["mul", "mul_", "imul", "__mul__"], Kind.MUL),
    **dict.fromkeys(["cat", "concat", "concatenate", "stack"], Kind.CAT),
    **dict.fromkeys(
        ["AvgPool1d", "AvgPool2d", "AvgPool3d", "MaxPool1d", "MaxPool2d", "MaxPool3d",
         "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d",
         "AdaptiveMaxPool2d", "AdaptiveMaxPool3d", "avg_pool1d", "avg_pool2d", "avg_pool3d",
         "max_pool1d", "max_pool2d", "max_pool3d", "adaptive_avg_pool1d", "adaptive_avg_pool2d",
         "adaptive_avg_pool3d", "adaptive_max_pool1d", "adaptive_max_pool2d",
         "adaptive_max_pool3d", "LPPool1d", "LPPool2d", "LPPool3d", "lp_pool1d", "lp_pool2d",
         "lp_pool3d"],
        Kind.POOL,
    ),
    **dict.fromkeys(["Linear", "LazyLinear", "Bilinear", "linear"], Kind.LINEAR),
    **dict.fromkeys(
        ["view", "reshape", "flatten", "Flatten", "Unflatten", "squeeze", "unsqueeze",
         "permute", "transpose", "contiguous", "expand", "expand_as", "view_as", "Identity",
         "getitem", "movedim", "swapaxes", "repeat", "broadcast_to", "narrow", "t"],
        Kind.RESHAPE,
    ),
    **dict.fromkeys(["unbind", "chunk", "split", "tensor_split", "split_with_sizes",
                     "unsafe_chunk", "unsafe_split"], Kind.SPLIT),
    **dict.fromkeys(["MultiheadAttention", "scaled_dot_product_attention"], Kind.ATTENTION),
    **dict.fromkeys(["Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d", "interpolate",
                     "upsample"], Kind.UPSAMPLE),
    **dict.fromkeys(["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout",
                     "FeatureAlphaDropout", "dropout", "dropout1d", "dropout2d", "dropout3d",
                     "alpha_dropout", "feature_alpha_dropout"], Kind.DROPOUT),
    "input": Kind.INPUT,
    "output": Kind.OUTPUT,
    "data": Kind.DATA,
}


def kind_of(type_name: str) -> Kind:
    """Map a framework op name (``"Conv2d"``, ``"add"``, ``"view"``) to its kind.

    Unknown names are ``Kind.OTHER``: drawn as a plain rectangle with their name.
    """
    return _KIND_BY_NAME.get(type_name, Kind.OTHER)
