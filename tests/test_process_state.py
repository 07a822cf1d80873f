"""Library calls leave the process as they found it, and are safe from several threads.

- Four threads call ``netviz.render`` at once, first thing in a fresh process (the
  registry is filled by one of them while the others wait): all succeed, with what
  one call at a time gives; meanwhile and afterwards another thread sees the garbage
  collector, the warning filters, ``sys.path`` and ``os.environ`` as they were.
- A patch another library makes to ``torch.nn.init``, before or during a render, keeps
  answering calls from other threads during the render and after it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import torch
from torch import nn

import netviz

ROOT = Path(__file__).resolve().parent.parent
MODELS = ["wrn28_2", "resnet18", "vit_mini", "wrn16_4"]

CONCURRENT = textwrap.dedent(
    """
    import gc, json, os, sys, threading, warnings
    # modules that add a warning filter when first imported (sympy, which torch imports
    # lazily for its meta kernels) are imported first: an import's own side effect is
    # not the library call's
    import sympy, torch, torchinfo
    import netviz

    names = sys.argv[1:]

    def state():
        return (gc.isenabled(), repr(warnings.filters), list(sys.path), dict(os.environ))

    before = state()
    changes, stop = [], threading.Event()

    def watch():  # another thread of the same program
        while not stop.is_set():
            now = state()
            if now != before:
                changes.append([i for i, (a, b) in enumerate(zip(before, now)) if a != b])

    watcher = threading.Thread(target=watch)
    watcher.start()
    start, results = threading.Barrier(len(names)), {}

    def render(name):
        start.wait()
        try:
            out = netviz.render(name, "dot")
            results[name] = out.decode() if isinstance(out, bytes) else out
        except Exception as exc:
            results[name] = f"FAILED {type(exc).__name__}: {exc}"

    threads = [threading.Thread(target=render, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    watcher.join()
    print(json.dumps({"results": results, "changes": changes, "after": state() == before}))
    """
)


def test_four_first_calls_from_threads_in_a_fresh_process_all_succeed() -> None:
    env = {**os.environ, "NETVIZ_NO_CACHE": "1"}
    done = subprocess.run([sys.executable, "-c", CONCURRENT, *MODELS], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    failed = {k: v for k, v in report["results"].items() if v.startswith("FAILED")}
    assert not failed
    assert report["changes"] == [], "another thread saw (gc, filters, sys.path, environ) change"
    assert report["after"]
    sequential = {name: netviz.render(name, "dot") for name in MODELS}
    assert report["results"] == {k: v.decode() if isinstance(v, bytes) else v
                                 for k, v in sequential.items()}


@pytest.fixture
def patched_init(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], list[str]]]:
    """Replace ``nn.init.normal_`` as another library would (undone after the test)."""
    calls: list[str] = []
    original = nn.init.normal_

    def logging_normal_(tensor: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
        calls.append(threading.current_thread().name)
        return original(tensor, *args, **kwargs)

    def install() -> list[str]:
        monkeypatch.setattr(nn.init, "normal_", logging_normal_)
        return calls

    yield install


def _call_init_from(name: str) -> torch.Tensor:
    """``nn.init.normal_`` on a CPU tensor from another thread; returns the tensor."""
    out: dict[str, torch.Tensor] = {}

    def run() -> None:
        out["t"] = nn.init.normal_(torch.zeros(8))

    thread = threading.Thread(target=run, name=name)
    thread.start()
    thread.join(30)
    return out["t"]


def _slow_builder(entered: threading.Event, release: threading.Event) -> Callable[[], nn.Module]:
    def build() -> nn.Module:
        entered.set()  # the meta build is running now
        assert release.wait(30)
        layer = nn.Linear(4, 4)
        nn.init.normal_(layer.weight)
        return nn.Sequential(layer, nn.ReLU())

    return build


@pytest.mark.parametrize("when", ["before", "during"])
def test_another_librarys_init_patch_answers_other_threads_during_and_after_a_render(
    when: str, patched_init: Callable[[], list[str]], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from netviz.building import building_on

    monkeypatch.setenv("NETVIZ_NO_CACHE", "1")
    calls = patched_init() if when == "before" else []
    entered, release = threading.Event(), threading.Event()
    result: dict[str, Any] = {}

    def render() -> None:
        try:
            with building_on("meta"):  # as netviz builds registered models
                model = _slow_builder(entered, release)()
            result["out"] = netviz.render(model, "dot", input_shapes=[(4,)])
        except Exception as exc:  # noqa: BLE001 - reported below
            result["error"] = exc

    thread = threading.Thread(target=render, name="render")
    thread.start()
    assert entered.wait(30)
    if when == "during":
        calls = patched_init()
    during = _call_init_from("other-during")
    release.set()
    thread.join(60)
    assert "error" not in result, result.get("error")
    after = _call_init_from("other-after")
    assert during.abs().sum() > 0 and after.abs().sum() > 0  # really initialised
    assert calls.count("other-during") == 1 and calls.count("other-after") == 1
    assert nn.init.normal_.__name__ == "logging_normal_"  # the patch is still in place
