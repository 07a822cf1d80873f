"""WideResNet-d-k with pre-activation blocks, as in the WRN-28-2 documentation.

Every block first computes ``X = ReLU(BN(input))``; the conv branch is
``conv3x3(stride) → BN → ReLU → conv3x3`` on ``X`` and the skip is ``X`` itself,
or a 1x1 projection of ``X`` when the channels or the stride change. Three
groups of ``N = (depth - 4) / 6`` blocks have widths ``16k, 32k, 64k`` and
strides ``1, 2, 2``; the head is ``BN → ReLU → AvgPool 8 → view → Linear``.
Inputs are ``3x32x32`` images.

Examples:
    >>> from netviz_models.wideresnet import wrn28_2
    >>> sum(p.numel() for p in wrn28_2().parameters())
    1467610
"""

from __future__ import annotations

from torch import Tensor, nn

from netviz.registry import register_model

__all__ = ["BasicBlock", "WideResNet", "wrn16_4", "wrn28_2", "wrn28_10", "wrn40_2"]

CIFAR_SHAPE = (3, 32, 32)


class BasicBlock(nn.Module):
    """A pre-activation residual block: ``X = ReLU(BN(x))``, ``conv(X) + skip(X)``.

    Both branches start from ``X``: the conv branch is ``conv1`` (with the
    block's stride) → BN → ReLU → ``conv2``, and the skip is ``X`` itself when
    the shape stays:

    ```netviz
    model: netviz_models.wideresnet:BasicBlock(32, 32)
    input_shape: 32,32,32
    ```

    When the channels or the stride change, the skip is a 1x1 projection of ``X``:

    ```netviz
    model: netviz_models.wideresnet:BasicBlock(16, 32)
    input_shape: 16,32,32
    ```

    Args:
        in_planes: Input channels.
        out_planes: Output channels.
        stride: Stride of the first conv and of the projection.

    Attributes:
        bn1: Norm of the block input.
        relu1: Activation giving ``X``, shared by both branches.
        conv1: 3x3 conv with the block's stride.
        bn2: Norm after ``conv1``.
        relu2: Activation after ``bn2``.
        conv2: 3x3 conv, stride 1.
        shortcut: 1x1 projection of ``X`` (stride, channels), or ``None`` for identity.

    Examples:
        >>> import torch
        >>> block = BasicBlock(16, 32, stride=2)
        >>> block(torch.zeros(1, 16, 32, 32)).shape
        torch.Size([1, 32, 16, 16])
        >>> sum(p.numel() for p in block.parameters())
        14432
    """

    def __init__(self, in_planes: int, out_planes: int, stride: int = 1) -> None:
        super().__init__()
        self.bn1 = nn.BatchNorm2d(in_planes)
        self.relu1 = nn.ReLU(inplace=True)
        self.conv1 = nn.Conv2d(in_planes, out_planes, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_planes)
        self.relu2 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(out_planes, out_planes, 3, stride=1, padding=1, bias=False)
        self.shortcut: nn.Conv2d | None = None
        if stride != 1 or in_planes != out_planes:
            self.shortcut = nn.Conv2d(
                in_planes, out_planes, 1, stride=stride, padding=0, bias=False
            )

    def forward(self, x: Tensor) -> Tensor:
        """Return ``conv2(ReLU(BN(conv1(X)))) + skip(X)`` with ``X = ReLU(BN(x))``."""
        x = self.relu1(self.bn1(x))
        out = self.conv1(x)
        out = self.conv2(self.relu2(self.bn2(out)))
        skip = x if self.shortcut is None else self.shortcut(x)
        return out + skip


class WideResNet(nn.Module):
    """WideResNet-``depth``-``widen_factor`` for 32x32 inputs.

    [Zagoruyko and Komodakis, *Wide Residual Networks*](https://arxiv.org/abs/1605.07146):
    a 3x3 stem, three groups of ``N = (depth - 4) / 6`` pre-activation
    [`BasicBlock`][netviz_models.wideresnet.BasicBlock]s of widths ``16k``,
    ``32k``, ``64k`` (strides 1, 2, 2), then BN → ReLU → 8x8 average pool →
    linear. WideResNet-28-2, the identical blocks of each group folded into one
    cluster:

    ```netviz
    model: wrn28_2
    legend: true
    ```

    Its layers and parameters, one row per group of the diagram:

    ```netviz
    model: wrn28_2
    show: summary
    ```

    Args:
        depth: Total depth, ``6N + 4`` (16, 22, 28, 40, ...).
        widen_factor: Width multiplier ``k``.
        num_classes: Outputs of the final linear layer.

    Raises:
        ValueError: ``depth`` is not ``6N + 4`` with ``N >= 1``, or a size is not positive.

    Attributes:
        conv1: Stem, 3x3 conv to 16 channels.
        layer1: Group 0, ``N`` blocks of width ``16k``, stride 1.
        layer2: Group 1, ``N`` blocks of width ``32k``, stride 2.
        layer3: Group 2, ``N`` blocks of width ``64k``, stride 2.
        bn: Final norm.
        relu: Final activation.
        avgpool: 8x8 average pool (stride 1).
        fc: Linear classifier.

    Examples:
        >>> import torch
        >>> model = WideResNet(16, 1, num_classes=100)
        >>> model(torch.zeros(2, 3, 32, 32)).shape
        torch.Size([2, 100])
    """

    def __init__(self, depth: int, widen_factor: int, num_classes: int = 10) -> None:
        super().__init__()
        if not isinstance(depth, int) or depth < 10 or (depth - 4) % 6 != 0:
            raise ValueError(
                f"WideResNet depth must be 6N + 4 with N >= 1 (10, 16, 22, 28, 40, ...), "
                f"got {depth!r}"
            )
        if not isinstance(widen_factor, int) or widen_factor < 1:
            raise ValueError(f"widen_factor must be a positive integer, got {widen_factor!r}")
        if not isinstance(num_classes, int) or num_classes < 1:
            raise ValueError(f"num_classes must be a positive integer, got {num_classes!r}")
        n = (depth - 4) // 6
        widths = (16 * widen_factor, 32 * widen_factor, 64 * widen_factor)
        self.depth = depth
        self.widen_factor = widen_factor
        self.conv1 = nn.Conv2d(3, 16, 3, stride=1, padding=1, bias=False)
        self.layer1 = self._make_group(16, widths[0], n, stride=1)
        self.layer2 = self._make_group(widths[0], widths[1], n, stride=2)
        self.layer3 = self._make_group(widths[1], widths[2], n, stride=2)
        self.bn = nn.BatchNorm2d(widths[2])
        self.relu = nn.ReLU(inplace=True)
        self.avgpool = nn.AvgPool2d(kernel_size=8, stride=1)
        self.fc = nn.Linear(widths[2], num_classes)
        self._init_weights()

    @staticmethod
    def _make_group(in_planes: int, out_planes: int, n: int, stride: int) -> nn.Sequential:
        blocks = [BasicBlock(in_planes, out_planes, stride)]
        blocks += [BasicBlock(out_planes, out_planes, 1) for _ in range(n - 1)]
        return nn.Sequential(*blocks)

    def _init_weights(self) -> None:
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)

    def forward(self, x: Tensor) -> Tensor:
        """Map ``(B, 3, 32, 32)`` images to ``(B, num_classes)`` logits."""
        out = self.conv1(x)
        out = self.layer1(out)
        out = self.layer2(out)
        out = self.layer3(out)
        out = self.relu(self.bn(out))
        out = self.avgpool(out)
        out = out.view(out.size(0), -1)
        return self.fc(out)


@register_model("wrn16_4", input_shape=CIFAR_SHAPE, description="WideResNet-16-4 (CIFAR, 32x32)")
def wrn16_4(*, num_classes: int = 10) -> WideResNet:
    """WideResNet-16-4: 2 blocks per group, widths 64/128/256, 2,748,890 parameters.

    Examples:
        >>> import torch
        >>> with torch.device("meta"):  # no weights allocated
        ...     model = wrn16_4()
        >>> f"{sum(p.numel() for p in model.parameters()):,}"
        '2,748,890'
    """
    return WideResNet(16, 4, num_classes)


@register_model("wrn28_2", input_shape=CIFAR_SHAPE, description="WideResNet-28-2 (CIFAR, 32x32)")
def wrn28_2(*, num_classes: int = 10) -> WideResNet:
    """WideResNet-28-2: 4 blocks per group, widths 32/64/128, 1,467,610 parameters.

    Examples:
        >>> import torch
        >>> with torch.device("meta"):  # no weights allocated
        ...     model = wrn28_2()
        >>> f"{sum(p.numel() for p in model.parameters()):,}"
        '1,467,610'
    """
    return WideResNet(28, 2, num_classes)


@register_model(
    "wrn28_10", input_shape=CIFAR_SHAPE, description="WideResNet-28-10 (CIFAR, 32x32)"
)
def wrn28_10(*, num_classes: int = 10) -> WideResNet:
    """WideResNet-28-10: 4 blocks per group, widths 160/320/640, 36,479,194 parameters.

    Examples:
        >>> import torch
        >>> with torch.device("meta"):  # no weights allocated
        ...     model = wrn28_10()
        >>> f"{sum(p.numel() for p in model.parameters()):,}"
        '36,479,194'
    """
    return WideResNet(28, 10, num_classes)


@register_model("wrn40_2", input_shape=CIFAR_SHAPE, description="WideResNet-40-2 (CIFAR, 32x32)")
def wrn40_2(*, num_classes: int = 10) -> WideResNet:
    """WideResNet-40-2: 6 blocks per group, widths 32/64/128, 2,243,546 parameters.

    Examples:
        >>> import torch
        >>> with torch.device("meta"):  # no weights allocated
        ...     model = wrn40_2()
        >>> f"{sum(p.numel() for p in model.parameters()):,}"
        '2,243,546'
    """
    return WideResNet(40, 2, num_classes)
