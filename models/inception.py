"""GoogLeNet (Inception v1, Szegedy et al., 2014), compatible with torchvision.

An Inception module runs four branches on the same input and joins them with
``torch.cat`` along the channels: ``1x1``; ``1x1 → 3x3``; ``1x1 → 5x5`` (torchvision
builds this branch with a 3x3 kernel, a known quirk its weights depend on; the
``branch3_kernel`` argument chooses); ``3x3 max pool → 1x1``. Every conv is a
``BasicConv2d`` (conv without bias, BN, ReLU). Stem: ``conv1`` 7x7/2, max pool,
``conv2`` 1x1, ``conv3`` 3x3, max pool; then stages of Inception modules
(``inception3a``, ``inception3b``, …) with a max pool between stages; global
average pool, dropout, ``fc``.

Module names and ``state_dict`` keys equal ``torchvision.models.googlenet``'s
without the auxiliary classifiers (``aux_logits=False``, as its published
weights are used for inference).

Examples:
    >>> import torch
    >>> from netviz_models.inception import googlenet, googlenet_mini
    >>> with torch.device("meta"):
    ...     sum(p.numel() for p in googlenet().parameters())
    6624904
    >>> googlenet_mini()(torch.zeros(2, 3, 32, 32)).shape
    torch.Size([2, 10])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from netviz.registry import register_model

__all__ = ["GOOGLENET_STAGES", "BasicConv2d", "GoogLeNet", "Inception", "googlenet",
           "googlenet_mini"]

MINI_SHAPE = (3, 32, 32)

InceptionConfig = tuple[int, int, int, int, int, int]
"""``(ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj)`` of one module."""

GOOGLENET_STAGES: tuple[tuple[InceptionConfig, ...], ...] = (
    ((64, 96, 128, 16, 32, 32), (128, 128, 192, 32, 96, 64)),
    ((192, 96, 208, 16, 48, 64), (160, 112, 224, 24, 64, 64), (128, 128, 256, 24, 64, 64),
     (112, 144, 288, 32, 64, 64), (256, 160, 320, 32, 128, 128)),
    ((256, 160, 320, 32, 128, 128), (384, 192, 384, 48, 128, 128)),
)
"""The Inception modules of GoogLeNet: stages 3 (a-b), 4 (a-e) and 5 (a-b)."""


class BasicConv2d(nn.Module):
    """``conv (no bias) → BN (eps 0.001) → ReLU``.

    Every conv of GoogLeNet is one; drawn as the conv with its norm and activation
    as a mark on the edge out of it (a 3x3 conv, 16 to 32 channels):

    ```netviz
    model: netviz_models.inception:BasicConv2d(16, 32, kernel_size=3, padding=1)
    input_shape: 16,8,8
    ```

    Args:
        in_channels: Input channels.
        out_channels: Output channels.
        **kwargs: ``kernel_size``, ``stride``, ``padding`` of the conv.

    Attributes:
        conv: The convolution.
        bn: Its norm.

    Examples:
        >>> import torch
        >>> conv = BasicConv2d(16, 32, kernel_size=3, padding=1)
        >>> conv(torch.zeros(1, 16, 8, 8)).shape
        torch.Size([1, 32, 8, 8])
        >>> sum(p.numel() for p in conv.parameters())  # conv 16·32·9, norm 2·32
        4672
    """

    def __init__(self, in_channels: int, out_channels: int, **kwargs: Any) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, bias=False, **kwargs)
        self.bn = nn.BatchNorm2d(out_channels, eps=0.001)

    def forward(self, x: Tensor) -> Tensor:
        """Return ``ReLU(BN(conv(x)))``."""
        return F.relu(self.bn(self.conv(x)), inplace=True)


class Inception(nn.Module):
    """Four parallel branches joined by ``torch.cat`` along the channels.

    The module of [Szegedy et al., *Going Deeper with
    Convolutions*](https://arxiv.org/abs/1409.4842): a 1x1 conv; a 1x1 reduction
    and a 3x3 conv; a 1x1 reduction and a ``branch3_kernel`` conv (5x5 in the paper);
    a 3x3 max pool (stride 1) and a 1x1 projection, each conv a
    [`BasicConv2d`][netviz_models.inception.BasicConv2d]. The module outputs
    ``ch1x1 + ch3x3 + ch5x5 + pool_proj`` channels at the input's size.
    ``inception3a`` of [`googlenet_mini`][netviz_models.inception.googlenet_mini]
    (32 channels in, 8 + 16 + 8 + 8 out):

    ```netviz
    model: netviz_models.inception:Inception(32, 8, 8, 16, 4, 8, 8, branch3_kernel=5)
    input_shape: 32,8,8
    ```

    Args:
        in_channels: Input channels.
        ch1x1: Output of the 1x1 branch.
        ch3x3red: Reduction before the 3x3 conv.
        ch3x3: Output of the 3x3 branch.
        ch5x5red: Reduction before the third branch's conv.
        ch5x5: Output of the third branch.
        pool_proj: Output of the pool branch's 1x1 conv.
        branch3_kernel: Kernel of the third branch's second conv (3 as torchvision, 5 as
            the paper).

    Attributes:
        branch1: ``1x1``.
        branch2: ``1x1 → 3x3``.
        branch3: ``1x1 → k x k`` (``k = branch3_kernel``).
        branch4: ``3x3/1 max pool → 1x1``.

    Examples:
        >>> import torch
        >>> module = Inception(32, 8, 8, 16, 4, 8, 8, branch3_kernel=5)
        >>> module(torch.zeros(1, 32, 8, 8)).shape
        torch.Size([1, 40, 8, 8])
        >>> sum(p.numel() for p in module.parameters())  # 272 + 1,456 + 952 + 272
        2952
    """

    def __init__(
        self,
        in_channels: int,
        ch1x1: int,
        ch3x3red: int,
        ch3x3: int,
        ch5x5red: int,
        ch5x5: int,
        pool_proj: int,
        *,
        branch3_kernel: int = 3,
    ) -> None:
        super().__init__()
        self.branch1 = BasicConv2d(in_channels, ch1x1, kernel_size=1)
        self.branch2 = nn.Sequential(
            BasicConv2d(in_channels, ch3x3red, kernel_size=1),
            BasicConv2d(ch3x3red, ch3x3, kernel_size=3, padding=1),
        )
        self.branch3 = nn.Sequential(
            BasicConv2d(in_channels, ch5x5red, kernel_size=1),
            BasicConv2d(ch5x5red, ch5x5, kernel_size=branch3_kernel, padding=branch3_kernel // 2),
        )
        self.branch4 = nn.Sequential(
            nn.MaxPool2d(kernel_size=3, stride=1, padding=1, ceil_mode=True),
            BasicConv2d(in_channels, pool_proj, kernel_size=1),
        )

    def forward(self, x: Tensor) -> Tensor:
        """Concatenate the four branches' outputs."""
        outputs = [self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)]
        return torch.cat(outputs, 1)


class GoogLeNet(nn.Module):
    """GoogLeNet classifier without auxiliary heads.

    A stem (7x7/2 conv, max pool, 1x1 and 3x3 convs, max pool), stages of
    [`Inception`][netviz_models.inception.Inception] modules with a max pool
    between stages, a global average pool, dropout and ``fc``.
    [`googlenet_mini`][netviz_models.inception.googlenet_mini] (32x32 images;
    ``inception3a``, ``3b``, then three identical modules folded into one cluster):

    ```netviz
    model: googlenet_mini
    legend: true
    ```

    Its layers and parameters, one row per group of the diagram:

    ```netviz
    model: googlenet_mini
    show: summary
    ```

    Args:
        stem: Output channels of ``conv1``, ``conv2``, ``conv3``.
        stages: Per stage, the ``(ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj)``
            of each Inception module.
        branch3_kernel: Kernel of the third branch's second conv (see
            [`Inception`][netviz_models.inception.Inception]).
        dropout: Dropout probability before ``fc``.
        num_classes: Outputs of ``fc``.

    Raises:
        ValueError: ``stem`` does not have three widths, or a stage is empty.

    Attributes:
        conv1, maxpool1, conv2, conv3, maxpool2: The stem.
        inception3a, …: The Inception modules, stage by stage (``3a, 3b, 4a, …``).
        maxpool3, …: Max pools between stages (3x3/2; 2x2/2 before the last stage).
        avgpool: Global average pool.
        dropout: Dropout before the classifier.
        fc: Linear classifier.

    Examples:
        >>> import torch
        >>> stages = (((8, 8, 16, 4, 8, 8), (16, 16, 24, 4, 12, 12)),
        ...           ((16, 16, 24, 8, 12, 12),) * 3)
        >>> model = GoogLeNet((16, 16, 32), stages, branch3_kernel=5, num_classes=10)
        >>> model(torch.zeros(2, 3, 32, 32)).shape
        torch.Size([2, 10])
        >>> sum(p.numel() for p in model.parameters())
        45770
    """

    def __init__(
        self,
        stem: Sequence[int] = (64, 64, 192),
        stages: Sequence[Sequence[InceptionConfig]] = GOOGLENET_STAGES,
        *,
        branch3_kernel: int = 3,
        dropout: float = 0.2,
        num_classes: int = 1000,
    ) -> None:
        super().__init__()
        if len(stem) != 3 or not stages or not all(stages):
            raise ValueError(f"need three stem widths and non-empty stages, got {stem}, {stages}")
        self.conv1 = BasicConv2d(3, stem[0], kernel_size=7, stride=2, padding=3)
        self.maxpool1 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.conv2 = BasicConv2d(stem[0], stem[1], kernel_size=1)
        self.conv3 = BasicConv2d(stem[1], stem[2], kernel_size=3, padding=1)
        self.maxpool2 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        channels = stem[2]
        for s, modules in enumerate(stages):
            number = 3 + s
            for letter, config in zip("abcdefghijklmnopqrstuvwxyz", modules):
                block = Inception(channels, *config, branch3_kernel=branch3_kernel)
                self.add_module(f"inception{number}{letter}", block)
                channels = config[0] + config[2] + config[4] + config[5]
            if s < len(stages) - 1:
                kernel = 2 if s == len(stages) - 2 else 3
                self.add_module(f"maxpool{number}", nn.MaxPool2d(kernel, stride=2, ceil_mode=True))
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.dropout = nn.Dropout(p=dropout)
        self.fc = nn.Linear(channels, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        """Map ``(B, 3, H, W)`` images to ``(B, num_classes)`` logits."""
        for module in self.children():  # stem, Inception modules and pools, in order
            if module is self.avgpool:
                break
            x = module(x)
        x = torch.flatten(self.avgpool(x), 1)
        return self.fc(self.dropout(x))


def googlenet(*, num_classes: int = 1000) -> GoogLeNet:
    """GoogLeNet as torchvision builds it, without auxiliary heads (6,624,904 parameters).

    Not registered (its gallery page would be slow); draw it with
    ``netviz render netviz_models.inception:googlenet --input-shape 3,224,224``.

    Examples:
        >>> import torch
        >>> with torch.device("meta"):  # no weights allocated
        ...     model = googlenet()
        >>> f"{sum(p.numel() for p in model.parameters()):,}"
        '6,624,904'
    """
    return GoogLeNet(num_classes=num_classes)


@register_model(
    "googlenet_mini",
    input_shape=MINI_SHAPE,
    description="Inception-style: 4-branch modules, three identical in a row (32x32)",
)
def googlenet_mini(*, num_classes: int = 10) -> GoogLeNet:
    """A compact GoogLeNet: stem 16-16-32, ``inception3a``, ``3b``, three identical ``4a``-``4c``.

    The third branch has the paper's 5x5 kernel; 45,770 parameters.

    Examples:
        >>> sum(p.numel() for p in googlenet_mini().parameters())
        45770
    """
    stages = (
        ((8, 8, 16, 4, 8, 8), (16, 16, 24, 4, 12, 12)),
        ((16, 16, 24, 8, 12, 12),) * 3,
    )
    return GoogLeNet((16, 16, 32), stages, branch3_kernel=5, num_classes=num_classes)
