"""DenseNet-BC (Huang et al., 2017), compatible with torchvision.

Each dense layer reads the ``torch.cat`` of all earlier feature maps of its
block and adds ``k`` (the growth rate) new channels:
``BN → ReLU → 1x1 conv (bn_size·k) → BN → ReLU → 3x3 conv (k)``. A transition
between blocks halves the channels and the resolution
(``BN → ReLU → 1x1 conv → AvgPool 2``). Stem ``conv 7x7/2 → BN → ReLU →
MaxPool 3/2``; head ``BN → ReLU → global average pool → Linear``.

Module names and ``state_dict`` keys equal ``torchvision.models.densenet121``'s
(``features.denseblock1.denselayer1.conv1``, ``features.transition1.conv``, …).

Examples:
    >>> import torch
    >>> from netviz_models.densenet import densenet121, densenet_mini
    >>> with torch.device("meta"):
    ...     sum(p.numel() for p in densenet121().parameters())
    7978856
    >>> densenet_mini()(torch.zeros(2, 3, 32, 32)).shape
    torch.Size([2, 10])
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from netviz.registry import register_model

__all__ = ["DenseNet", "densenet121", "densenet_mini"]

MINI_SHAPE = (3, 32, 32)


class _DenseLayer(nn.Module):
    """One dense layer: ``k`` new channels from the concat of all earlier ones.

    Attributes:
        norm1, relu1, conv1: ``BN → ReLU → 1x1 conv`` to ``bn_size * k`` channels.
        norm2, relu2, conv2: ``BN → ReLU → 3x3 conv`` to ``k`` channels.
    """

    def __init__(self, num_input_features: int, growth_rate: int, bn_size: int) -> None:
        super().__init__()
        inner = bn_size * growth_rate
        self.norm1 = nn.BatchNorm2d(num_input_features)
        self.relu1 = nn.ReLU(inplace=True)
        self.conv1 = nn.Conv2d(num_input_features, inner, kernel_size=1, bias=False)
        self.norm2 = nn.BatchNorm2d(inner)
        self.relu2 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(inner, growth_rate, kernel_size=3, padding=1, bias=False)

    def forward(self, features: list[Tensor]) -> Tensor:
        """The ``k`` new channels computed from ``torch.cat(features, 1)``."""
        concatenated = torch.cat(features, 1)
        bottleneck = self.conv1(self.relu1(self.norm1(concatenated)))
        return self.conv2(self.relu2(self.norm2(bottleneck)))


class _DenseBlock(nn.ModuleDict):
    """``denselayer1`` … ``denselayerN``; returns the concat of the input and all layer outputs."""

    def __init__(
        self, num_layers: int, num_input_features: int, bn_size: int, growth_rate: int
    ) -> None:
        super().__init__()
        for i in range(num_layers):
            layer = _DenseLayer(num_input_features + i * growth_rate, growth_rate, bn_size)
            self.add_module(f"denselayer{i + 1}", layer)

    def forward(self, init_features: Tensor) -> Tensor:
        """Map ``C`` channels to ``C + num_layers * k``."""
        features = [init_features]
        for _, layer in self.items():
            features.append(layer(features))
        return torch.cat(features, 1)


class _Transition(nn.Sequential):
    """``BN → ReLU → 1x1 conv → AvgPool 2x2/2`` between dense blocks."""

    def __init__(self, num_input_features: int, num_output_features: int) -> None:
        super().__init__()
        self.add_module("norm", nn.BatchNorm2d(num_input_features))
        self.add_module("relu", nn.ReLU(inplace=True))
        self.add_module(
            "conv", nn.Conv2d(num_input_features, num_output_features, kernel_size=1, bias=False)
        )
        self.add_module("pool", nn.AvgPool2d(kernel_size=2, stride=2))


class DenseNet(nn.Module):
    """DenseNet-BC classifier.

    Attributes:
        features: ``conv0, norm0, relu0, pool0``, then ``denseblock1``, ``transition1``, …,
            the last dense block, and ``norm5``.
        classifier: Linear classifier.
    """

    def __init__(
        self,
        growth_rate: int = 32,
        block_config: Sequence[int] = (6, 12, 24, 16),
        num_init_features: int = 64,
        bn_size: int = 4,
        *,
        num_classes: int = 1000,
    ) -> None:
        """Build the network.

        Args:
            growth_rate: Channels each dense layer adds (``k``).
            block_config: Dense layers per block.
            num_init_features: Channels of the stem conv.
            bn_size: Bottleneck width of a dense layer, in multiples of ``k``.
            num_classes: Outputs of the classifier.

        Raises:
            ValueError: ``block_config`` is empty.
        """
        super().__init__()
        if not block_config:
            raise ValueError("block_config needs at least one dense block")
        self.features = nn.Sequential(OrderedDict([
            ("conv0", nn.Conv2d(3, num_init_features, kernel_size=7, stride=2, padding=3,
                                bias=False)),
            ("norm0", nn.BatchNorm2d(num_init_features)),
            ("relu0", nn.ReLU(inplace=True)),
            ("pool0", nn.MaxPool2d(kernel_size=3, stride=2, padding=1)),
        ]))
        channels = num_init_features
        for i, num_layers in enumerate(block_config, start=1):
            block = _DenseBlock(num_layers, channels, bn_size, growth_rate)
            self.features.add_module(f"denseblock{i}", block)
            channels += num_layers * growth_rate
            if i < len(block_config):
                self.features.add_module(f"transition{i}", _Transition(channels, channels // 2))
                channels //= 2
        self.features.add_module("norm5", nn.BatchNorm2d(channels))
        self.classifier = nn.Linear(channels, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        """Map ``(B, 3, H, W)`` images to ``(B, num_classes)`` logits."""
        features = self.features(x)
        out = F.relu(features, inplace=True)
        out = F.adaptive_avg_pool2d(out, (1, 1))
        out = torch.flatten(out, 1)
        return self.classifier(out)


def densenet121(*, num_classes: int = 1000) -> DenseNet:
    """DenseNet-121: ``k = 32``, blocks 6-12-24-16, 64 stem channels (7,978,856 parameters).

    Not registered (its 58 dense layers make the gallery page slow); draw it with
    ``netviz render netviz_models.densenet:densenet121 --input-shape 3,224,224``.
    """
    return DenseNet(32, (6, 12, 24, 16), 64, num_classes=num_classes)


@register_model(
    "densenet_mini",
    input_shape=MINI_SHAPE,
    description="DenseNet-style: dense blocks of 3 and 6 layers, k = 8 (32x32)",
)
def densenet_mini(*, num_classes: int = 10) -> DenseNet:
    """A compact DenseNet: ``k = 8``, blocks of 3 and 6 layers, 16 → 40 → 20 → 68 channels."""
    return DenseNet(8, (3, 6), 16, num_classes=num_classes)
