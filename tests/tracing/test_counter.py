"""The dispatch-level MAC counter, and the torch behaviour it relies on (private API pinned).

``torch.utils._python_dispatch.TorchDispatchMode`` is private to torch; the counter
relies on it seeing every aten op under ``no_grad`` on meta and CPU tensors, once
(a call made inside the handler is not seen again), on the mode stack being per
thread, and on ``_should_skip_dynamo`` keeping ``torch._dynamo`` unimported.
"""

from __future__ import annotations

import subprocess
import sys
import threading

import torch
import torch.nn.functional as F

from netviz.tracing.counter import MacCounter


def test_aten_ops_are_seen_once_under_no_grad_on_meta_and_cpu() -> None:
    for device in ("meta", "cpu"):
        counter = MacCounter()
        a, b = torch.zeros(5, 8, device=device), torch.zeros(8, 3, device=device)
        with torch.no_grad(), counter, counter.measure() as count:
            F.linear(a, b.t())  # addmm under the hood: counted once, not per nested call
        assert count.macs == 5 * 8 * 3


def test_a_measure_counts_only_what_runs_inside_it() -> None:
    counter = MacCounter()
    with counter:
        torch.mm(torch.zeros(2, 3), torch.zeros(3, 4))
        with counter.measure() as inner:
            torch.mm(torch.zeros(4, 5), torch.zeros(5, 6))
    assert inner.macs == 4 * 5 * 6
    assert counter.counts[0].macs == 2 * 3 * 4


def test_the_mode_counts_its_own_thread_only() -> None:
    counter = MacCounter()
    started, done = threading.Event(), threading.Event()

    def other() -> None:
        started.wait(10)
        torch.mm(torch.zeros(10, 10), torch.zeros(10, 10))  # not counted: another thread
        done.set()

    thread = threading.Thread(target=other)
    thread.start()
    with counter, counter.measure() as count:
        started.set()
        assert done.wait(10)
        torch.mm(torch.zeros(2, 2), torch.zeros(2, 2))
    thread.join(10)
    assert count.macs == 8


def test_counting_imports_no_dynamo() -> None:
    code = (
        "import sys, torch\n"
        "from netviz.tracing.counter import MacCounter\n"
        "c = MacCounter()\n"
        "with c, c.measure() as n:\n"
        "    torch.empty(2, 3, device='meta').view(3, 2) @ torch.empty(2, 4, device='meta')\n"
        "print(n.macs, 'torch._dynamo' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["24", "False"]
