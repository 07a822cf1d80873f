"""Exceptions that carry a one-line, user-facing message.

The CLI prints ``netviz: error: <message>`` for any ``NetvizError`` and exits
non-zero; everything else is a bug and shows a traceback only with ``--debug``.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep


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


def caller_stacklevel(least: int = 1) -> int:
    """The ``stacklevel`` that makes a warning raised by this function's caller point at
    the code that called into netviz: the frame just outside the outermost netviz frame
    of the stack (however deep netviz's own calls go: the API, the cache, the tracer,
    model code calling back into netviz's hooks), and at least ``least`` frames out.

    Args:
        least: The fewest frames to go out, counted as ``warnings.warn`` counts them
            from this function's caller (1: the caller itself).
    """
    import inspect  # here: the command line's parser (importing this module) needs none

    frame = inspect.currentframe()
    frames = []
    frame = frame.f_back if frame is not None else None  # the caller: level 1
    while frame is not None:
        frames.append(frame.f_code.co_filename)
        frame = frame.f_back
    inside = [i for i, name in enumerate(frames) if os.path.abspath(name).startswith(_PACKAGE)]
    outermost = inside[-1] if inside else 0
    return max(least, min(outermost + 2, len(frames)))


def warn(message: str, category: type[NetvizWarning] = NetvizWarning, stacklevel: int = 1) -> None:
    """``warnings.warn(message, category)``, pointing at the code that called netviz, also
    noted by the enclosing [`collected_warnings`][netviz.errors.collected_warnings] of this
    context (thread or task).

    Args:
        message: One line.
        category: A ``NetvizWarning`` class.
        stacklevel: The fewest frames to go out, as for ``warnings.warn``, counted from
            the caller of this function; the warning points further out when netviz's own
            code is there (see [`caller_stacklevel`][netviz.errors.caller_stacklevel]).
    """
    notes = _COLLECTING.get()
    if notes is not None:
        notes.append((category, message))
    warnings.warn(message, category, stacklevel=caller_stacklevel(stacklevel + 1))


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
