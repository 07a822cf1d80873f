"""ResNet-18/34/50/101/152 (He et al., 2015), compatible with torchvision.

Module names, ``state_dict`` keys and tensor shapes are identical to
``torchvision.models.resnet`` (stride on the 3x3 conv of the bottleneck, "v1.5"),
so torchvision checkpoints load with ``model.load_state_dict(...)``. Dilation
and grouped convolutions are left out. Inputs are ``3x224x224`` images.

Examples:
    >>> from netviz_models.resnet import resnet18
    >>> sum(p.numel() for p in resnet18().parameters())
    11689512
"""

from __future__ import annotations

from typing import ClassVar, Union

import torch
from torch import Tensor, nn

from netviz.registry import register_model

__all__ = [
    "BasicBlock",
    "Bottleneck",
    "ResNet",
    "resnet18",
    "resnet34",
    "resnet50",
    "resnet101",
    "resnet152",
]

IMAGENET_SHAPE = (3, 224, 224)


def conv3x3(in_planes: int, out_planes: int, stride: int = 1) -> nn.Conv2d:
    """3x3 convolution, padding 1, no bias."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=1, bias=False)


def conv1x1(in_planes: int, out_planes: int, stride: int = 1) -> nn.Conv2d:
    """1x1 convolution, no bias."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    """Two 3x3 convs with BN; ReLU after the residual add (ResNet-18/34).

    The block of [He et al., *Deep Residual Learning for Image
    Recognition*](https://arxiv.org/abs/1512.03385) for the shallower ResNets:
    ``conv1`` (with the block's stride) → BN → ReLU → ``conv2`` → BN, plus the
    input, then ReLU. The input is added as it is, or through ``downsample``
    (a 1x1 conv and BN) in the first block of a stage that changes the shape.

    ```netviz
    model: netviz_models.resnet:BasicBlock(64, 64)
    input_shape: 64,56,56
    ```

    Args:
        inplanes: Input channels.
        planes: Output channels.
        stride: Stride of ``conv1`` (and of ``downsample``).
        downsample: Projection of the input when shapes change.

    Attributes:
        expansion: Output channels per ``planes`` (1).
        conv1: 3x3 conv with the block's stride.
        bn1: Norm after ``conv1``.
        relu: Shared ReLU (after ``bn1`` and after the add).
        conv2: 3x3 conv.
        bn2: Norm after ``conv2``.
        downsample: 1x1 conv + BN projection of the input, or ``None``.

    Examples:
        >>> import torch
        >>> block = BasicBlock(64, 64)
        >>> block(torch.zeros(1, 64, 56, 56)).shape
        torch.Size([1, 64, 56, 56])
        >>> sum(p.numel() for p in block.parameters())
        73984
    """

    expansion: ClassVar[int] = 1

    def __init__(
        self,
        inplanes: int,
        planes: int,
        stride: int = 1,
        downsample: nn.Module | None = None,
    ) -> None:
        super().__init__()
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x: Tensor) -> Tensor:
        """Return ``ReLU(BN(conv2(ReLU(BN(conv1(x))))) + identity)``."""
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        out = out + identity
        return self.relu(out)


class Bottleneck(nn.Module):
    """1x1 reduce, 3x3 (with the stride), 1x1 expand by 4; ReLU after the add.

    The block of the deeper ResNets (50, 101, 152 layers): ``conv1`` reduces the
    width to ``planes``, ``conv2`` (3x3, with the block's stride) keeps it and
    ``conv3`` expands it to ``planes * 4``, each followed by BN (and ReLU but
    the last); the input is added as it is or through ``downsample``, then ReLU.

    ```netviz
    model: netviz_models.resnet:Bottleneck(256, 64)
    input_shape: 256,56,56
    ```

    Args:
        inplanes: Input channels.
        planes: Inner width; the output has ``planes * 4`` channels.
        stride: Stride of ``conv2`` (and of ``downsample``).
        downsample: Projection of the input when shapes change.

    Attributes:
        expansion: Output channels per ``planes`` (4).
        conv1: 1x1 conv to ``planes``.
        bn1: Norm after ``conv1``.
        conv2: 3x3 conv with the block's stride.
        bn2: Norm after ``conv2``.
        conv3: 1x1 conv to ``planes * 4``.
        bn3: Norm after ``conv3``.
        relu: Shared ReLU.
        downsample: 1x1 conv + BN projection of the input, or ``None``.

    Examples:
        >>> import torch
        >>> block = Bottleneck(256, 64)
        >>> block(torch.zeros(1, 256, 56, 56)).shape
        torch.Size([1, 256, 56, 56])
        >>> sum(p.numel() for p in block.parameters())
        70400
    """

    expansion: ClassVar[int] = 4

    def __init__(
        self,
        inplanes: int,
        planes: int,
        stride: int = 1,
        downsample: nn.Module | None = None,
    ) -> None:
        super().__init__()
        self.conv1 = conv1x1(inplanes, planes)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = conv3x3(planes, planes, stride)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = conv1x1(planes, planes * self.expansion)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x: Tensor) -> Tensor:
        """Return ``ReLU(bottleneck(x) + identity)``."""
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        out = out + identity
        return self.relu(out)


Block = Union[type[BasicBlock], type[Bottleneck]]


class ResNet(nn.Module):
    """ResNet for ImageNet-sized inputs.

    A 7x7 stem and a max pool, four stages of blocks (each stage but the first
    halves the size; its first block projects the input), a global average pool
    and a linear classifier. With [`BasicBlock`][netviz_models.resnet.BasicBlock]
    (ResNet-18, the repeated blocks of each stage folded into one cluster):

    ```netviz
    model: resnet18
    legend: true
    ```

    With [`Bottleneck`][netviz_models.resnet.Bottleneck] (ResNet-50):

    ```netviz
    model: resnet50
    legend: true
    ```

    Its layers and parameters, one row per group of the diagram:

    ```netviz
    model: resnet50
    show: summary
    ```

    Args:
        block: ``BasicBlock`` or ``Bottleneck``.
        layers: Number of blocks in each of the four stages.
        num_classes: Outputs of the final linear layer.
        zero_init_residual: Start each block's last BN at zero (block = identity).

    Raises:
        ValueError: ``layers`` does not have four positive counts.

    Attributes:
        conv1: Stem, 7x7 conv to 64 channels, stride 2.
        bn1: Stem norm.
        relu: Stem activation.
        maxpool: 3x3 max pool, stride 2.
        layer1: Stage 1 (64 planes, stride 1).
        layer2: Stage 2 (128 planes, stride 2).
        layer3: Stage 3 (256 planes, stride 2).
        layer4: Stage 4 (512 planes, stride 2).
        avgpool: Global average pool.
        fc: Linear classifier.

    Examples:
        >>> import torch
        >>> model = ResNet(BasicBlock, [2, 2, 2, 2], num_classes=10)
        >>> model(torch.zeros(1, 3, 64, 64)).shape  # any size: the average pool is global
        torch.Size([1, 10])
    """

    def __init__(
        self,
        block: Block,
        layers: list[int],
        num_classes: int = 1000,
        zero_init_residual: bool = False,
    ) -> None:
        super().__init__()
        if len(layers) != 4 or any(not isinstance(n, int) or n < 1 for n in layers):
            raise ValueError(f"layers must be four positive block counts, got {layers!r}")
        self.inplanes = 64
        self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, 64, layers[0])
        self.layer2 = self._make_layer(block, 128, layers[1], stride=2)
        self.layer3 = self._make_layer(block, 256, layers[2], stride=2)
        self.layer4 = self._make_layer(block, 512, layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * block.expansion, num_classes)
        self._init_weights(zero_init_residual)

    def _init_weights(self, zero_init_residual: bool) -> None:
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
        if zero_init_residual:
            for m in self.modules():
                if isinstance(m, Bottleneck):
                    nn.init.constant_(m.bn3.weight, 0)
                elif isinstance(m, BasicBlock):
                    nn.init.constant_(m.bn2.weight, 0)

    def _make_layer(self, block: Block, planes: int, blocks: int, stride: int = 1) -> nn.Sequential:
        """One stage: a first block that may project the input, then ``blocks - 1`` more."""
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(
                conv1x1(self.inplanes, planes * block.expansion, stride),
                nn.BatchNorm2d(planes * block.expansion),
            )
        layers: list[nn.Module] = [block(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * block.expansion
        layers += [block(self.inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        """Map ``(B, 3, H, W)`` images to ``(B, num_classes)`` logits."""
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer1(x)
        x = self.layer2(x)
        x = self.layer3(x)
        x = self.layer4(x)
        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        return self.fc(x)


@register_model("resnet18", input_shape=IMAGENET_SHAPE, description="ResNet-18 (ImageNet, 224x224)")
def resnet18(*, num_classes: int = 1000) -> ResNet:
    """ResNet-18: BasicBlock x [2, 2, 2, 2], 11,689,512 parameters.

    Examples:
        >>> import torch
        >>> with torch.device("meta"):  # no weights allocated
        ...     model = resnet18()
        >>> f"{sum(p.numel() for p in model.parameters()):,}"
        '11,689,512'
    """
    return ResNet(BasicBlock, [2, 2, 2, 2], num_classes)


@register_model("resnet34", input_shape=IMAGENET_SHAPE, description="ResNet-34 (ImageNet, 224x224)")
def resnet34(*, num_classes: int = 1000) -> ResNet:
    """ResNet-34: BasicBlock x [3, 4, 6, 3], 21,797,672 parameters.

    Examples:
        >>> import torch
        >>> with torch.device("meta"):  # no weights allocated
        ...     model = resnet34()
        >>> f"{sum(p.numel() for p in model.parameters()):,}"
        '21,797,672'
    """
    return ResNet(BasicBlock, [3, 4, 6, 3], num_classes)


@register_model("resnet50", input_shape=IMAGENET_SHAPE, description="ResNet-50 (ImageNet, 224x224)")
def resnet50(*, num_classes: int = 1000) -> ResNet:
    """ResNet-50: Bottleneck x [3, 4, 6, 3], 25,557,032 parameters.

    Examples:
        >>> import torch
        >>> with torch.device("meta"):  # no weights allocated
        ...     model = resnet50()
        >>> f"{sum(p.numel() for p in model.parameters()):,}"
        '25,557,032'
    """
    return ResNet(Bottleneck, [3, 4, 6, 3], num_classes)


@register_model(
    "resnet101", input_shape=IMAGENET_SHAPE, description="ResNet-101 (ImageNet, 224x224)"
)
def resnet101(*, num_classes: int = 1000) -> ResNet:
    """ResNet-101: Bottleneck x [3, 4, 23, 3], 44,549,160 parameters.

    Examples:
        >>> import torch
        >>> with torch.device("meta"):  # no weights allocated
        ...     model = resnet101()
        >>> f"{sum(p.numel() for p in model.parameters()):,}"
        '44,549,160'
    """
    return ResNet(Bottleneck, [3, 4, 23, 3], num_classes)


@register_model(
    "resnet152", input_shape=IMAGENET_SHAPE, description="ResNet-152 (ImageNet, 224x224)"
)
def resnet152(*, num_classes: int = 1000) -> ResNet:
    """ResNet-152: Bottleneck x [3, 8, 36, 3], 60,192,808 parameters.

    Examples:
        >>> import torch
        >>> with torch.device("meta"):  # no weights allocated
        ...     model = resnet152()
        >>> f"{sum(p.numel() for p in model.parameters()):,}"
        '60,192,808'
    """
    return ResNet(Bottleneck, [3, 8, 36, 3], num_classes)
