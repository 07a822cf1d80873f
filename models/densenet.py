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

__all__ = ["DenseBlock", "DenseLayer", "DenseNet", "Transition", "densenet121", "densenet_mini"]

MINI_SHAPE = (3, 32, 32)


class DenseLayer(nn.Module):
    """One dense layer: ``k`` new channels from the concat of all earlier ones.

    Given the list of the block input and the outputs of the layers before it,
    the layer concatenates them along the channels, then ``BN → ReLU → 1x1 conv``
    to ``bn_size · k`` channels (the bottleneck of DenseNet-BC) and ``BN → ReLU →
    3x3 conv`` to ``k``. Given one tensor, it concatenates that alone; the first
    layer of a block with ``64`` input channels and ``k = 32`` (the norms and
    activations drawn as marks on the edges into the convs):

    ```netviz
    model: netviz_models.densenet:DenseLayer(64, 32, 4)
    input_shape: 64,8,8
    ```

    Args:
        num_input_features: Channels of the concatenated input.
        growth_rate: Channels the layer adds (``k``).
        bn_size: Bottleneck width, in multiples of ``k``.

    Attributes:
        norm1: Norm of the concatenated input.
        relu1: Activation after ``norm1``.
        conv1: 1x1 conv to ``bn_size * k`` channels.
        norm2: Norm after ``conv1``.
        relu2: Activation after ``norm2``.
        conv2: 3x3 conv to ``k`` channels.

    Examples:
        >>> import torch
        >>> layer = DenseLayer(64, 32, 4)
        >>> x = torch.zeros(1, 64, 8, 8)
        >>> layer(x).shape
        torch.Size([1, 32, 8, 8])
        >>> layer([x[:, :16], x[:, 16:]]).shape  # two earlier maps
        torch.Size([1, 32, 8, 8])
        >>> sum(p.numel() for p in layer.parameters())  # 384 + 8,192 + 36,864
        45440
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

    def forward(self, features: Tensor | list[Tensor]) -> Tensor:
        """The ``k`` new channels computed from ``torch.cat(features, 1)`` (or one tensor)."""
        if not isinstance(features, list):  # a Tensor, or a torch.fx proxy of one
            features = [features]
        concatenated = torch.cat(features, 1)
        bottleneck = self.conv1(self.relu1(self.norm1(concatenated)))
        return self.conv2(self.relu2(self.norm2(bottleneck)))


class DenseBlock(nn.ModuleDict):
    """``denselayer1`` … ``denselayerN``; returns the concat of the input and all layer outputs.

    Layer ``i`` ([`DenseLayer`][netviz_models.densenet.DenseLayer]) reads the
    concat of the block input and the ``k`` channels of each layer before it, so
    the block maps ``C`` channels to ``C + num_layers · k``. Drawn unfolded, every
    concat shows where its inputs come from (2 layers, 16 channels in, ``k = 8``):

    ```netviz
    model: netviz_models.densenet:DenseBlock(2, 16, 4, 8)
    input_shape: 16,8,8
    fold: false
    ```

    In a network diagram the layers of a block fold into one cluster, titled with
    the channels they span: ``Dense layer x 3, 16C → 40C (+8C each)`` for the first
    block of [`densenet_mini`][netviz_models.densenet.densenet_mini] (see
    [`DenseNet`][netviz_models.densenet.DenseNet]).

    Args:
        num_layers: Dense layers.
        num_input_features: Channels of the block input.
        bn_size: Bottleneck width of each layer, in multiples of ``k``.
        growth_rate: Channels each layer adds (``k``).

    Examples:
        >>> import torch
        >>> block = DenseBlock(2, 16, 4, 8)
        >>> block(torch.zeros(1, 16, 8, 8)).shape  # 16 + 2 · 8 channels
        torch.Size([1, 32, 8, 8])
        >>> sum(p.numel() for p in block.parameters())  # 2,912 + 3,184
        6096
    """

    def __init__(
        self, num_layers: int, num_input_features: int, bn_size: int, growth_rate: int
    ) -> None:
        super().__init__()
        for i in range(num_layers):
            layer = DenseLayer(num_input_features + i * growth_rate, growth_rate, bn_size)
            self.add_module(f"denselayer{i + 1}", layer)

    def forward(self, init_features: Tensor) -> Tensor:
        """Map ``C`` channels to ``C + num_layers * k``."""
        features = [init_features]
        for _, layer in self.items():
            features.append(layer(features))
        return torch.cat(features, 1)


class Transition(nn.Sequential):
    """``BN → ReLU → 1x1 conv → AvgPool 2x2/2`` between dense blocks.

    DenseNet-BC halves the channels and the resolution between dense blocks
    (40 channels to 20, 8x8 to 4x4):

    ```netviz
    model: netviz_models.densenet:Transition(40, 20)
    input_shape: 40,8,8
    ```

    Args:
        num_input_features: Input channels.
        num_output_features: Output channels of the 1x1 conv.

    Examples:
        >>> import torch
        >>> transition = Transition(40, 20)
        >>> transition(torch.zeros(1, 40, 8, 8)).shape
        torch.Size([1, 20, 4, 4])
        >>> sum(p.numel() for p in transition.parameters())  # norm 2·40, conv 40·20
        880
    """

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

    [Huang et al., *Densely Connected Convolutional Networks*](https://arxiv.org/abs/1608.06993):
    a 7x7/2 stem conv and a max pool, [`DenseBlock`][netviz_models.densenet.DenseBlock]s
    with a [`Transition`][netviz_models.densenet.Transition] between them, a last
    norm, ReLU, a global average pool and the classifier.
    [`densenet_mini`][netviz_models.densenet.densenet_mini] (32x32 images, blocks of
    3 and 6 layers, ``k = 8``), the layers of each block folded into one cluster
    titled with the channels it spans:

    ```netviz
    model: densenet_mini
    legend: true
    ```

    Its layers and parameters, one row per group of the diagram:

    ```netviz
    model: densenet_mini
    show: summary
    ```

    Args:
        growth_rate: Channels each dense layer adds (``k``).
        block_config: Dense layers per block.
        num_init_features: Channels of the stem conv.
        bn_size: Bottleneck width of a dense layer, in multiples of ``k``.
        num_classes: Outputs of the classifier.

    Raises:
        ValueError: ``block_config`` is empty.

    Attributes:
        features: ``conv0, norm0, relu0, pool0``, then ``denseblock1``, ``transition1``, …,
            the last dense block, and ``norm5``.
        classifier: Linear classifier.

    Examples:
        >>> import torch
        >>> model = DenseNet(8, (3, 6), 16, num_classes=10)
        >>> model(torch.zeros(2, 3, 32, 32)).shape
        torch.Size([2, 10])
        >>> sum(p.numel() for p in model.parameters())
        36010
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
            block = DenseBlock(num_layers, channels, bn_size, growth_rate)
            self.features.add_module(f"denseblock{i}", block)
            channels += num_layers * growth_rate
            if i < len(block_config):
                self.features.add_module(f"transition{i}", Transition(channels, channels // 2))
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

    Examples:
        >>> import torch
        >>> with torch.device("meta"):  # no weights allocated
        ...     model = densenet121()
        >>> f"{sum(p.numel() for p in model.parameters()):,}"
        '7,978,856'
    """
    return DenseNet(32, (6, 12, 24, 16), 64, num_classes=num_classes)


@register_model(
    "densenet_mini",
    input_shape=MINI_SHAPE,
    description="DenseNet-style: dense blocks of 3 and 6 layers, k = 8 (32x32)",
)
def densenet_mini(*, num_classes: int = 10) -> DenseNet:
    """A compact DenseNet: ``k = 8``, blocks of 3 and 6 layers, 16 → 40 → 20 → 68 channels.

    36,010 parameters.

    Examples:
        >>> sum(p.numel() for p in densenet_mini().parameters())
        36010
    """
    return DenseNet(8, (3, 6), 16, num_classes=num_classes)
