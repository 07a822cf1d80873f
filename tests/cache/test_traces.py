"""Traces, notation graphs and images through the public API with the cache on: hits,
misses, and every kind of invalidation."""

from __future__ import annotations

import os
import shutil
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import netviz
import netviz._version
from netviz import api, traced
from netviz.cache import Cache
from netviz.cache import keys as keys_module
from netviz.errors import NetvizError, TraceFallbackWarning
from netviz.ir import Graph
from tests.cache.files import NET, backdate


BRANCHY = textwrap.dedent(
    """
    from torch import nn


    class Branchy(nn.Module):
        input_shape = (3, 8, 8)

        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 4, 3)

        def forward(self, x):
            if x.sum() > 0:  # data-dependent: torch.fx cannot trace it
                return self.conv(x)
            return self.conv(-x)
    """
)


@pytest.fixture
def model(tmp_path: Path) -> Iterator[Path]:
    """A file spec's model, importing a sibling ``helper.py`` (``WIDTH = 8``); both were
    written before this process started, as a project's files are."""
    (tmp_path / "helper.py").write_text("WIDTH = 8\n")
    (tmp_path / "net.py").write_text(NET)
    backdate(*tmp_path.iterdir())
    yield tmp_path / "net.py"
    sys.modules.pop("helper", None)


@pytest.fixture
def traces(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The specs traced without the cache (``netviz.traced``'s uncached trace, which a cache
    miss and a trace with the cache off both run), in order."""
    seen: list[object] = []
    real = traced.load_and_trace

    def counting(spec: object, *arguments: Any) -> Any:
        seen.append(spec)
        return real(spec, *arguments)

    monkeypatch.setattr(traced, "load_and_trace", counting)
    return seen


def width(graph: Graph) -> int | None:
    shape = graph.node("conv").shape
    return shape[0] if shape else None


def test_a_repeat_trace_is_a_hit(cache: Cache, model: Path, traces: list[object]) -> None:
    first = api.trace(f"{model}:Net")
    second = api.trace(f"{model}:Net")
    assert second == first and width(second) == 8
    assert len(traces) == 1
    assert cache.usage().entries == {"trace": 1}


@pytest.mark.parametrize("edited", ["net.py", "helper.py"])
def test_editing_the_model_file_or_a_file_it_imports_retraces(
    cache: Cache, model: Path, traces: list[object], edited: str
) -> None:
    assert width(api.trace(f"{model}:Net")) == 8
    if edited == "helper.py":
        (model.parent / "helper.py").write_text("WIDTH = 16\n")
        sys.modules.pop("helper")  # as a new process would: import the edited file
    else:
        model.write_text(NET.replace("from helper import WIDTH", "WIDTH = 16"))
    assert width(api.trace(f"{model}:Net")) == 16
    assert width(api.trace(f"{model}:Net")) == 16
    assert len(traces) == 2


def test_a_module_python_did_not_reload_after_an_edit_is_not_cached(
    cache: Cache, model: Path, traces: list[object]
) -> None:
    api.trace(f"{model}:Net")
    (model.parent / "helper.py").write_text("WIDTH = 16\n")
    # this process keeps the old helper module: its trace says 8, not what the file says
    assert width(api.trace(f"{model}:Net")) == 8
    assert cache.usage().entries == {"trace": 1}  # so it is not stored as the new file's
    sys.modules.pop("helper")
    assert width(api.trace(f"{model}:Net")) == 16
    assert len(traces) == 3


@pytest.mark.parametrize("what", ["torch", "netviz"])
def test_another_torch_or_netviz_version_retraces(
    cache: Cache, model: Path, traces: list[object], monkeypatch: pytest.MonkeyPatch, what: str
) -> None:
    api.trace(f"{model}:Net")
    if what == "torch":
        monkeypatch.setattr(keys_module, "torch_version", lambda: "0.0.1")
    else:
        monkeypatch.setattr(netviz._version, "__version__", "0.0.1")
    api.trace(f"{model}:Net")
    api.trace(f"{model}:Net")
    assert len(traces) == 2


def test_another_option_retraces(cache: Cache, model: Path, traces: list[object]) -> None:
    small = api.trace(f"{model}:Net")
    large = api.trace(f"{model}:Net", [(3, 16, 16)])
    assert small.node("conv").shape == (8, 8, 8) and large.node("conv").shape == (8, 16, 16)
    assert api.trace(f"{model}:Net", [(3, 8, 8)]) != large
    assert len(traces) == 3  # (3, 8, 8) given is another request than "the model's own"


def test_a_notation_hit_needs_neither_trace_nor_transforms(
    cache: Cache, model: Path, traces: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = api.render(f"{model}:Net", "dot", legend=True)
    listing = api.pseudocode(f"{model}:Net")

    def no_transforms(*args: object, **kwargs: object) -> Graph:
        raise AssertionError("the notation graph should come from the cache")

    monkeypatch.setattr("netviz.transforms.to_notation", no_transforms)
    assert api.render(f"{model}:Net", "dot", legend=True) == cold
    assert api.pseudocode(f"{model}:Net") == listing
    assert len(traces) == 1
    assert cache.usage().entries == {"trace": 1, "notation": 2, "figure": 1}


def test_other_transform_options_reuse_the_raw_trace(
    cache: Cache, model: Path, traces: list[object]
) -> None:
    plain = api.render(f"{model}:Net", "mmd")
    with_shapes = api.render(f"{model}:Net", "mmd", fold=False, shapes=True)
    assert b"8x8" in with_shapes and b"8x8" not in plain
    assert len(traces) == 1
    assert cache.usage().entries == {"trace": 1, "notation": 2, "figure": 2}


def test_a_fallback_warning_is_raised_again_on_every_hit(
    cache: Cache, tmp_path: Path, traces: list[object]
) -> None:
    (tmp_path / "branchy.py").write_text(BRANCHY)
    for _ in range(2):
        for make in (lambda: api.trace(f"{tmp_path}/branchy.py:Branchy"),
                     lambda: api.render(f"{tmp_path}/branchy.py:Branchy", "mmd")):
            with pytest.warns(TraceFallbackWarning, match="torch.fx could not trace"):
                make()
    assert len(traces) == 1


def test_module_instances_are_never_cached(cache: Cache, model: Path, traces: list[object]) -> None:
    from torch import nn

    net = nn.Sequential(nn.Conv2d(3, 4, 3))
    api.trace(net, [(3, 8, 8)])
    api.trace(net, [(3, 8, 8)])
    assert len(traces) == 2 and cache.usage().entries == {}


def test_failures_are_never_cached(cache: Cache, tmp_path: Path, traces: list[object]) -> None:
    (tmp_path / "bad.py").write_text("from torch import nn\nclass Bad(nn.Module):\n"
                                     "    def forward(self, x):\n        raise ValueError('no')\n")
    for _ in range(2):
        with pytest.raises(NetvizError):
            api.trace(f"{tmp_path}/bad.py:Bad", [(3, 8, 8)])
    assert len(traces) == 2 and cache.usage().entries == {}


def test_a_corrupt_trace_entry_is_traced_again_and_rewritten(
    cache: Cache, model: Path, traces: list[object]
) -> None:
    first = api.trace(f"{model}:Net")
    (entry,) = (cache.folder / "trace").iterdir()
    entry.write_bytes(entry.read_bytes()[:-10])
    assert api.trace(f"{model}:Net") == first
    assert api.trace(f"{model}:Net") == first
    assert len(traces) == 2


def test_the_cache_switched_off_is_not_used(
    model: Path, traces: list[object], netviz_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NETVIZ_NO_CACHE", "1")
    api.trace(f"{model}:Net")
    api.trace(f"{model}:Net")
    assert len(traces) == 2 and not any(netviz_cache.iterdir())


@pytest.mark.needs_dot
def test_an_image_hit_does_not_run_dot(
    cache: Cache, model: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    svg = api.render(f"{model}:Net", "svg")

    def no_dot(*args: object, **kwargs: object) -> None:
        raise AssertionError("dot ran on a cache hit")

    monkeypatch.setattr("netviz.renderers.binary.run_dot_process", no_dot)  # hands dot its text
    assert api.render(f"{model}:Net", "svg") == svg
    with pytest.raises(AssertionError, match="dot ran"):
        api.render(f"{model}:Net", "png")  # another format: another image
    # another dot binary (here: a copy of the same program) is another key
    dot = shutil.which("dot")
    assert dot is not None
    other = tmp_path / "bin"
    other.mkdir()
    shutil.copy(dot, other / "dot")
    monkeypatch.setenv("PATH", f"{other}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(AssertionError, match="dot ran"):
        api.render(f"{model}:Net", "svg")
