"""A small residual network that uses every edge mark netviz draws.

Used by the Notation page of the docs (``model: docs/examples/all_marks.py:AllMarks``);
draw it yourself with::

    netviz render docs/examples/all_marks.py:AllMarks -o all_marks.svg --legend
"""

from __future__ import annotations

import torch
from torch import nn


class Block(nn.Module):
    """A residual block whose conv branch has ``before`` between its two convolutions."""

    def __init__(self, channels: int, before: nn.Module) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.between = before
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv2(self.between(self.conv1(x)))


class AllMarks(nn.Module):
    """One block per mark: BN → ReLU, InstanceNorm → PReLU, BN alone, GELU alone,
    and ReLU → BN (any other chain)."""

    def __init__(self, channels: int = 16, num_classes: int = 10) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, channels, 3, padding=1, bias=False)
        self.bn_relu = Block(channels, nn.Sequential(nn.BatchNorm2d(channels), nn.ReLU()))
        self.norm_act = Block(
            channels, nn.Sequential(nn.InstanceNorm2d(channels, affine=True), nn.PReLU(channels))
        )
        self.norm = Block(channels, nn.BatchNorm2d(channels))
        self.act = Block(channels, nn.GELU())
        self.chain = Block(channels, nn.Sequential(nn.ReLU(), nn.BatchNorm2d(channels)))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(channels, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        x = self.chain(self.act(self.norm(self.norm_act(self.bn_relu(x)))))
        return self.fc(torch.flatten(self.pool(x), 1))
