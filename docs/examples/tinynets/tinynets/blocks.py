"""Residual blocks."""

from __future__ import annotations

from torch import Tensor, nn


class ResidualBlock(nn.Module):
    """Two 3x3 convs with BatchNorm and ReLU, plus the input.

    When the block keeps the shape, the input is added as it is:

    ```netviz
    model: tinynets.blocks:ResidualBlock(16, 16)
    input_shape: 16,32,32
    ```

    When it changes the channels or the size, a 1x1 conv projects the input:

    ```netviz
    model: tinynets.blocks:ResidualBlock(16, 32, stride=2)
    input_shape: 16,32,32
    ```

    Args:
        in_channels: Input channels.
        out_channels: Output channels.
        stride: Stride of the first conv (and of the projection).

    Examples:
        >>> import torch
        >>> block = ResidualBlock(16, 32, stride=2)
        >>> block(torch.zeros(1, 16, 32, 32)).shape
        torch.Size([1, 32, 16, 16])
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU()
        self.shortcut: nn.Module = nn.Identity()
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Conv2d(in_channels, out_channels, 1, stride, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        """Return ``ReLU(BN(conv2(ReLU(BN(conv1(x))))) + shortcut(x))``."""
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + self.shortcut(x))
