"""``dot`` started early: the same bytes as a plain run, used at most once, by its own
context only, and killed and reaped whenever nothing used it (an error, a cached image)."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from netviz.errors import NetvizError
from netviz.ir import Graph
from netviz.renderers import dot_process, render_binary, render_dot
from netviz.renderers.binary import dot_started

pytestmark = pytest.mark.needs_dot


@pytest.fixture(autouse=True)
def _no_cache() -> Iterator[None]:
    """Every image drawn by ``dot`` here (none from netviz's image cache)."""
    from netviz.cache import using_cache

    with using_cache(enabled=False):
        yield


@pytest.fixture()
def started(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Every ``dot`` process netviz starts, in order."""
    processes: list[subprocess.Popen[bytes]] = []
    start = dot_process._start

    def recording(argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        process = start(argv, env)
        processes.append(process)
        return process

    monkeypatch.setattr(dot_process, "_start", recording)
    yield processes


def _reaped(process: subprocess.Popen[bytes]) -> bool:
    """The process ended, was waited for (no zombie) and its pipes are closed."""
    pipes = (process.stdin, process.stdout, process.stderr)
    return (process.returncode is not None and not Path(f"/proc/{process.pid}").exists()
            and all(p is None or p.closed for p in pipes))


@pytest.mark.parametrize("fmt", ["svg", "png", "pdf"])
def test_an_early_dot_draws_the_same_bytes_and_is_the_only_one(
    wrn: Graph, started: list[subprocess.Popen[bytes]], fmt: str
) -> None:
    source = render_dot(wrn)
    plain = render_binary(source, fmt)
    assert len(started) == 1
    with dot_started(fmt):
        assert len(started) == 2  # started before any DOT text exists
        early = render_binary(source, fmt)
    assert early == plain
    assert len(started) == 2  # the run used the process started early
    assert all(_reaped(p) for p in started)


def test_an_unused_early_dot_is_killed_and_reaped(started: list[subprocess.Popen[bytes]]) -> None:
    with dot_started("svg"):
        pass
    (process,) = started
    assert _reaped(process) and process.returncode != 0  # killed, not finished


def test_an_error_kills_and_reaps_the_early_dot(started: list[subprocess.Popen[bytes]]) -> None:
    with pytest.raises(KeyError):
        with dot_started("svg"):
            raise KeyError("tracing failed")
    (process,) = started
    assert _reaped(process)


def test_another_command_line_starts_its_own_dot(
    wrn: Graph, started: list[subprocess.Popen[bytes]]
) -> None:
    source = render_dot(wrn)
    with dot_started("svg"):
        png = render_binary(source, "png")  # not what was started: a run of its own
        assert len(started) == 2 and started[0].returncode is None  # the early one waits
        svg = render_binary(source, "svg")  # takes it
        assert len(started) == 2
        render_binary(source, "svg")  # used once: a new run
        assert len(started) == 3
    assert png.startswith(b"\x89PNG") and svg.startswith(b"<?xml")
    assert all(_reaped(p) for p in started)


def test_a_changed_environment_is_not_the_early_dots(
    wrn: Graph, started: list[subprocess.Popen[bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    with dot_started("svg"):
        monkeypatch.setenv("NETVIZ_TEST_DOT_ENV", "1")  # dot might read it: run anew
        render_binary(render_dot(wrn), "svg")
        assert len(started) == 2
    assert all(_reaped(p) for p in started)


def test_a_dead_early_dot_is_not_used(wrn: Graph, started: list[subprocess.Popen[bytes]]) -> None:
    source = render_dot(wrn)
    with dot_started("svg"):
        started[0].kill()
        started[0].wait()
        assert render_binary(source, "svg") == render_binary(source, "svg")
    assert len(started) == 3 and all(_reaped(p) for p in started)


def test_threads_never_share_an_early_dot(
    wrn: Graph, started: list[subprocess.Popen[bytes]]
) -> None:
    source = render_dot(wrn)
    done: list[bytes] = []
    with dot_started("svg"):
        thread = threading.Thread(target=lambda: done.append(render_binary(source, "svg")))
        thread.start()
        thread.join()
        assert len(started) == 2 and started[0].returncode is None  # not the thread's
    assert done and all(_reaped(p) for p in started)


def test_a_failing_early_dot_reports_its_error(started: list[subprocess.Popen[bytes]]) -> None:
    with dot_started("svg"):
        with pytest.raises(NetvizError, match="failed to render svg: .*syntax error"):
            render_binary("digraph { a -> }", "svg")
    assert len(started) == 1 and _reaped(started[0])


def test_no_dot_no_early_start(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                               started: list[subprocess.Popen[bytes]]) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with dot_started("svg"):
        pass
    fake = tmp_path / "dot"
    fake.write_text("#!/nonexistent/interpreter\n")
    fake.chmod(0o755)
    with dot_started("svg"):  # cannot start: the run that needs it says so
        pass
    assert started == []
    with dot_started("dot"), dot_started("mmd"):  # text formats need no dot
        pass
    assert started == []


def test_a_failing_render_leaves_no_dot_and_no_file(
    tmp_path: Path, started: list[subprocess.Popen[bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from netviz import api

    model = tmp_path / "broken.py"
    model.write_text(
        "import torch\n\n"
        "class Net(torch.nn.Module):\n"
        "    def forward(self, x):\n"
        "        raise RuntimeError('broken forward')\n"
    )
    with pytest.raises(NetvizError, match="broken forward"):
        api.render(f"{model}:Net", "svg", input_shapes=[(3, 8, 8)])
    (process,) = started  # dot was started while the model was traced...
    assert _reaped(process)  # ...and stopped when tracing failed
    assert shutil.which("dot") is not None and os.listdir(tmp_path) == ["broken.py"]
