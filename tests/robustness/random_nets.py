"""Random residual networks for property tests: a hypothesis strategy and a builder.

A [`NetSpec`][] says everything about a network (groups, blocks, widths, strides,
block type, pre/post activation, norm and activation kinds) and what a correct
figure of it stands for (its conv count); [`build`][] makes the ``nn.Module``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from hypothesis import strategies as st
from torch import nn

NORMS = ("batch", "instance", "group", "none")
ACTS = ("relu", "prelu", "gelu", "none")


@dataclass(frozen=True)
class NetSpec:
    """One random residual network.

    Attributes:
        stem: Channels of the stem conv.
        widths: Output channels of each group (multiples of 4).
        strides: Stride of the first block of each group.
        blocks: Blocks per group.
        block: ``basic`` (two 3x3) or ``bottleneck`` (1x1, 3x3, 1x1).
        order: ``pre`` (norm → act → conv, WRN) or ``post`` (conv → norm → act, ResNet).
        norm: Norm kind.
        act: Activation kind.
        functional: Activations called as ``F.relu`` instead of modules.
        head: Global pool and a linear classifier at the end.
        size: Input height and width.
    """

    stem: int
    widths: tuple[int, ...]
    strides: tuple[int, ...]
    blocks: tuple[int, ...]
    block: str
    order: str
    norm: str
    act: str
    functional: bool
    head: bool
    size: int

    @property
    def input_shape(self) -> tuple[int, int, int]:
        return (3, self.size, self.size)

    def projections(self) -> int:
        """Blocks whose skip is a 1x1 conv (channels or stride change)."""
        count, cin = 0, self.stem
        for width, stride in zip(self.widths, self.strides):
            count += int(stride != 1 or cin != width)
            cin = width
        return count

    @property
    def convs(self) -> int:
        """Conv calls: stem, 2 or 3 per block, one per projection."""
        per_block = 2 if self.block == "basic" else 3
        return 1 + per_block * sum(self.blocks) + self.projections()


@st.composite
def net_specs(draw: st.DrawFn) -> NetSpec:
    """Random residual networks: 1-3 groups of 1-4 blocks, every block and layer kind."""
    groups = draw(st.integers(1, 3))
    return NetSpec(
        stem=draw(st.sampled_from([4, 8])),
        widths=tuple(draw(st.sampled_from([4, 8, 12, 16])) for _ in range(groups)),
        strides=tuple(draw(st.sampled_from([1, 2])) for _ in range(groups)),
        blocks=tuple(draw(st.integers(1, 4)) for _ in range(groups)),
        block=draw(st.sampled_from(["basic", "bottleneck"])),
        order=draw(st.sampled_from(["pre", "post"])),
        norm=draw(st.sampled_from(NORMS)),
        act=draw(st.sampled_from(ACTS)),
        functional=draw(st.booleans()),
        head=draw(st.booleans()),
        size=draw(st.sampled_from([8, 12, 16])),
    )


def _norm(kind: str, c: int) -> nn.Module | None:
    if kind == "batch":
        return nn.BatchNorm2d(c)
    if kind == "instance":
        return nn.InstanceNorm2d(c, affine=True)
    if kind == "group":
        return nn.GroupNorm(2, c)
    return None


class _Act(nn.Module):
    """Holds the activation of one place: a module, a function, or nothing."""

    def __init__(self, kind: str, c: int, functional: bool) -> None:
        super().__init__()
        self.kind, self.functional = kind, functional and kind in ("relu", "gelu")
        self.fn = None
        if kind == "relu" and not self.functional:
            self.fn = nn.ReLU()
        elif kind == "gelu" and not self.functional:
            self.fn = nn.GELU()
        elif kind == "prelu":
            self.fn = nn.PReLU(c)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.functional:
            return F.relu(x) if self.kind == "relu" else F.gelu(x)
        return x if self.fn is None else self.fn(x)


class _NormAct(nn.Module):
    def __init__(self, spec: NetSpec, c: int) -> None:
        super().__init__()
        self.norm = _norm(spec.norm, c)
        self.act = _Act(spec.act, c, spec.functional)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(x if self.norm is None else self.norm(x))


class Block(nn.Module):
    """A basic or bottleneck residual block, pre- or post-activation."""

    def __init__(self, spec: NetSpec, cin: int, cout: int, stride: int) -> None:
        super().__init__()
        self.pre = spec.order == "pre"
        if spec.block == "basic":
            shapes = [(cin, cout, 3, stride), (cout, cout, 3, 1)]
        else:
            mid = cout // 2
            shapes = [(cin, mid, 1, 1), (mid, mid, 3, stride), (mid, cout, 1, 1)]
        self.convs = nn.ModuleList(
            nn.Conv2d(i, o, k, s, k // 2, bias=spec.norm == "none") for i, o, k, s in shapes
        )
        if self.pre:
            self.entry = _NormAct(spec, cin)
            self.inner = nn.ModuleList(_NormAct(spec, o) for _, o, _, _ in shapes[:-1])
        else:
            self.inner = nn.ModuleList(_NormAct(spec, o) for _, o, _, _ in shapes[:-1])
            self.last_norm = _norm(spec.norm, cout)
            self.exit = _Act(spec.act, cout, spec.functional)
        self.proj = nn.Conv2d(cin, cout, 1, stride, bias=False) if stride != 1 or cin != cout else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skip_in = y = self.entry(x) if self.pre else x
        for i, conv in enumerate(self.convs):
            y = conv(y)
            if i < len(self.inner):
                y = self.inner[i](y)
        if not self.pre and self.last_norm is not None:
            y = self.last_norm(y)
        out = y + (self.proj(skip_in) if self.proj is not None else x)
        return out if self.pre else self.exit(out)


class RandomNet(nn.Module):
    """Stem conv, groups of blocks, optional pool + linear head."""

    def __init__(self, spec: NetSpec) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, spec.stem, 3, 1, 1, bias=False)
        cin = spec.stem
        groups = []
        for width, stride, count in zip(spec.widths, spec.strides, spec.blocks):
            blocks = [Block(spec, cin if i == 0 else width, width, stride if i == 0 else 1)
                      for i in range(count)]
            groups.append(nn.Sequential(*blocks))
            cin = width
        self.groups = nn.Sequential(*groups)
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, 10)) \
            if spec.head else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.groups(self.stem(x))
        return x if self.head is None else self.head(x)


def build(spec: NetSpec, device: str = "meta") -> RandomNet:
    """Build the network of ``spec`` under ``torch.device(device)``."""
    with torch.device(device):
        return RandomNet(spec)
