"""Helpers shared by the reference-model tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import torch
from torch import nn

LayerRow = tuple[str, str, tuple[int, ...], int]


def state_dict_listing(module: nn.Module) -> str:
    """One line per ``state_dict`` entry: ``key<TAB>shape`` (works on the meta device)."""
    return "".join(f"{k}\t{list(v.shape)}\n" for k, v in module.state_dict().items())


def param_count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def leaf_calls(module: nn.Module, *inputs: torch.Tensor) -> list[LayerRow]:
    """Run ``module`` and record each leaf module call in order: (path, type, output shape
    without batch, own parameter count), like a torchsummary table."""
    rows: list[LayerRow] = []
    handles = []

    def hook(name: str) -> Callable[..., None]:
        def record(mod: nn.Module, args: Any, out: torch.Tensor) -> None:
            rows.append((name, type(mod).__name__, tuple(out.shape[1:]), param_count(mod)))

        return record

    try:
        for name, mod in module.named_modules():
            if not list(mod.children()):
                handles.append(mod.register_forward_hook(hook(name)))
        with torch.no_grad():
            module(*inputs)
    finally:
        for h in handles:
            h.remove()
    return rows


class ExpectedListing:
    """The ``key<TAB>shape`` lines of a state_dict, written from a naming scheme."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, key: str, shape: list[int]) -> None:
        self.lines.append(f"{key}\t{shape}\n")

    def conv(self, key: str, shape: list[int]) -> None:
        """A conv (or linear) without bias."""
        self.add(f"{key}.weight", shape)

    def bn(self, key: str, channels: int) -> None:
        """A BatchNorm: weight, bias, running statistics and the batch counter."""
        for name in ("weight", "bias", "running_mean", "running_var"):
            self.add(f"{key}.{name}", [channels])
        self.add(f"{key}.num_batches_tracked", [])

    def text(self) -> str:
        return "".join(self.lines)


def build_meta(builder: Callable[[], nn.Module]) -> nn.Module:
    with torch.device("meta"):
        return builder()


@pytest.fixture(autouse=True)
def _seed() -> None:
    torch.manual_seed(0)
