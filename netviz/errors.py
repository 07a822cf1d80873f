"""Exceptions that carry a one-line, user-facing message.

The CLI prints ``netviz: error: <message>`` for any ``NetvizError`` and exits
non-zero; everything else is a bug and shows a traceback only with ``--debug``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar


class NetvizError(Exception):
    """Base class: the message is one line a user can act on."""

    exit_code: int = 1


class UsageError(NetvizError):
    """Bad command-line input (malformed shape, unknown format, ...)."""

    exit_code = 2


class UnknownModelError(NetvizError):
    """A model name that is not registered (the message lists close matches)."""


class ModelSpecError(NetvizError):
    """A ``module:attr`` or ``file.py:attr`` spec that cannot be loaded."""


class ModelTooLargeError(ModelSpecError):
    """A model that registers more submodules than netviz builds (``NETVIZ_MAX_MODULES``)."""


class InputShapeError(NetvizError):
    """An input shape that is malformed or that the model rejects."""


class TraceError(NetvizError):
    """A model that can be neither fx-traced nor run with hooks."""


class ModelForwardError(NetvizError):
    """The model's own forward raised."""


class FormatError(UsageError):
    """An unknown output format, or one that contradicts the output suffix."""


class OutputError(NetvizError):
    """An output path that cannot be written."""


class GraphvizNotFoundError(NetvizError):
    """The Graphviz ``dot`` binary is missing (needed for SVG/PNG/PDF only)."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or "the Graphviz 'dot' binary is not installed; install it "
            "(Debian/Ubuntu: sudo apt-get install graphviz; macOS: brew install graphviz) "
            "or choose a text format (.dot, .mmd, .txt)"
        )


class NetvizWarning(UserWarning):
    """A warning the CLI prints as one ``netviz: warning:`` line."""


class TraceFallbackWarning(NetvizWarning):
    """torch.fx could not trace the model; module hooks were used instead."""


class LabelSizeWarning(NetvizWarning):
    """A figure scaled to a print width makes its smallest labels too small to read."""


class FitReport(NetvizWarning):
    """What ``--fit`` chose, in one line (the CLI prints it as ``netviz: fit ...``)."""


class FitWarning(LabelSizeWarning):
    """Nothing fits the ``--fit`` box with labels large enough: the best try is drawn."""


class MacsLowerBoundWarning(NetvizWarning):
    """Ops whose work depends on tensor values ran: the mult-adds counted are a lower bound."""


Note = tuple[type, str]
"""A warning netviz raised: its category and message."""

_COLLECTING: ContextVar[list[Note] | None] = ContextVar("netviz_warnings", default=None)


def warn(message: str, category: type[NetvizWarning] = NetvizWarning, stacklevel: int = 1) -> None:
    """``warnings.warn(message, category)``, also noted by the enclosing
    [`collected_warnings`][netviz.errors.collected_warnings] of this context (thread or task).

    Args:
        message: One line.
        category: A ``NetvizWarning`` class.
        stacklevel: As for ``warnings.warn``, counted from the caller of this function.
    """
    notes = _COLLECTING.get()
    if notes is not None:
        notes.append((category, message))
    warnings.warn(message, category, stacklevel=stacklevel + 1)


@contextmanager
def collected_warnings() -> Iterator[list[Note]]:
    """Note the netviz warnings raised in this context (they are raised as usual too).

    Unlike ``warnings.catch_warnings``, which swaps the process's warning filters and is
    not thread-safe, this changes nothing outside the current context.
    """
    notes: list[Note] = []
    token = _COLLECTING.set(notes)
    try:
        yield notes
    finally:
        _COLLECTING.reset(token)
