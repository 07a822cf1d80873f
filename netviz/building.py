"""Build models on a device, skipping weight initialisation on the meta device.

The skipping is scoped to the building context: the ``torch.nn.init`` functions
and the resets of torch's layers are wrapped (once, under a lock, for as long as
any build needs them) by functions that consult a ``ContextVar`` and only do
nothing in the thread (or task) that builds on meta. Any other thread building a
model meanwhile initialises its weights as usual, and the originals are back as
soon as the last build ends. The module budget counts only the building
context's own registrations.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from typing import Any

from netviz.errors import ModelTooLargeError
from netviz.serial import MODEL_WORK

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

_SKIP_INIT: ContextVar[bool] = ContextVar("netviz_skip_init", default=False)
"""True in a context that builds on meta: the wrapped initialisers do nothing there."""

_PATCH_LOCK = threading.Lock()
_patched: list[tuple[object, str, object]] = []  # (owner, name, original) while installed
_users = 0  # builds on meta that need the wrappers


@contextmanager
def building_on(device: str, *, values: bool = False) -> Iterator[None]:
    """``with torch.device(device)``, with two guards while a model is built.

    On ``"meta"`` the ``torch.nn.init`` functions, and the ``reset_parameters``
    / ``reset_running_stats`` methods of torch's own layers, do nothing for
    this build: meta tensors hold no values, a random initialiser on meta imports
    ``torch._dynamo`` (seconds), and the resets of a deep model's thousands of
    layers cost a fifth of its build. With ``values``, tensors computed from
    constants (a builder's widths, the constants a model keeps in buffers) keep
    their values on meta (see [`meta_values`][netviz.tracing.meta.meta_values]; it
    costs a build a third more time). On any device, a model registering more than
    [`MAX_MODULES`][netviz.building.MAX_MODULES] submodules is stopped with
    [`ModelTooLargeError`][netviz.errors.ModelTooLargeError] instead of building
    for minutes. Other threads are not affected (see the module docs); everything
    is restored on exit, whatever happens.
    """
    import torch

    with MODEL_WORK, ExitStack() as stack:
        stack.enter_context(_module_budget(int(os.environ.get("NETVIZ_MAX_MODULES", MAX_MODULES))))
        stack.enter_context(_no_init() if device == "meta" else _skip_init(False))
        stack.enter_context(torch.device(device))
        if device == "meta" and values:
            from netviz.tracing.meta import meta_values

            stack.enter_context(meta_values())
        yield


@contextmanager
def _no_init() -> Iterator[None]:
    """Initialisers and resets do nothing in this context (see the module docs)."""
    _install()
    try:
        with _skip_init(True):
            yield
    finally:
        _uninstall()


@contextmanager
def _skip_init(skip: bool) -> Iterator[None]:
    """Whether the wrapped initialisers do nothing in this context (a build on another
    device nested in a meta build initialises for real)."""
    token = _SKIP_INIT.set(skip)
    try:
        yield
    finally:
        _SKIP_INIT.reset(token)


def _install() -> None:
    """Wrap the initialisers and resets, unless an earlier build already did."""
    global _users
    from torch.nn import init

    with _PATCH_LOCK:
        _users += 1
        if _users > 1:
            return
        saved: list[tuple[object, str, object]] = [
            (init, name, getattr(init, name)) for name in _INITIALISERS if hasattr(init, name)
        ]
        saved += [
            (cls, name, vars(cls)[name])
            for cls in _torch_layer_classes()
            for name in _RESETS
            if name in vars(cls)
        ]
        for owner, name, original in saved:
            wrap = _skipping_initialiser if owner is init else _skipping_reset
            setattr(owner, name, wrap(original))  # type: ignore[arg-type]
        _patched[:] = saved


def _uninstall() -> None:
    """Put the originals back once the last build that needed the wrappers ends."""
    global _users
    with _PATCH_LOCK:
        _users -= 1
        if _users:
            return
        for owner, name, original in _patched:
            setattr(owner, name, original)
        _patched.clear()


def _skipping_initialiser(original: Callable[..., Any]) -> Callable[..., Any]:
    """``original``, except that it returns the tensor untouched in a meta build."""

    @functools.wraps(original)
    def initialiser(*args: Any, **kwargs: Any) -> Any:
        if _SKIP_INIT.get():
            return args[0] if args else kwargs.get("tensor")
        return original(*args, **kwargs)

    return initialiser


def _skipping_reset(original: Callable[..., Any]) -> Callable[..., Any]:
    """A layer's reset that does nothing in a meta build: there are no values to reset."""

    @functools.wraps(original)
    def reset(self: object, *args: Any, **kwargs: Any) -> Any:
        if _SKIP_INIT.get():
            return None
        return original(self, *args, **kwargs)

    return reset


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


class _Budget:
    """Submodules registered by one build, stopped past ``limit``."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.count = 0

    def add(self) -> None:
        self.count += 1
        if self.count > self.limit:
            raise ModelTooLargeError(
                f"model too large: it registers more than {self.limit:,} submodules while it "
                "is built; netviz stops here (set NETVIZ_MAX_MODULES to allow more)"
            )


_BUDGET: ContextVar[_Budget | None] = ContextVar("netviz_module_budget", default=None)


@contextmanager
def _module_budget(limit: int) -> Iterator[None]:
    """Count the submodules this context registers (torch's hook is process-wide)."""
    from torch.nn.modules.module import register_module_module_registration_hook

    budget = _Budget(limit)

    def hook(module: object, name: str, submodule: object) -> None:
        if _BUDGET.get() is budget:  # another thread's (or an inner build's) module
            budget.add()

    token = _BUDGET.set(budget)
    handle = register_module_module_registration_hook(hook)
    try:
        yield
    finally:
        handle.remove()
        _BUDGET.reset(token)
