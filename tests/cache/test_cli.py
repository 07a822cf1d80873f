"""The cache from the command line: a repeat render imports no torch and writes the same
bytes; --no-cache; concurrent renders; an unwritable cache folder; 'netviz cache'."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from netviz.cli import main
from tests.cache.files import backdate

RUN = textwrap.dedent(
    """
    import sys
    from netviz.cli import main
    code = main(sys.argv[1:])
    print("torch imported:", "torch" in sys.modules, file=sys.stderr)
    sys.exit(code)
    """
)

NET = textwrap.dedent(
    """
    from torch import nn


    class Net(nn.Module):
        input_shape = (3, 8, 8)

        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 8, 3, padding=1)
            self.bn = nn.BatchNorm2d(8)

        def forward(self, x):
            return self.bn(self.conv(x)).relu() + x.mean()
    """
)


def netviz(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``netviz ARGV`` in a fresh interpreter; stderr ends with whether torch was imported."""
    environment = {k: v for k, v in os.environ.items() if k != "NETVIZ_NO_CACHE"}
    return subprocess.run(
        [sys.executable, "-c", RUN, *argv],
        capture_output=True,
        text=True,
        timeout=600,
        env={**environment, **(env or {})},
        check=False,
    )


def torch_imported(done: subprocess.CompletedProcess[str]) -> bool:
    assert done.returncode == 0, done.stderr
    return done.stderr.strip().splitlines()[-1] == "torch imported: True"


@pytest.fixture
def spec(tmp_path: Path) -> str:
    """A file spec written before this process started."""
    path = tmp_path / "net.py"
    path.write_text(NET)
    backdate(path)
    return f"{path}:Net"


@pytest.mark.needs_dot
def test_a_repeat_render_imports_no_torch_and_writes_the_same_bytes(tmp_path: Path) -> None:
    out = [tmp_path / f"{name}.svg" for name in ("off", "cold", "warm")]
    assert torch_imported(netviz("--no-cache", "render", "wrn28_2", "-o", str(out[0])))
    assert torch_imported(netviz("render", "wrn28_2", "-o", str(out[1])))
    assert not torch_imported(netviz("render", "wrn28_2", "-o", str(out[2])))
    assert out[0].read_bytes() == out[1].read_bytes() == out[2].read_bytes()


def test_other_options_reuse_the_trace_without_torch(spec: str, tmp_path: Path) -> None:
    assert torch_imported(netviz("render", spec, "-o", str(tmp_path / "a.dot")))
    done = netviz("render", spec, "-o", str(tmp_path / "b.mmd"), "--no-fold", "--shapes")
    assert not torch_imported(done)
    off = netviz("render", spec, "-o", str(tmp_path / "c.mmd"), "--no-fold", "--shapes",
                 env={"NETVIZ_NO_CACHE": "1"})
    assert torch_imported(off)
    assert (tmp_path / "b.mmd").read_bytes() == (tmp_path / "c.mmd").read_bytes()


def test_the_cache_can_be_turned_off(spec: str, tmp_path: Path, netviz_cache: Path) -> None:
    out = tmp_path / "out.dot"
    assert torch_imported(netviz("render", spec, "-o", str(out)))
    before = sorted((p, p.stat().st_mtime_ns) for p in netviz_cache.rglob("*"))
    for argv, env in (
        (["--no-cache", "render"], {}),
        (["render", "--no-cache"], {}),
        (["render"], {"NETVIZ_NO_CACHE": "1"}),
    ):
        assert torch_imported(netviz(*argv, spec, "-o", str(out), env=env)), argv  # no hit
    assert sorted((p, p.stat().st_mtime_ns) for p in netviz_cache.rglob("*")) == before


def test_two_renders_at_once_both_succeed(spec: str, tmp_path: Path) -> None:
    outs = [tmp_path / f"out{i}.dot" for i in range(2)]
    environment = {k: v for k, v in os.environ.items() if k != "NETVIZ_NO_CACHE"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", RUN, "render", spec, "-o", str(out)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environment,
        )
        for out in outs
    ]
    results = [proc.communicate(timeout=600) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], results
    assert outs[0].read_bytes() == outs[1].read_bytes()
    assert not torch_imported(netviz("render", spec, "-o", str(tmp_path / "again.dot")))
    assert (tmp_path / "again.dot").read_bytes() == outs[0].read_bytes()


def test_an_unwritable_cache_folder_gives_one_warning_line(
    spec: str, tmp_path: Path, netviz_cache: Path, read_only: Callable[[Path], None]
) -> None:
    read_only(netviz_cache)
    done = netviz("render", spec, "-o", str(tmp_path / "out.dot"))
    assert done.returncode == 0, done.stderr
    lines = done.stderr.strip().splitlines()[:-1]  # the last one is the test's own
    assert len(lines) == 1 and lines[0].startswith("netviz: warning: cannot write to the cache")
    assert str(netviz_cache) in lines[0]
    assert (tmp_path / "out.dot").read_text().startswith("digraph")


def test_cache_info_and_clear(
    spec: str, tmp_path: Path, netviz_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert torch_imported(netviz("render", spec, "-o", str(tmp_path / "out.dot")))
    assert main(["cache", "info"]) == 0
    info = capsys.readouterr().out
    assert f"folder:  {netviz_cache}\n" in info and "status:  on" in info
    assert "entries: 3 (1 figure, 1 notation, 1 trace)" in info
    assert main(["cache", "clear"]) == 0
    assert capsys.readouterr().out.startswith("removed 3 entries (")
    assert main(["--no-cache", "cache", "info"]) == 0
    info = capsys.readouterr().out
    assert "entries: 0\n" in info and "status:  off" in info
