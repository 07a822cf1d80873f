"""Networks built from [`ResidualBlock`][tinynets.blocks.ResidualBlock]s."""

from __future__ import annotations

from collections.abc import Sequence

from torch import Tensor, nn

from tinynets.blocks import ResidualBlock


class TinyResNet(nn.Module):
    """A stem conv, one stage of residual blocks per width, a pooled linear head.

    Every stage but the first halves the size; its identical blocks are drawn once:

    ```netviz
    model: tinynets.nets:TinyResNet
    input_shape: 3,32,32
    legend: true
    ```

    Its layers and parameters, one row per group of the diagram:

    ```netviz
    model: tinynets.nets:TinyResNet
    input_shape: 3,32,32
    show: summary
    ```

    Args:
        widths: Channels of each stage.
        blocks: Residual blocks per stage.
        num_classes: Outputs of the linear head.

    Examples:
        >>> import torch
        >>> model = TinyResNet(num_classes=100)
        >>> model(torch.zeros(2, 3, 32, 32)).shape
        torch.Size([2, 100])
    """

    def __init__(
        self, widths: Sequence[int] = (16, 32, 64), blocks: int = 2, num_classes: int = 10
    ) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, widths[0], 3, 1, 1, bias=False)
        stages: list[nn.Module] = []
        channels = widths[0]
        for index, width in enumerate(widths):
            stride = 1 if index == 0 else 2
            layers = [ResidualBlock(channels, width, stride)]
            layers += [ResidualBlock(width, width) for _ in range(blocks - 1)]
            stages.append(nn.Sequential(*layers))
            channels = width
        self.stages = nn.Sequential(*stages)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(channels, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        """Map ``(B, 3, H, W)`` images to ``(B, num_classes)`` logits."""
        return self.fc(self.pool(self.stages(self.stem(x))).flatten(1))
