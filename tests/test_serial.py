"""netviz's model work takes turns: a torch.fx trace never patches nn.Module under another call.

While fx traces, ``nn.Module.__call__`` is fx's wrapper for the whole process; a
forward another thread runs then goes through that wrapper, into the wrong trace.
"""

from __future__ import annotations

import threading

import torch
from torch import nn

import netviz
from netviz.renderers import render_dot
from netviz.transforms import to_notation


class _WaitsWhileTraced(nn.Module):
    """Its forward, run by torch.fx with nn.Module patched, waits a while for another thread."""

    def __init__(self, tracing: threading.Event, other_done: threading.Event) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.tracing, self.other_done = tracing, other_done

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.tracing.set()
        # netviz holds its lock now, so the other thread's trace cannot finish: this
        # wait runs out (a bounded wait, not a timed assertion). Without the lock the
        # other thread's forward would run inside this trace's patches.
        self.other_done.wait(1.0)
        return self.conv(x)


def _dot(spec: object) -> str:
    return render_dot(to_notation(netviz.trace(spec, [(3, 32, 32)])))


def _summary(spec: object) -> str:
    return str(netviz.summary(spec, input_shapes=[(3, 32, 32)]))


def test_a_summary_in_another_thread_waits_for_a_running_trace() -> None:
    other = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.ReLU(), nn.Conv2d(8, 8, 3))
    alone = _summary(other)
    tracing, other_done = threading.Event(), threading.Event()
    result: dict[str, object] = {}

    def summarize_other() -> None:  # a real forward (torchinfo's) on CPU
        tracing.wait(30)
        try:
            result["text"] = _summary(other)
        except Exception as exc:  # noqa: BLE001 - reported below
            result["error"] = exc
        other_done.set()

    thread = threading.Thread(target=summarize_other)
    thread.start()
    _dot(_WaitsWhileTraced(tracing, other_done))
    thread.join(60)
    assert "error" not in result, result.get("error")
    assert result["text"] == alone


class _Pausing(nn.Module):
    """Two convolutions; between them (while fx traces it) it signals, then waits."""

    def __init__(self, signal: threading.Event, wait_for: threading.Event, wait: float) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 4, 3, padding=1)
        self.conv2 = nn.Conv2d(4, 4, 3, padding=1)
        self.signal, self.wait_for, self.wait = signal, wait_for, wait

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv1(x)
        self.signal.set()
        self.wait_for.wait(self.wait)
        return self.conv2(x)


def test_overlapping_traces_take_turns_and_leave_nn_module_as_it_was() -> None:
    """Unlocked, the first trace to end would restore nn.Module.__call__ under the second,
    and the second would then put the first one's wrapper back for good."""
    done = threading.Event()
    done.set()
    alone = _dot(_Pausing(threading.Event(), done, 0))
    module_call, module_getattr = nn.Module.__call__, nn.Module.__getattr__
    a_tracing, b_tracing, a_done = threading.Event(), threading.Event(), threading.Event()
    result: dict[str, object] = {}

    def trace_b() -> None:
        a_tracing.wait(30)
        try:
            result["dot"] = _dot(_Pausing(b_tracing, a_done, 30))
        except Exception as exc:  # noqa: BLE001 - reported below
            result["error"] = exc

    thread = threading.Thread(target=trace_b)
    thread.start()
    try:
        first = _dot(_Pausing(a_tracing, b_tracing, 1.0))  # bounded: B waits for the lock
        a_done.set()
        thread.join(60)
        intact = nn.Module.__call__ is module_call and nn.Module.__getattr__ is module_getattr
    finally:  # repair what an unlocked run breaks, for the tests that follow
        nn.Module.__call__, nn.Module.__getattr__ = module_call, module_getattr  # type: ignore[method-assign]
    assert intact
    assert "error" not in result, result.get("error")
    assert first == alone and result["dot"] == alone
