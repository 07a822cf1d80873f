"""Build models on a device, skipping weight initialisation on the meta device."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import TypeVar

from netviz.errors import ModelTooLargeError

T = TypeVar("T")

MAX_MODULES = 50_000
"""Default cap on submodules a model may register while it is built
(WRN-1000-2 has 3,500); ``NETVIZ_MAX_MODULES`` overrides it."""

# In-place initialisers of torch.nn.init that models and torch's own layers call.
_INITIALISERS = (
    "uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_", "eye_",
    "dirac_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
    "orthogonal_", "sparse_",
)
# Methods of torch's own layers that only fill parameters and buffers with values.
_RESETS = ("reset_parameters", "reset_running_stats", "_reset_parameters")


@contextmanager
def building_on(device: str) -> Iterator[None]:
    """``with torch.device(device)``, with two guards while a model is built.

    On ``"meta"`` the ``torch.nn.init`` functions, and the ``reset_parameters``
    / ``reset_running_stats`` methods of torch's own layers, do nothing: meta
    tensors hold no values, a random initialiser on meta imports
    ``torch._dynamo`` (seconds), and the resets of a deep model's thousands of
    layers cost a fifth of its build. On any device, a model registering more than
    [`MAX_MODULES`][netviz.building.MAX_MODULES] submodules is stopped with
    [`ModelTooLargeError`][netviz.errors.ModelTooLargeError] instead of building
    for minutes. Everything is restored on exit, whatever happens.
    """
    import torch

    with ExitStack() as stack:
        stack.enter_context(_module_budget(int(os.environ.get("NETVIZ_MAX_MODULES", MAX_MODULES))))
        if device == "meta":
            stack.enter_context(_no_init())
        stack.enter_context(torch.device(device))
        yield


@contextmanager
def _no_init() -> Iterator[None]:
    from torch.nn import init

    saved: list[tuple[object, str, object]] = [
        (init, name, getattr(init, name)) for name in _INITIALISERS if hasattr(init, name)
    ]
    saved += [
        (cls, name, vars(cls)[name])
        for cls in _torch_layer_classes()
        for name in _RESETS
        if name in vars(cls)
    ]
    try:
        for owner, name, _ in saved:
            setattr(owner, name, _keep if owner is init else _no_reset)
        yield
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)


def _torch_layer_classes() -> list[type]:
    """Every ``nn.Module`` subclass defined by torch itself (``torch.nn...``)."""
    from torch import nn

    found: list[type] = []
    seen: set[type] = set()
    todo: list[type] = [nn.Module]
    while todo:
        subclasses: list[type] = todo.pop().__subclasses__()
        for sub in subclasses:
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
                if sub.__module__.startswith("torch.nn."):
                    found.append(sub)
    return found


def _no_reset(module: object) -> None:
    """A layer's reset on meta: there are no values to reset."""


@contextmanager
def _module_budget(limit: int) -> Iterator[None]:
    from torch.nn.modules.module import register_module_module_registration_hook

    count = 0

    def hook(module: object, name: str, submodule: object) -> None:
        nonlocal count
        count += 1
        if count > limit:
            raise ModelTooLargeError(
                f"model too large: it registers more than {limit:,} submodules while it is built; "
                "netviz stops here (set NETVIZ_MAX_MODULES to allow more)"
            )

    handle = register_module_module_registration_hook(hook)
    try:
        yield
    finally:
        handle.remove()


def _keep(tensor: T, *args: object, **kwargs: object) -> T:
    """A no-op initialiser: returns the tensor untouched, as ``torch.nn.init`` ones do."""
    return tensor
