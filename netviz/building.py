"""Build models on a device, skipping weight initialisation on the meta device.

The skipping is a ``TorchFunctionMode`` of the building thread (torch keeps modes per
thread): while a model is built on meta, ``torch.nn.init``'s initialisers and the
in-place fills they and torch's layers use (``uniform_``, ``normal_``, ``fill_``,
``zero_``...) do nothing to a meta tensor, which holds no values anyway. Nothing is
replaced anywhere: ``torch.nn.init`` and torch's layer classes stay as they are, so
another thread building a model meanwhile initialises its weights as usual, and a patch
another library makes to ``torch.nn.init`` (before, during or after a build) is never
undone. Tensors on a real device (a CPU build nested in a meta build) are initialised
for real. The module budget counts only the building context's own registrations.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from typing import Any

from netviz.errors import ModelTooLargeError
from netviz.serial import MODEL_WORK

MAX_MODULES = 50_000
"""Default cap on submodules a model may register while it is built
(WRN-1000-2 has 3,500); ``NETVIZ_MAX_MODULES`` overrides it."""

_INITIALISERS = frozenset({
    "uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_", "eye_", "dirac_",
    "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_",
    "sparse_",
})
"""``torch.nn.init``'s in-place initialisers (those torch routes through torch-function modes
answer at once; the others reach the fills below)."""
_FILLS = frozenset({
    "uniform_", "normal_", "fill_", "zero_", "erfinv_", "exponential_", "geometric_",
    "log_normal_", "cauchy_", "random_", "bernoulli_",
})
"""In-place tensor methods that only write values: random draws and fills."""


@contextmanager
def building_on(device: str, *, values: bool = False) -> Iterator[None]:
    """``with torch.device(device)``, with two guards while a model is built.

    On ``"meta"``, weight initialisation does nothing to meta tensors in this thread
    (see the module docs): meta tensors hold no values, a random initialiser on meta
    imports ``torch._dynamo`` (seconds), and the fills of a deep model's thousands of
    layers add up. With ``values``, tensors computed from constants (a builder's widths,
    the constants a model keeps in buffers) keep their values on meta (see
    [`meta_values`][netviz.tracing.meta.meta_values]; it costs a build a third more
    time). On any device, a model registering more than
    [`MAX_MODULES`][netviz.building.MAX_MODULES] submodules is stopped with
    [`ModelTooLargeError`][netviz.errors.ModelTooLargeError] instead of building
    for minutes. Nothing outside this thread's build is affected.
    """
    import torch

    with MODEL_WORK, ExitStack() as stack:
        stack.enter_context(_module_budget(int(os.environ.get("NETVIZ_MAX_MODULES", MAX_MODULES))))
        if device == "meta":
            stack.enter_context(_no_init())
        stack.enter_context(torch.device(device))
        if device == "meta" and values:
            from netviz.tracing.meta import meta_values

            stack.enter_context(meta_values())
        yield


def _no_init() -> Any:
    """A torch-function mode under which initialising a meta tensor does nothing.

    ``torch.overrides.TorchFunctionMode`` is torch's public API for modes; the
    initialisers of ``torch.nn.init`` check ``has_torch_function`` and hand themselves to
    the active mode, the others reach it through the fills they use
    (tests/test_building.py pins that this holds).
    """
    return _skip_init_mode()()


@functools.cache
def _skip_init_mode() -> type:
    from torch.overrides import TorchFunctionMode

    class SkipInit(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):  # noqa: ANN001
            kwargs = kwargs or {}
            name = getattr(func, "__name__", "")
            if name in _FILLS or name in _INITIALISERS:
                target = args[0] if args else kwargs.get("tensor")
                if getattr(target, "is_meta", False) and (
                    name in _FILLS or getattr(func, "__module__", "") == "torch.nn.init"
                ):
                    return target
            return func(*args, **kwargs)

    return SkipInit


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
