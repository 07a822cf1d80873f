"""A small pool of ``python -m netviz.mkdocs.worker`` processes.

Why not ``concurrent.futures.ProcessPoolExecutor``: with the ``spawn`` start
method (the only safe one beside threads) every worker re-runs the parent's
``__main__`` script, so a script that calls MkDocs' ``build()`` without an
``if __name__ == "__main__":`` guard would build (and clean!) the site again in
each worker. These workers are plain subprocesses: they import nothing of the
parent, inherit its ``sys.path``, and talk pickles over their stdin/stdout
(their own prints go to stderr). One thread per worker feeds it calls from its
own queue; calls with the same *affinity* (the plugin uses the model name) go to
the same worker, whose caches then already hold that model's trace and tables.
"""

from __future__ import annotations

import os
import pickle
import queue
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

_STOP = None


class WorkerError(RuntimeError):
    """A worker process died or answered garbage; the call was not completed."""


class WorkerPool:
    """``workers`` worker processes, started at once, serving ``submit`` calls in order."""

    def __init__(
        self, workers: int, env: dict[str, str] | None = None, cwd: str | None = None
    ) -> None:
        """Start ``workers`` processes with ``env`` added to the environment, in ``cwd``."""
        self._queues: list[queue.Queue[tuple[Future[Any], str, tuple[Any, ...]] | None]] = []
        self._affinity: dict[str, int] = {}
        self._load: list[int] = []
        self._procs: list[subprocess.Popen[bytes]] = []
        self._threads: list[threading.Thread] = []
        for index in range(max(1, workers)):
            proc = subprocess.Popen(
                [sys.executable, "-m", "netviz.mkdocs.worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env={**os.environ, **(env or {})},
                cwd=cwd,
            )
            if proc.stdin is None:  # pragma: no cover - stdin=PIPE always gives one
                raise WorkerError("cannot talk to the render worker")
            pickle.dump(list(sys.path), proc.stdin)
            proc.stdin.flush()
            self._procs.append(proc)
            self._queues.append(queue.Queue())
            self._load.append(0)
            thread = threading.Thread(
                target=self._serve,
                args=(proc, self._queues[index]),
                name=f"netviz-worker-{index}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)

    def submit(
        self, fn: Callable[..., Any], *args: Any, affinity: str | None = None, cost: int = 1
    ) -> Future[Any]:
        """Call ``netviz.mkdocs.worker.<fn.__name__>(*args)`` in a worker.

        Args:
            fn: A function of ``netviz.mkdocs.worker`` (only its name is sent).
            *args: Its arguments (pickled).
            affinity: Calls with the same key run in the same worker.
            cost: Rough size of the call, to balance the workers' queues.
        """
        if affinity is not None and affinity in self._affinity:
            index = self._affinity[affinity]
        else:
            index = min(range(len(self._queues)), key=lambda i: (self._load[i], i))
            if affinity is not None:
                self._affinity[affinity] = index
        self._load[index] += cost
        future: Future[Any] = Future()
        self._queues[index].put((future, fn.__name__, args))
        return future

    def _serve(self, proc: subprocess.Popen[bytes], calls: queue.Queue[Any]) -> None:
        broken: str | None = None
        while True:
            call = calls.get()
            if call is _STOP:
                return
            future, name, args = call
            if not future.set_running_or_notify_cancel():
                continue
            if broken is not None:
                future.set_exception(WorkerError(broken))
                continue
            try:
                pickle.dump((name, args), proc.stdin)  # type: ignore[arg-type]
                proc.stdin.flush()  # type: ignore[union-attr]
                status, value = pickle.load(proc.stdout)  # type: ignore[arg-type]
            except Exception as exc:  # noqa: BLE001 - EOF, broken pipe, garbage
                code = proc.poll()
                broken = f"the render worker died (exit code {code}): {type(exc).__name__}"
                future.set_exception(WorkerError(broken))
                continue
            if status == "ok":
                future.set_result(value)
            else:
                future.set_exception(WorkerError(value))

    def shutdown(self, timeout: float = 10.0) -> None:
        """Stop every worker (pending calls are cancelled)."""
        for calls in self._queues:
            while True:
                try:
                    call = calls.get_nowait()
                except queue.Empty:
                    break
                if call is not _STOP:
                    call[0].cancel()
            calls.put(_STOP)
        for thread in self._threads:
            thread.join(timeout)
        for proc in self._procs:
            try:
                if proc.stdin:
                    proc.stdin.close()
                proc.wait(timeout)
            except (OSError, subprocess.TimeoutExpired):
                proc.kill()
                proc.wait()
            finally:
                if proc.stdout:
                    proc.stdout.close()
