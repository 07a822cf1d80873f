"""MobileNetV2 (Sandler et al., 2018), compatible with torchvision.

Stages of inverted residual blocks: ``1x1 expand → BN → ReLU6`` (left out when the
expansion is 1), ``3x3 depthwise (stride) → BN → ReLU6``, ``1x1 project → BN``
(linear bottleneck); the input is added back only when the stride is 1 and the
channels do not change. Stem ``3x3/2 conv → BN → ReLU6``, a last ``1x1 conv → BN
→ ReLU6``, global average pool, ``Dropout → Linear``.

Module names and ``state_dict`` keys equal ``torchvision.models.mobilenet_v2``'s
(``features.0`` … ``features.18``, ``features.N.conv.M``, ``classifier.1``).

Examples:
    >>> import torch
    >>> from netviz_models.mobilenet import mobilenet_v2, mobilenet_v2_mini
    >>> with torch.device("meta"):
    ...     sum(p.numel() for p in mobilenet_v2().parameters())
    3504872
    >>> mobilenet_v2_mini()(torch.zeros(2, 3, 32, 32)).shape
    torch.Size([2, 10])
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from netviz.registry import register_model

__all__ = ["MOBILENET_V2_SETTING", "InvertedResidual", "MobileNetV2", "conv_bn_relu6",
           "mobilenet_v2", "mobilenet_v2_mini"]

MINI_SHAPE = (3, 32, 32)

MOBILENET_V2_SETTING: tuple[tuple[int, int, int, int], ...] = (
    (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
    (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1),
)
"""MobileNetV2's stages: (expansion t, channels c, blocks n, first stride s)."""


def conv_bn_relu6(
    in_channels: int, out_channels: int, kernel_size: int = 3, stride: int = 1, groups: int = 1
) -> nn.Sequential:
    """``conv (no bias, same padding) → BN → ReLU6`` (torchvision's ``Conv2dNormActivation``).

    Args:
        in_channels: Input channels.
        out_channels: Output channels.
        kernel_size: Square kernel side.
        stride: Stride.
        groups: Conv groups (``in_channels`` for a depthwise conv).

    Returns:
        The three layers as ``0``, ``1``, ``2``.
    """
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size, stride, (kernel_size - 1) // 2,
                  groups=groups, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU6(inplace=True),
    )


class InvertedResidual(nn.Module):
    """Expand, depthwise, project; ``x + block(x)`` when stride 1 and channels kept.

    The block of [Sandler et al., *MobileNetV2*](https://arxiv.org/abs/1801.04381):
    a 1x1 conv expands the channels ``expand_ratio`` times, a 3x3 depthwise conv
    (with the stride) filters each channel, a 1x1 conv projects to ``oup``
    channels with no activation after it (the linear bottleneck); BN after every
    conv, ReLU6 after the first two. When the block keeps the shape, the input is
    added back (16 channels, ``t = 6``):

    ```netviz
    model: netviz_models.mobilenet:InvertedResidual(16, 16, 1, 6)
    input_shape: 16,8,8
    ```

    With stride 2 or a change of channels there is no residual sum:

    ```netviz
    model: netviz_models.mobilenet:InvertedResidual(16, 24, 2, 6)
    input_shape: 16,8,8
    ```

    Args:
        inp: Input channels.
        oup: Output channels.
        stride: 1 or 2.
        expand_ratio: Hidden width in multiples of ``inp`` (1: no expansion conv).

    Raises:
        ValueError: ``stride`` is not 1 or 2.

    Attributes:
        stride: Stride of the depthwise conv.
        use_res_connect: Whether the input is added back.
        conv: ``[expand,] depthwise, project conv, project BN``.
        out_channels: Output channels.

    Examples:
        >>> import torch
        >>> block = InvertedResidual(16, 16, 1, 6)
        >>> block.use_res_connect, block(torch.zeros(1, 16, 8, 8)).shape
        (True, torch.Size([1, 16, 8, 8]))
        >>> sum(p.numel() for p in block.parameters())  # 1,728 + 1,056 + 1,568
        4352
        >>> block = InvertedResidual(16, 24, 2, 6)
        >>> block.use_res_connect, block(torch.zeros(1, 16, 8, 8)).shape
        (False, torch.Size([1, 24, 4, 4]))
        >>> sum(p.numel() for p in block.parameters())
        5136
    """

    def __init__(self, inp: int, oup: int, stride: int, expand_ratio: int) -> None:
        super().__init__()
        if stride not in (1, 2):
            raise ValueError(f"stride should be 1 or 2, got {stride}")
        self.stride = stride
        hidden = int(round(inp * expand_ratio))
        self.use_res_connect = stride == 1 and inp == oup
        layers: list[nn.Module] = []
        if expand_ratio != 1:
            layers.append(conv_bn_relu6(inp, hidden, kernel_size=1))
        layers += [
            conv_bn_relu6(hidden, hidden, stride=stride, groups=hidden),
            nn.Conv2d(hidden, oup, 1, 1, 0, bias=False),
            nn.BatchNorm2d(oup),
        ]
        self.conv = nn.Sequential(*layers)
        self.out_channels = oup

    def forward(self, x: Tensor) -> Tensor:
        """Return ``x + conv(x)`` or ``conv(x)``."""
        if self.use_res_connect:
            return x + self.conv(x)
        return self.conv(x)


class MobileNetV2(nn.Module):
    """MobileNetV2 classifier.

    A 3x3/2 stem conv, stages of [`InvertedResidual`][netviz_models.mobilenet.InvertedResidual]
    blocks (the first of a stage with the stage's stride, the others with a
    residual sum), a last 1x1 conv, a global average pool and ``Dropout →
    Linear``. [`mobilenet_v2_mini`][netviz_models.mobilenet.mobilenet_v2_mini]
    (32x32 images, three stages), the identical blocks folded into one cluster:

    ```netviz
    model: mobilenet_v2_mini
    legend: true
    ```

    Its layers and parameters, one row per group of the diagram:

    ```netviz
    model: mobilenet_v2_mini
    show: summary
    ```

    Args:
        inverted_residual_setting: Stages as ``(t, c, n, s)``, see
            [`MOBILENET_V2_SETTING`][netviz_models.mobilenet.MOBILENET_V2_SETTING].
        stem_channels: Channels of the stem conv.
        last_channel: Channels of the last 1x1 conv.
        dropout: Dropout probability before the classifier.
        num_classes: Outputs of the classifier.

    Raises:
        ValueError: A stage is not four numbers.

    Attributes:
        last_channel: Channels of the last 1x1 conv.
        features: Stem, the inverted residual blocks, the last 1x1 conv.
        classifier: ``Dropout → Linear``.

    Examples:
        >>> import torch
        >>> setting = [(1, 8, 1, 1), (6, 16, 2, 2), (6, 24, 3, 2)]
        >>> model = MobileNetV2(
        ...     setting, stem_channels=16, last_channel=64, num_classes=10)
        >>> model(torch.zeros(2, 3, 32, 32)).shape
        torch.Size([2, 10])
        >>> sum(p.numel() for p in model.parameters())
        32058
    """

    def __init__(
        self,
        inverted_residual_setting: Sequence[Sequence[int]] = MOBILENET_V2_SETTING,
        *,
        stem_channels: int = 32,
        last_channel: int = 1280,
        dropout: float = 0.2,
        num_classes: int = 1000,
    ) -> None:
        super().__init__()
        if not inverted_residual_setting or any(len(s) != 4 for s in inverted_residual_setting):
            raise ValueError(
                "inverted_residual_setting must be (t, c, n, s) rows, "
                f"got {inverted_residual_setting}"
            )
        features: list[nn.Module] = [conv_bn_relu6(3, stem_channels, stride=2)]
        channels = stem_channels
        for t, c, n, s in inverted_residual_setting:
            for i in range(n):
                features.append(InvertedResidual(channels, c, s if i == 0 else 1, t))
                channels = c
        features.append(conv_bn_relu6(channels, last_channel, kernel_size=1))
        self.last_channel = last_channel
        self.features = nn.Sequential(*features)
        self.classifier = nn.Sequential(nn.Dropout(p=dropout), nn.Linear(last_channel, num_classes))

    def forward(self, x: Tensor) -> Tensor:
        """Map ``(B, 3, H, W)`` images to ``(B, num_classes)`` logits."""
        x = self.features(x)
        x = F.adaptive_avg_pool2d(x, (1, 1))
        x = torch.flatten(x, 1)
        return self.classifier(x)


def mobilenet_v2(*, num_classes: int = 1000) -> MobileNetV2:
    """MobileNetV2 (width 1.0) as torchvision builds it (3,504,872 parameters).

    Not registered (its gallery page would be slow); draw it with
    ``netviz render netviz_models.mobilenet:mobilenet_v2 --input-shape 3,224,224``.

    Examples:
        >>> import torch
        >>> with torch.device("meta"):  # no weights allocated
        ...     model = mobilenet_v2()
        >>> f"{sum(p.numel() for p in model.parameters()):,}"
        '3,504,872'
    """
    return MobileNetV2(num_classes=num_classes)


@register_model(
    "mobilenet_v2_mini",
    input_shape=MINI_SHAPE,
    description="MobileNetV2-style: stages of inverted residual blocks (32x32)",
)
def mobilenet_v2_mini(*, num_classes: int = 10) -> MobileNetV2:
    """A compact MobileNetV2: stem 16, stages (t, c, n, s) = (1, 8, 1, 1), (6, 16, 2, 2),
    (6, 24, 3, 2), last conv 64.

    32,058 parameters.

    Examples:
        >>> sum(p.numel() for p in mobilenet_v2_mini().parameters())
        32058
    """
    setting = ((1, 8, 1, 1), (6, 16, 2, 2), (6, 24, 3, 2))
    return MobileNetV2(setting, stem_channels=16, last_channel=64, num_classes=num_classes)
