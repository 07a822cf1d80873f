"""Where a model lives, and how to get a runnable CPU copy of a meta model."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Sequence

import torch
from torch import nn
from torch.nn.parameter import is_lazy

from netviz.inputs import Fill
from netviz.ir import Shape
from netviz.tracing.weights import check_real_forward

SEED = 0
"""Seed of every random tensor or weight the tracer makes (deterministic output)."""


def _tensors(module: nn.Module) -> Iterator[torch.Tensor]:
    yield from module.parameters()
    yield from module.buffers()


def model_device(module: nn.Module) -> torch.device:
    """Device of the model's first parameter or buffer (CPU for stateless models); meta
    when any of them is on meta (a model built on meta may keep a tensor its code made
    on the CPU regardless: it still cannot run for real)."""
    found = None
    for tensor in _tensors(module):
        if is_lazy(tensor):
            continue
        if tensor.is_meta:
            return tensor.device
        found = found or tensor.device
    return found or torch.device("cpu")


def model_dtype(module: nn.Module) -> torch.dtype:
    """Dtype of the model's first floating parameter (``float32`` if none)."""
    for tensor in _tensors(module):
        if tensor.is_floating_point() and not is_lazy(tensor):
            return tensor.dtype
    return torch.float32


def on_meta(module: nn.Module) -> bool:
    """Whether the model was built on the meta device (no real weights)."""
    return model_device(module).type == "meta"


def cpu_module(
    module: nn.Module, rebuild: Callable[[str], nn.Module] | None, *, name: str = "the model",
    why: str = "its forward cannot run on the meta device",
) -> nn.Module:
    """A CPU instance of ``module`` that can run a real forward.

    Meta models are rebuilt with ``rebuild("cpu")`` when given (and when that
    gives a real model); otherwise an empty copy ([`empty_copy`][netviz.tracing.device.empty_copy]) is
    re-initialised under a fixed seed; weights shared between layers stay shared.
    Models already on a real device are returned as they are.

    Raises:
        ModelTooLargeError: The weights would exceed what netviz allocates (see
            [`check_real_forward`][netviz.tracing.weights.check_real_forward]; ``name``
            and ``why`` are for its message).
    """
    if not on_meta(module):
        return module
    check_real_forward(module, name, why)
    if rebuild is not None:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(SEED)
            rebuilt = rebuild("cpu")
        if not on_meta(rebuilt):
            return rebuilt
        module = rebuilt  # e.g. a user's instance, which cannot be rebuilt elsewhere
    clone = empty_copy(module, "cpu")
    with torch.random.fork_rng(devices=[]), torch.no_grad():
        torch.manual_seed(SEED)
        for sub in clone.modules():
            reset = getattr(sub, "reset_parameters", None)
            if callable(reset):
                reset()
    return clone


def empty_copy(module: nn.Module, device: str) -> nn.Module:
    """A deep copy of ``module`` with uninitialised tensors on ``device``.

    Like ``copy.deepcopy(module).to_empty(device=device)``, except that a tensor shared
    by several layers (tied embeddings) stays one shared tensor: ``to_empty`` makes one
    new tensor per layer that holds it, so the copy would count it twice.
    """
    clone = copy.deepcopy(module)  # keeps sharing: one copy per original tensor
    made: dict[int, tuple[torch.Tensor, torch.Tensor]] = {}  # id -> (old, new): old kept alive
    with torch.no_grad():
        for sub in clone.modules():
            own = [*sub.named_parameters(recurse=False, remove_duplicate=False),
                   *sub.named_buffers(recurse=False, remove_duplicate=False)]
            for key, tensor in own:
                if id(tensor) not in made:
                    empty = torch.empty_like(tensor, device=device)
                    made[id(tensor)] = (tensor, nn.Parameter(empty, tensor.requires_grad)
                                        if isinstance(tensor, nn.Parameter) else empty)
                setattr(sub, key, made[id(tensor)][1])
    return clone


def make_inputs(
    shapes: Sequence[Shape],
    device: torch.device,
    dtype: torch.dtype,
    *,
    random: bool,
    dtypes: Sequence[str] | None = None,
    fills: Sequence[Fill | None] | None = None,
) -> list[torch.Tensor]:
    """Batch-1 input tensors: uninitialised on meta, zeros or seeded ``randn`` elsewhere.

    ``dtypes`` (canonical names, one per input) override ``dtype``; integer and
    boolean inputs are zeros, valid indices for any embedding, but for their leading
    values in ``fills`` (one per input, see [`Fill`][netviz.inputs.Fill], which may also
    say an input has no batch dimension).
    """
    fills = list(fills or [None] * len(shapes))
    full = [(1, *shape) if fill is None or fill.batched else tuple(shape)
            for shape, fill in zip(shapes, fills)]
    kinds = [getattr(torch, name) for name in dtypes] if dtypes else [dtype] * len(full)
    if device.type == "meta":
        return [torch.empty(s, device=device, dtype=k) for s, k in zip(full, kinds)]
    gen = torch.Generator(device="cpu").manual_seed(SEED)
    inputs = []
    for s, k, fill in zip(full, kinds, fills):
        if not random or not (k.is_floating_point or k.is_complex):
            tensor = torch.zeros(s, dtype=k)
            start = 0
            for value, count in fill.runs if fill else ():
                tensor.view(-1)[start:start + count] = value
                start += count
            inputs.append(tensor.to(device))
        else:
            inputs.append(torch.randn(s, generator=gen, dtype=k).to(device))
    return inputs
