"""mdnc-style residual blocks: plain and bottleneck, 1d/2d/3d.

Re-implements the blocks documented for ``mdnc.modules.resnet`` (seed 001) with
the same signature, options and layer order, so their summaries match the
documentation's worked examples exactly.

A block has a convolutional branch of "modern" conv layers (``conv1``,
``conv2`` and, for the bottleneck, ``conv3``, each an ``nn.Sequential``) and
an input branch ``in_node``: ``None`` (identity) unless the block rescales or
changes the channel count, then a 1x1 projection conv followed by a norm. The
output is ``branch(x) + in_node(x)``. Each class's page shows both variants.

A modern conv layer is, with ``layer_order='new'`` (pre-activation),
``norm → act → conv``; with ``'old'``, ``conv → norm → act``; without a
normalizer, ``conv → act`` (the conv then has a bias). With ``scaler='up'`` an
``Upsample`` (to ``output_size``, or by ``stride``) comes before the rescaling
conv and before the projection conv, and those convs have stride 1.

Examples:
    >>> import torch
    >>> from netviz_models.mdnc import BlockBottleneck2d
    >>> layer = BlockBottleneck2d(16, 32, kernel_size=3, stride=(1, 2), padding=1)
    >>> layer(torch.zeros(1, 16, 4, 255)).shape
    torch.Size([1, 32, 4, 128])
"""

from __future__ import annotations

from typing import ClassVar

from netviz.registry import register_model

# Relative: the folder is `models/` in the repository (as mypy reads it), `netviz_models` installed.
from ._mdnc_layers import (
    ACTIVATORS,
    LAYER_ORDERS,
    NORMALIZERS,
    SCALERS,
    BlockBottleneckNd,
    BlockPlainNd,
)

__all__ = [
    "ACTIVATORS",
    "LAYER_ORDERS",
    "NORMALIZERS",
    "SCALERS",
    "BlockBottleneck1d",
    "BlockBottleneck2d",
    "BlockBottleneck3d",
    "BlockPlain1d",
    "BlockPlain2d",
    "BlockPlain3d",
    "mdnc_bottleneck2d_ex1",
    "mdnc_bottleneck2d_ex2",
]

class BlockPlain1d(BlockPlainNd):
    """Plain residual block (two ``kernel_size`` convs) on ``(B, C, L)`` inputs.

    [`BlockPlain2d`][netviz_models.mdnc.BlockPlain2d] on sequences: the same
    arguments (a size or stride is one number), branches and options.

    ```netviz
    model: netviz_models.mdnc:BlockPlain1d(16, 16)
    input_shape: 16,255
    ```

    With a projection (``in_planes != out_planes`` or a rescaling ``stride``):

    ```netviz
    model: netviz_models.mdnc:BlockPlain1d(16, 32, stride=2)
    input_shape: 16,255
    ```

    Examples:
        >>> import torch
        >>> layer = BlockPlain1d(16, 32, stride=2)
        >>> layer(torch.zeros(1, 16, 255)).shape
        torch.Size([1, 32, 128])
        >>> sum(p.numel() for p in layer.parameters())
        2976
    """

    _order: ClassVar[int] = 1


class BlockPlain2d(BlockPlainNd):
    """Plain residual block (two ``kernel_size`` convs) on ``(B, C, L1, L2)`` inputs.

    The first of the two residual blocks of [He et al., *Deep Residual Learning
    for Image Recognition*](https://arxiv.org/abs/1512.03385). The block is the
    sum of two branches, the input and a convolutional branch of two modern conv
    layers: ``conv1`` keeps the shape, ``conv2`` maps to ``out_planes`` and
    rescales. When neither the channels nor the size change, the input branch
    is the identity:

    ```netviz
    model: netviz_models.mdnc:BlockPlain2d(16, 16)
    input_shape: 16,4,255
    ```

    If the channels or the size of the output change, the input branch
    ``in_node`` maps the input to the output space with a 1x1 projection conv
    and a norm:

    ```netviz
    model: netviz_models.mdnc:BlockPlain2d(16, 32, stride=(1, 2))
    input_shape: 16,4,255
    ```

    The modern conv layers and their order (``layer_order``) are those of
    [`BlockBottleneck2d`][netviz_models.mdnc.BlockBottleneck2d].

    Args:
        in_planes: Input channels.
        out_planes: Output channels.
        kernel_size: Kernel size of the two convs.
        stride: Down-sampling (``scaler='down'``) or up-sampling (``'up'``) factor,
            applied by the second conv.
        padding: Zero padding of the two convs.
        output_size: With ``scaler='up'``: the output size (``stride`` is then unused).
        normalizer: One of [`NORMALIZERS`][netviz_models.mdnc.NORMALIZERS] (default ``'pinst'``).
        activator: One of [`ACTIVATORS`][netviz_models.mdnc.ACTIVATORS] (default ``'prelu'``).
        layer_order: One of [`LAYER_ORDERS`][netviz_models.mdnc.LAYER_ORDERS] (default ``'new'``).
        scaler: One of [`SCALERS`][netviz_models.mdnc.SCALERS] (default ``'down'``).

    Raises:
        ValueError: An option is not one of its allowed values.

    Examples:
        A plain block with ½ down-sampling along the second axis and same padding:

        >>> import torch
        >>> layer = BlockPlain2d(16, 32, kernel_size=3, stride=(1, 2), padding=1)
        >>> layer(torch.zeros(1, 16, 4, 255)).shape
        torch.Size([1, 32, 4, 128])
        >>> sum(p.numel() for p in layer.parameters())
        7584

        Its layers in the form of torchsummary (``netviz summary SPEC --format torchsummary``):

        ```netviz
        model: netviz_models.mdnc:BlockPlain2d(16, 32, stride=(1, 2))
        input_shape: 16,4,255
        show: summary
        format: torchsummary
        ```
    """

    _order: ClassVar[int] = 2


class BlockPlain3d(BlockPlainNd):
    """Plain residual block (two ``kernel_size`` convs) on ``(B, C, L1, L2, L3)`` inputs.

    [`BlockPlain2d`][netviz_models.mdnc.BlockPlain2d] on volumes: the same
    arguments, branches and options.

    ```netviz
    model: netviz_models.mdnc:BlockPlain3d(16, 16)
    input_shape: 16,8,8,8
    ```

    With a projection (``in_planes != out_planes`` or a rescaling ``stride``):

    ```netviz
    model: netviz_models.mdnc:BlockPlain3d(16, 32, stride=2)
    input_shape: 16,8,8,8
    ```

    Examples:
        >>> import torch
        >>> layer = BlockPlain3d(16, 32, stride=2)
        >>> layer(torch.zeros(1, 16, 8, 8, 8)).shape
        torch.Size([1, 32, 4, 4, 4])
        >>> sum(p.numel() for p in layer.parameters())
        21408
    """

    _order: ClassVar[int] = 3


class BlockBottleneck1d(BlockBottleneckNd):
    """Bottleneck residual block (1, ``kernel_size``, 1 convs) on ``(B, C, L)`` inputs.

    [`BlockBottleneck2d`][netviz_models.mdnc.BlockBottleneck2d] on sequences:
    the same arguments (a size or stride is one number), branches and options.

    ```netviz
    model: netviz_models.mdnc:BlockBottleneck1d(16, 16)
    input_shape: 16,255
    ```

    With a projection (``in_planes != out_planes`` or a rescaling ``stride``):

    ```netviz
    model: netviz_models.mdnc:BlockBottleneck1d(16, 32, stride=2)
    input_shape: 16,255
    ```

    Examples:
        >>> import torch
        >>> layer = BlockBottleneck1d(16, 32, stride=2)
        >>> layer(torch.zeros(1, 16, 255)).shape
        torch.Size([1, 32, 128])
        >>> sum(p.numel() for p in layer.parameters())
        2256
    """

    _order: ClassVar[int] = 1


class BlockBottleneck2d(BlockBottleneckNd):
    """Bottleneck residual block (1x1, ``kernel_size``, 1x1 convs) on ``(B, C, L1, L2)`` inputs.

    The second of the two residual blocks of [He et al., *Deep Residual Learning
    for Image Recognition*](https://arxiv.org/abs/1512.03385). The block is the
    sum of two branches, the input and a convolutional branch of three modern
    conv layers: ``conv1`` and ``conv3`` are projection convs (``kernel_size=1``),
    ``conv2`` has ``kernel_size`` and rescales; the inner width is ``in_planes``.
    When neither the channels nor the size change, the input branch is the
    identity:

    ```netviz
    model: netviz_models.mdnc:BlockBottleneck2d(16, 16)
    input_shape: 16,4,255
    ```

    Compared to the plain block, it has fewer parameters for a deeper stack. If
    the channels or the size of the output change, the input branch ``in_node``
    maps the input to the output space with a 1x1 projection conv and a norm:

    ```netviz
    model: netviz_models.mdnc:BlockBottleneck2d(16, 32, stride=(1, 2))
    input_shape: 16,4,255
    ```

    A modern conv layer is norm → act → conv with ``layer_order='new'``, the
    "pre-activation" order of [He et al., *Identity Mappings in Deep Residual
    Networks*](https://arxiv.org/abs/1603.05027) (the default, recommended), and
    conv → norm → act with ``'old'``. The edges of the diagrams carry that norm
    and activation (``IN → PReLU``: InstanceNorm, then PReLU).

    Args:
        in_planes: Input channels (and the bottleneck's inner width).
        out_planes: Output channels.
        kernel_size: Kernel size of the middle conv.
        stride: Down-sampling (``scaler='down'``) or up-sampling (``'up'``) factor,
            applied by the middle conv.
        padding: Zero padding of the middle conv.
        output_size: With ``scaler='up'``: the output size (``stride`` is then unused).
        normalizer: One of [`NORMALIZERS`][netviz_models.mdnc.NORMALIZERS] (default ``'pinst'``).
        activator: One of [`ACTIVATORS`][netviz_models.mdnc.ACTIVATORS] (default ``'prelu'``).
        layer_order: One of [`LAYER_ORDERS`][netviz_models.mdnc.LAYER_ORDERS] (default ``'new'``).
        scaler: One of [`SCALERS`][netviz_models.mdnc.SCALERS] (default ``'down'``).

    Raises:
        ValueError: An option is not one of its allowed values.

    Examples:
        A bottleneck block with ½ down-sampling along the second axis and same padding:

        >>> import torch
        >>> layer = BlockBottleneck2d(16, 32, kernel_size=3, stride=(1, 2), padding=1)
        >>> layer(torch.zeros(1, 16, 4, 255)).shape
        torch.Size([1, 32, 4, 128])
        >>> sum(p.numel() for p in layer.parameters())
        3792

        Its layers in the form of torchsummary (``netviz summary SPEC --format torchsummary``):

        ```netviz
        model: netviz_models.mdnc:BlockBottleneck2d(16, 32, stride=(1, 2))
        input_shape: 16,4,255
        show: summary
        format: torchsummary
        ```

        The output size is ``(4, 128)``: the same padding is used on both axes. A
        reverse layer gives the output size of its up-sampling explicitly:

        >>> layer = BlockBottleneck2d(32, 16, output_size=(4, 255), scaler="up")
        >>> layer(torch.zeros(1, 32, 4, 128)).shape
        torch.Size([1, 16, 4, 255])
        >>> sum(p.numel() for p in layer.parameters())
        11584

        ```netviz
        model: netviz_models.mdnc:BlockBottleneck2d(32, 16, output_size=(4, 255), scaler="up")
        input_shape: 32,4,128
        show: summary
        format: torchsummary
        ```
    """

    _order: ClassVar[int] = 2


class BlockBottleneck3d(BlockBottleneckNd):
    """Bottleneck residual block (1, ``kernel_size``, 1 convs) on ``(B, C, L1, L2, L3)`` inputs.

    [`BlockBottleneck2d`][netviz_models.mdnc.BlockBottleneck2d] on volumes: the
    same arguments, branches and options.

    ```netviz
    model: netviz_models.mdnc:BlockBottleneck3d(16, 16)
    input_shape: 16,8,8,8
    ```

    With a projection (``in_planes != out_planes`` or a rescaling ``stride``):

    ```netviz
    model: netviz_models.mdnc:BlockBottleneck3d(16, 32, stride=2)
    input_shape: 16,8,8,8
    ```

    Examples:
        >>> import torch
        >>> layer = BlockBottleneck3d(16, 32, stride=2)
        >>> layer(torch.zeros(1, 16, 8, 8, 8)).shape
        torch.Size([1, 32, 4, 4, 4])
        >>> sum(p.numel() for p in layer.parameters())
        8400
    """

    _order: ClassVar[int] = 3


@register_model(
    "mdnc_bottleneck2d_ex1",
    input_shape=(16, 4, 255),
    description="mdnc BlockBottleneck2d example 1: 16->32 channels, 1/2 down-sampling",
)
def mdnc_bottleneck2d_ex1() -> BlockBottleneck2d:
    """The documentation's example 1: ``(16, 4, 255) → (32, 4, 128)``, 3,792 parameters."""
    return BlockBottleneck2d(16, 32, kernel_size=3, stride=(1, 2), padding=1, scaler="down")


@register_model(
    "mdnc_bottleneck2d_ex2",
    input_shape=(32, 4, 128),
    description="mdnc BlockBottleneck2d example 2: 32->16 channels, up-sampling to 4x255",
)
def mdnc_bottleneck2d_ex2() -> BlockBottleneck2d:
    """The documentation's example 2: ``(32, 4, 128) → (16, 4, 255)``, 11,584 parameters."""
    return BlockBottleneck2d(32, 16, kernel_size=3, output_size=(4, 255), padding=1, scaler="up")
