"""The Graphviz ``dot`` process: given a DOT text on stdin, it writes the drawing to stdout.

``dot`` spends a few milliseconds starting (loading its libraries and plugins) before
it reads its input. A render that will need it can start it early, in
[`started_early`][netviz.renderers.dot_process.started_early], while the model is
traced; the first [`run_dot_process`][netviz.renderers.dot_process.run_dot_process] of
the same command line, in the same environment, in that context hands its text to that
process instead of starting one. Either way ``dot`` reads the one graph from stdin, so
the bytes are the same.

The early process belongs to the context that started it (a ``ContextVar``: threads
never share one), is used at most once, and leaving the context kills and reaps it
if nothing used it (an error, or a drawing that came from the cache).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
from collections.abc import Iterator, Sequence
from contextvars import ContextVar

DotResult = tuple[int, bytes, bytes]
"""What a ``dot`` run gave: its exit status, stdout and stderr."""


def dot_environment() -> dict[str, str]:
    """The environment ``dot`` runs in: this process's, with ``SOURCE_DATE_EPOCH=0``
    (newer cairo writes that date into a PDF instead of the time of the render)."""
    return {**os.environ, "SOURCE_DATE_EPOCH": "0"}


class _Early:
    """A ``dot`` process started before its input was known, handed out at most once."""

    def __init__(self, argv: list[str], env: dict[str, str], process: subprocess.Popen[bytes]):
        self.argv = argv
        self.env = env
        self._process: subprocess.Popen[bytes] | None = process
        self._lock = threading.Lock()

    def take(self, argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes] | None:
        """The process, if it was started for ``argv`` in ``env``, is still waiting for
        its input, and was not taken before."""
        with self._lock:
            process = self._process
            if process is None or argv != self.argv or env != self.env:
                return None
            self._process = None
        if process.poll() is not None:  # it ended already (killed?): start a new one
            _discard(process)
            return None
        return process

    def close(self) -> None:
        """Kill and reap the process unless it was taken."""
        with self._lock:
            process, self._process = self._process, None
        if process is not None:
            _discard(process)


_STARTED: ContextVar[_Early | None] = ContextVar("netviz_early_dot", default=None)


@contextlib.contextmanager
def started_early(argv: Sequence[str]) -> Iterator[None]:
    """Start ``argv`` (``[dot, -Tsvg, ...]``) now, for the first
    [`run_dot_process`][netviz.renderers.dot_process.run_dot_process] of the same command
    line in this context; on leaving, a process nobody used is killed and reaped.

    A ``dot`` that cannot start is not reported here: the run that needs it reports it.
    """
    argv = list(argv)
    env = dot_environment()
    try:
        process = _start(argv, env)
    except OSError:
        process = None
    if process is None:
        yield
        return
    early = _Early(argv, env, process)
    token = _STARTED.set(early)
    try:
        yield
    finally:
        _STARTED.reset(token)
        early.close()


def run_dot_process(argv: Sequence[str], text: bytes) -> DotResult:
    """Run ``argv`` on ``text`` (the process started early for it, if there is one).

    Raises:
        OSError: The program cannot be run.
    """
    argv = list(argv)
    env = dot_environment()
    early = _STARTED.get()
    process = early.take(argv, env) if early is not None else None
    if process is None:
        process = _start(argv, env)
    try:
        stdout, stderr = process.communicate(text)
    except BaseException:
        _discard(process)
        raise
    return process.returncode, stdout, stderr


def _start(argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)


def _discard(process: subprocess.Popen[bytes]) -> None:
    """Kill ``process`` (if it still runs), close its pipes and reap it."""
    with contextlib.suppress(OSError):
        process.kill()
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()
    process.wait()
