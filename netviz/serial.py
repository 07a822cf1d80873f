"""netviz's work on models takes turns within a process.

While torch.fx traces a model it replaces ``nn.Module.__call__`` and
``nn.Module.__getattr__`` for the whole process, so a model built or run by
another thread meanwhile would be recorded into that trace, or fail. netviz
therefore holds [`MODEL_WORK`][netviz.serial.MODEL_WORK] while it builds,
traces or summarizes a model: calls from several threads are safe and give the
results they give one after another (rendering a traced graph runs in parallel).
Threads of your own that run models while netviz traces are exposed to
torch.fx's patching as with any fx user; netviz's own patches are not seen
there (see [`netviz.building`][netviz.building]).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar, cast

F = TypeVar("F", bound=Callable[..., Any])

MODEL_WORK = threading.RLock()
"""Held while netviz builds, traces or summarizes a model (re-entrant: a builder
may call netviz again)."""


def one_at_a_time(function: F) -> F:
    """Decorator: ``function`` runs holding [`MODEL_WORK`][netviz.serial.MODEL_WORK]."""

    @functools.wraps(function)
    def holding(*args: Any, **kwargs: Any) -> Any:
        with MODEL_WORK:
            return function(*args, **kwargs)

    return cast(F, holding)
