"""RegNet's blocks: squeeze-and-excitation, the bottleneck transform, the block, the stage.

Part of [`netviz_models.regnet`][netviz_models.regnet], which exports its public names.
"""

from __future__ import annotations

from collections import OrderedDict

from torch import Tensor, nn


def _conv_bn(
    width_in: int, width_out: int, kernel_size: int, stride: int = 1, groups: int = 1,
    *, relu: bool = True,
) -> nn.Sequential:
    """``conv (no bias) → BN [→ ReLU]`` (torchvision's ``Conv2dNormActivation``)."""
    layers: list[nn.Module] = [
        nn.Conv2d(width_in, width_out, kernel_size, stride, (kernel_size - 1) // 2,
                  groups=groups, bias=False),
        nn.BatchNorm2d(width_out),
    ]
    if relu:
        layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


class SqueezeExcitation(nn.Module):
    """``x · sigmoid(fc2(ReLU(fc1(avgpool(x)))))`` with 1x1 convs as the fcs.

    [Hu et al., *Squeeze-and-Excitation Networks*](https://arxiv.org/abs/1709.01507):
    a global average pool squeezes each channel to one number, two 1x1 convs
    (ReLU between, sigmoid after) turn those into one factor per channel, and
    the input is multiplied by them (32 channels, squeezed to 8):

    ```netviz
    model: netviz_models.regnet:SqueezeExcitation(32, 8)
    input_shape: 32,8,8
    ```

    Args:
        input_channels: Channels ``C``.
        squeeze_channels: Width of the squeeze.

    Attributes:
        avgpool: Global average pool.
        fc1: Squeeze, ``C → squeeze_channels``.
        fc2: Excite, ``squeeze_channels → C``.
        activation: ReLU.
        scale_activation: Sigmoid.

    Examples:
        >>> import torch
        >>> se = SqueezeExcitation(32, 8)
        >>> se(torch.zeros(1, 32, 8, 8)).shape
        torch.Size([1, 32, 8, 8])
        >>> sum(p.numel() for p in se.parameters())  # fc1 32·8 + 8, fc2 8·32 + 32
        552
    """

    def __init__(self, input_channels: int, squeeze_channels: int) -> None:
        super().__init__()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(input_channels, squeeze_channels, 1)
        self.fc2 = nn.Conv2d(squeeze_channels, input_channels, 1)
        self.activation = nn.ReLU()
        self.scale_activation = nn.Sigmoid()

    def forward(self, x: Tensor) -> Tensor:
        """Scale each channel of ``x`` by its excitation."""
        scale = self.scale_activation(self.fc2(self.activation(self.fc1(self.avgpool(x)))))
        return scale * x


class BottleneckTransform(nn.Sequential):
    """``a``: 1x1; ``b``: 3x3 group conv; ``se``: squeeze-excitation; ``c``: 1x1 without ReLU.

    The residual branch of a [`ResBottleneckBlock`][netviz_models.regnet.ResBottleneckBlock]:
    ``a`` maps to the bottleneck width (``width_out · bottleneck_multiplier``),
    ``b`` is a 3x3 conv in groups of ``group_width`` channels with the stride,
    ``se`` a [`SqueezeExcitation`][netviz_models.regnet.SqueezeExcitation] (when
    ``se_ratio`` is given, drawn as a cluster) and ``c`` maps to ``width_out``;
    each conv is followed by BN, and by ReLU but the last (32 channels, groups
    of 8, squeeze to 32 · 0.25):

    ```netviz
    model: netviz_models.regnet:BottleneckTransform(32, 32, 1, 8, 1.0, 0.25)
    input_shape: 32,8,8
    ```

    Args:
        width_in: Input channels.
        width_out: Output channels.
        stride: Stride of the 3x3 conv.
        group_width: Channels per group of the 3x3 conv.
        bottleneck_multiplier: Bottleneck width in multiples of ``width_out``.
        se_ratio: Squeeze width in multiples of ``width_in``, or ``None`` (no SE).

    Examples:
        >>> import torch
        >>> transform = BottleneckTransform(32, 32, 1, 8, 1.0, 0.25)
        >>> list(dict(transform.named_children()))
        ['a', 'b', 'se', 'c']
        >>> transform(torch.zeros(1, 32, 8, 8)).shape
        torch.Size([1, 32, 8, 8])
        >>> sum(p.numel() for p in transform.parameters())
        5096
    """

    def __init__(
        self,
        width_in: int,
        width_out: int,
        stride: int,
        group_width: int,
        bottleneck_multiplier: float,
        se_ratio: float | None,
    ) -> None:
        inner = int(round(width_out * bottleneck_multiplier))
        layers: OrderedDict[str, nn.Module] = OrderedDict()
        layers["a"] = _conv_bn(width_in, inner, 1)
        layers["b"] = _conv_bn(inner, inner, 3, stride, groups=inner // group_width)
        if se_ratio:
            layers["se"] = SqueezeExcitation(inner, int(round(se_ratio * width_in)))
        layers["c"] = _conv_bn(inner, width_out, 1, relu=False)
        super().__init__(layers)


class ResBottleneckBlock(nn.Module):
    """``ReLU(proj(x) + f(x))``, ``proj`` the identity unless the shape changes.

    The RegNet block: the input plus its
    [`BottleneckTransform`][netviz_models.regnet.BottleneckTransform] ``f``
    (a cluster of its own), then ReLU. When the shape stays, the input is added as
    it is:

    ```netviz
    model: netviz_models.regnet:ResBottleneckBlock(32, 32, 1, 8, 1.0, 0.25)
    input_shape: 32,8,8
    ```

    The first block of a stage changes the width and halves the size: ``proj``
    (a strided 1x1 conv and BN) maps the input to the output's shape:

    ```netviz
    model: netviz_models.regnet:ResBottleneckBlock(16, 32, 2, 8, 1.0, 0.25)
    input_shape: 16,16,16
    ```

    Args:
        width_in: Input channels.
        width_out: Output channels.
        stride: Stride of the 3x3 conv and of ``proj``.
        group_width: Channels per group of the 3x3 conv.
        bottleneck_multiplier: Bottleneck width in multiples of ``width_out``.
        se_ratio: Squeeze width in multiples of ``width_in``, or ``None`` (no SE).

    Attributes:
        proj: ``1x1 conv (stride) → BN``, or ``None``.
        f: The [`BottleneckTransform`][netviz_models.regnet.BottleneckTransform].
        activation: ReLU after the sum.

    Examples:
        >>> import torch
        >>> block = ResBottleneckBlock(16, 32, 2, 8, 1.0, 0.25)
        >>> block(torch.zeros(1, 16, 16, 16)).shape
        torch.Size([1, 32, 8, 8])
        >>> sum(p.numel() for p in block.parameters())  # proj 576, f 4,324
        4900
        >>> block = ResBottleneckBlock(32, 32, 1, 8, 1.0, 0.25)
        >>> block.proj is None, sum(p.numel() for p in block.parameters())
        (True, 5096)
    """

    def __init__(
        self,
        width_in: int,
        width_out: int,
        stride: int,
        group_width: int = 1,
        bottleneck_multiplier: float = 1.0,
        se_ratio: float | None = None,
    ) -> None:
        super().__init__()
        self.proj: nn.Module | None = None
        if width_in != width_out or stride != 1:
            self.proj = _conv_bn(width_in, width_out, 1, stride, relu=False)
        self.f = BottleneckTransform(
            width_in, width_out, stride, group_width, bottleneck_multiplier, se_ratio
        )
        self.activation = nn.ReLU(inplace=True)

    def forward(self, x: Tensor) -> Tensor:
        """Map ``(B, C_in, H, W)`` to ``(B, C_out, H/stride, W/stride)``."""
        if self.proj is not None:
            x = self.proj(x) + self.f(x)
        else:
            x = x + self.f(x)
        return self.activation(x)


class AnyStage(nn.Sequential):
    """One stage: blocks ``block{stage}-0`` (with the stride) … ``block{stage}-{depth-1}``.

    The first [`ResBottleneckBlock`][netviz_models.regnet.ResBottleneckBlock]
    changes the width and the size (its input projected), the others keep them
    and fold into one cluster (16 to 32 channels, three blocks):

    ```netviz
    model: netviz_models.regnet:AnyStage(16, 32, 2, 3, 8, 1.0, 0.25, 2)
    input_shape: 16,16,16
    ```

    Args:
        width_in: Input channels.
        width_out: Output channels of every block.
        stride: Stride of the first block.
        depth: Blocks.
        group_width: Channels per group of the 3x3 convs.
        bottleneck_multiplier: Bottleneck width in multiples of ``width_out``.
        se_ratio: Squeeze width in multiples of each block's input width, or ``None``.
        stage_index: The stage's number in the block names (``block2-0``, ...).

    Examples:
        >>> import torch
        >>> stage = AnyStage(16, 32, 2, 3, 8, 1.0, 0.25, 2)
        >>> list(dict(stage.named_children()))
        ['block2-0', 'block2-1', 'block2-2']
        >>> stage(torch.zeros(1, 16, 16, 16)).shape
        torch.Size([1, 32, 8, 8])
        >>> sum(p.numel() for p in stage.parameters())  # 4,900 + 2 · 5,096
        15092
    """

    def __init__(
        self,
        width_in: int,
        width_out: int,
        stride: int,
        depth: int,
        group_width: int,
        bottleneck_multiplier: float,
        se_ratio: float | None,
        stage_index: int,
    ) -> None:
        super().__init__()
        for i in range(depth):
            block = ResBottleneckBlock(
                width_in if i == 0 else width_out, width_out, stride if i == 0 else 1,
                group_width, bottleneck_multiplier, se_ratio,
            )
            self.add_module(f"block{stage_index}-{i}", block)
