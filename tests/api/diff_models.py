"""Small PyTorch nets for ``netviz diff`` tests: a base, one with an extra conv in a
block, one whose first block lost its projection shortcut (file specs with arguments)."""

from __future__ import annotations

from torch import Tensor, nn


class Block(nn.Module):
    """conv-BN-ReLU-conv-BN (plus one more conv-BN with ``extra``), a shortcut (a 1x1
    projection with ``projection``, the identity otherwise, none without ``shortcut``)."""

    def __init__(self, cin: int, cout: int, *, extra: bool = False, projection: bool = False,
                 shortcut: bool = True) -> None:
        super().__init__()
        layers = [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
                  nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout)]
        if extra:
            layers += [nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout)]
        self.branch = nn.Sequential(*layers)
        self.projection = nn.Conv2d(cin, cout, 1, bias=False) if projection else None
        self.shortcut = shortcut
        self.relu = nn.ReLU()

    def forward(self, x: Tensor) -> Tensor:
        out = self.branch(x)
        if self.shortcut:
            out = out + (self.projection(x) if self.projection is not None else x)
        return self.relu(out)


class Net(nn.Module):
    """A stem conv to 32 channels, a first block with a 1x1 projection shortcut (as
    ResNet-50's first block has, its width unchanged), three more blocks, a pooled linear
    head."""

    def __init__(self, *, extra: bool = False, first_projection: bool = True) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 32, 3, padding=1, bias=False)
        first = Block(32, 32, projection=first_projection)
        self.blocks = nn.Sequential(first, Block(32, 32), Block(32, 32, extra=extra), Block(32, 32))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(32, 10)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc(self.pool(self.blocks(self.stem(x))).flatten(1))
