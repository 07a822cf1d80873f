"""Where a model lives, and how to get a runnable CPU copy of a meta model."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Sequence

import torch
from torch import nn
from torch.nn.parameter import is_lazy

from netviz.ir import Shape

SEED = 0
"""Seed of every random tensor or weight the tracer makes (deterministic output)."""


def _tensors(module: nn.Module) -> Iterator[torch.Tensor]:
    yield from module.parameters()
    yield from module.buffers()


def model_device(module: nn.Module) -> torch.device:
    """Device of the model's first parameter or buffer (CPU for stateless models)."""
    for tensor in _tensors(module):
        if not is_lazy(tensor):
            return tensor.device
    return torch.device("cpu")


def model_dtype(module: nn.Module) -> torch.dtype:
    """Dtype of the model's first floating parameter (``float32`` if none)."""
    for tensor in _tensors(module):
        if tensor.is_floating_point() and not is_lazy(tensor):
            return tensor.dtype
    return torch.float32


def on_meta(module: nn.Module) -> bool:
    """Whether the model was built on the meta device (no real weights)."""
    return model_device(module).type == "meta"


def cpu_module(module: nn.Module, rebuild: Callable[[str], nn.Module] | None) -> nn.Module:
    """A CPU instance of ``module`` that can run a real forward.

    Meta models are rebuilt with ``rebuild("cpu")`` when given (and when that
    gives a real model); otherwise a copy is materialised with ``to_empty`` and
    re-initialised under a fixed seed.
    Models already on a real device are returned as they are.
    """
    if not on_meta(module):
        return module
    if rebuild is not None:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(SEED)
            rebuilt = rebuild("cpu")
        if not on_meta(rebuilt):
            return rebuilt
        module = rebuilt  # e.g. a user's instance, which cannot be rebuilt elsewhere
    clone = copy.deepcopy(module).to_empty(device="cpu")
    with torch.random.fork_rng(devices=[]), torch.no_grad():
        torch.manual_seed(SEED)
        for sub in clone.modules():
            reset = getattr(sub, "reset_parameters", None)
            if callable(reset):
                reset()
    return clone


def make_inputs(
    shapes: Sequence[Shape],
    device: torch.device,
    dtype: torch.dtype,
    *,
    random: bool,
    dtypes: Sequence[str] | None = None,
) -> list[torch.Tensor]:
    """Batch-1 input tensors: uninitialised on meta, zeros or seeded ``randn`` elsewhere.

    ``dtypes`` (canonical names, one per input) override ``dtype``; integer and
    boolean inputs are zeros, valid indices for any embedding.
    """
    full = [(1, *shape) for shape in shapes]
    kinds = [getattr(torch, name) for name in dtypes] if dtypes else [dtype] * len(full)
    if device.type == "meta":
        return [torch.empty(s, device=device, dtype=k) for s, k in zip(full, kinds)]
    gen = torch.Generator(device="cpu").manual_seed(SEED)
    inputs = []
    for s, k in zip(full, kinds):
        if not random or not (k.is_floating_point or k.is_complex):
            inputs.append(torch.zeros(s, device=device, dtype=k))
        else:
            inputs.append(torch.randn(s, generator=gen, dtype=k).to(device))
    return inputs
