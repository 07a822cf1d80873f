"""RegNetY (Radosavovic et al., 2020), compatible with torchvision, widths computed with tensors.

The builder derives every stage's width and depth from four numbers (initial
width ``w_0``, slope ``w_a``, log-step ``w_m``, total depth) the way torchvision's
``BlockParams.from_init_params`` does: with tensor ops (``torch.arange``,
``torch.log``, ``torch.round``, ``torch.diff``) read back with ``.tolist()``. Built
on the meta device, that read-back fails ("Cannot copy out of meta tensor"), as
it does for torchvision's RegNets; on the CPU it works.

Blocks are residual bottlenecks: ``1x1 → BN → ReLU``, ``3x3 group conv (stride)
→ BN → ReLU``, squeeze-and-excitation, ``1x1 → BN``, plus the input (projected by
``1x1 conv → BN`` when the shape changes), then ReLU. Stem ``3x3/2 conv → BN →
ReLU``; head global average pool, ``fc``. Module names and ``state_dict`` keys
equal ``torchvision.models.regnet_y_400mf``'s.

Examples:
    >>> import torch
    >>> from netviz_models.regnet import BlockParams, regnet_mini, regnet_y_400mf
    >>> params = BlockParams.from_init_params(
    ...     depth=16, w_0=48, w_a=27.89, w_m=2.09, group_width=8)
    >>> params.widths
    [48, 104, 208, 440]
    >>> sum(p.numel() for p in regnet_y_400mf().parameters())
    4344144
    >>> regnet_mini()(torch.zeros(2, 3, 32, 32)).shape
    torch.Size([2, 10])
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from netviz.registry import register_model

from ._regnet_blocks import (  # in the order of the API page: from the smallest part up
    SqueezeExcitation,
    BottleneckTransform,
    ResBottleneckBlock,
    AnyStage,
    _conv_bn,
)

__all__ = [
    "AnyStage",
    "BlockParams",
    "BottleneckTransform",
    "RegNet",
    "ResBottleneckBlock",
    "SqueezeExcitation",
    "regnet_mini",
    "regnet_y_400mf",
]

MINI_SHAPE = (3, 32, 32)
QUANT = 8
"""Block widths are multiples of this."""


def _make_divisible(value: float, divisor: int) -> int:
    """``value`` rounded to a multiple of ``divisor``, never below 90 % of it."""
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


@dataclass(frozen=True)
class BlockParams:
    """Per-stage settings of a RegNet.

    A [`RegNet`][netviz_models.regnet.RegNet] has one stage per entry: its depth,
    width, group width, bottleneck multiplier and first stride, and the
    squeeze-and-excitation ratio of all its blocks.
    [`from_init_params`][netviz_models.regnet.BlockParams.from_init_params] derives
    them from the four numbers of the design space. Those of
    [`regnet_mini`][netviz_models.regnet.regnet_mini] (depth 6, ``w_0 = 16``,
    ``w_a = 8``, ``w_m = 2``) are three stages of 1, 3 and 2 blocks, 16, 32 and 64
    channels, each halving the size (the sizes in the data nodes):

    ```netviz
    model: regnet_mini
    shapes: true
    ```

    Attributes:
        depths: Blocks per stage.
        widths: Output channels per stage.
        group_widths: Channels per group of the 3x3 conv, per stage.
        bottleneck_multipliers: Bottleneck width in multiples of the output width.
        strides: Stride of each stage's first block.
        se_ratio: Squeeze width in multiples of the block input width, or ``None`` (no SE).

    Examples:
        >>> params = BlockParams.from_init_params(
        ...     depth=6, w_0=16, w_a=8.0, w_m=2.0, group_width=8, se_ratio=0.25)
        >>> params.depths, params.widths, params.strides
        ([1, 3, 2], [16, 32, 64], [2, 2, 2])
    """

    depths: list[int]
    widths: list[int]
    group_widths: list[int]
    bottleneck_multipliers: list[float]
    strides: list[int]
    se_ratio: float | None = None

    @classmethod
    def from_init_params(
        cls,
        depth: int,
        w_0: int,
        w_a: float,
        w_m: float,
        group_width: int,
        bottleneck_multiplier: float = 1.0,
        se_ratio: float | None = None,
    ) -> BlockParams:
        """Quantised linear widths, grouped into stages of equal width (with tensor ops).

        Block ``i`` has width ``w_0 · w_m^round(log(1 + i·w_a/w_0) / log w_m)``
        rounded to a multiple of 8; consecutive blocks of equal width form a stage.

        Args:
            depth: Total number of blocks.
            w_0: Initial width, a multiple of 8.
            w_a: Width slope (≥ 0).
            w_m: Width multiplier between stages (> 1).
            group_width: Channels per group of the 3x3 conv.
            bottleneck_multiplier: Bottleneck width in multiples of the output width.
            se_ratio: Squeeze width in multiples of the block input width.

        Returns:
            The per-stage settings.

        Raises:
            ValueError: The four numbers are out of range.
        """
        if w_a < 0 or w_0 <= 0 or w_m <= 1 or w_0 % QUANT:
            raise ValueError(f"invalid RegNet settings: w_0={w_0}, w_a={w_a}, w_m={w_m}")
        widths_cont = torch.arange(depth) * w_a + w_0
        capacity = torch.round(torch.log(widths_cont / w_0) / math.log(w_m))
        quantised = torch.round(w_0 * torch.pow(w_m, capacity) / QUANT) * QUANT
        block_widths: list[int] = quantised.int().tolist()
        starts = [i for i in range(depth) if i == 0 or block_widths[i] != block_widths[i - 1]]
        stage_widths = [block_widths[i] for i in starts]
        stage_depths: list[int] = torch.diff(torch.tensor([*starts, depth])).tolist()
        n = len(stage_widths)
        bottleneck = [bottleneck_multiplier] * n
        # widths and group widths made compatible: the bottleneck splits into whole groups
        inner = [int(w * b) for w, b in zip(stage_widths, bottleneck)]
        groups = [min(group_width, w) for w in inner]
        inner = [_make_divisible(w, g) for w, g in zip(inner, groups)]
        stage_widths = [int(w / b) for w, b in zip(inner, bottleneck)]
        return cls(stage_depths, stage_widths, groups, bottleneck, [2] * n, se_ratio)


class RegNet(nn.Module):
    """RegNet classifier.

    [Radosavovic et al., *Designing Network Design
    Spaces*](https://arxiv.org/abs/2003.13678): a 3x3/2 stem conv, one
    [`AnyStage`][netviz_models.regnet.AnyStage] per stage of ``block_params``, a
    global average pool and ``fc``. [`regnet_mini`][netviz_models.regnet.regnet_mini]
    (32x32 images, stages of 1, 3 and 2 blocks), the identical blocks of each stage
    folded into one cluster:

    ```netviz
    model: regnet_mini
    legend: true
    ```

    Its layers and parameters, one row per group of the diagram:

    ```netviz
    model: regnet_mini
    show: summary
    ```

    Args:
        block_params: Per-stage settings.
        stem_width: Channels of the stem conv.
        num_classes: Outputs of ``fc``.

    Attributes:
        stem: ``3x3/2 conv → BN → ReLU``.
        trunk_output: ``block1`` … one [`AnyStage`][netviz_models.regnet.AnyStage] per stage.
        avgpool: Global average pool.
        fc: Linear classifier.

    Examples:
        >>> import torch
        >>> params = BlockParams.from_init_params(
        ...     depth=6, w_0=16, w_a=8.0, w_m=2.0, group_width=8, se_ratio=0.25)
        >>> model = RegNet(params, stem_width=16, num_classes=10)
        >>> model(torch.zeros(2, 3, 32, 32)).shape
        torch.Size([2, 10])
        >>> sum(p.numel() for p in model.parameters())
        48122
    """

    def __init__(
        self, block_params: BlockParams, *, stem_width: int = 32, num_classes: int = 1000
    ) -> None:
        super().__init__()
        self.stem = _conv_bn(3, stem_width, 3, 2)
        width = stem_width
        stages: OrderedDict[str, nn.Module] = OrderedDict()
        settings = zip(block_params.widths, block_params.strides, block_params.depths,
                       block_params.group_widths, block_params.bottleneck_multipliers)
        for i, (width_out, stride, depth, group_width, multiplier) in enumerate(settings, 1):
            stages[f"block{i}"] = AnyStage(
                width, width_out, stride, depth, group_width, multiplier,
                block_params.se_ratio, i,
            )
            width = width_out
        self.trunk_output = nn.Sequential(stages)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(width, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        """Map ``(B, 3, H, W)`` images to ``(B, num_classes)`` logits."""
        x = self.stem(x)
        x = self.trunk_output(x)
        x = self.avgpool(x)
        x = x.flatten(start_dim=1)
        return self.fc(x)


def regnet_y_400mf(*, num_classes: int = 1000) -> RegNet:
    """RegNetY-400MF as torchvision builds it (4,344,144 parameters).

    Not registered (its gallery page would be slow); draw it with
    ``netviz render netviz_models.regnet:regnet_y_400mf --input-shape 3,224,224``.

    Examples:
        >>> model = regnet_y_400mf()  # on the CPU: widths come from tensors
        >>> f"{sum(p.numel() for p in model.parameters()):,}"
        '4,344,144'
    """
    params = BlockParams.from_init_params(
        depth=16, w_0=48, w_a=27.89, w_m=2.09, group_width=8, se_ratio=0.25
    )
    return RegNet(params, num_classes=num_classes)


@register_model(
    "regnet_mini",
    input_shape=MINI_SHAPE,
    description="RegNetY-style: widths from tensor ops, group convs, SE (32x32)",
)
def regnet_mini(*, num_classes: int = 10) -> RegNet:
    """A compact RegNetY: depth 6, ``w_0 = 16``, ``w_a = 8``, ``w_m = 2``: 16 x1, 32 x3, 64 x2.

    Group width 8, SE ratio 0.25, stem 16; 48,122 parameters.

    Examples:
        >>> sum(p.numel() for p in regnet_mini().parameters())
        48122
    """
    params = BlockParams.from_init_params(
        depth=6, w_0=16, w_a=8.0, w_m=2.0, group_width=8, se_ratio=0.25
    )
    return RegNet(params, stem_width=16, num_classes=num_classes)
