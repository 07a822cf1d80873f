"""`netviz --help` works for every command, stays torch-free, and the entry points agree."""

from __future__ import annotations

import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

import netviz
from netviz.cli import build_parser, main
from netviz.commands import COMMANDS

EXPECTED_COMMANDS = {"list", "render", "diff", "pseudocode", "summary", "plot", "cache"}


def _subcommands() -> list[str]:
    parser = build_parser()
    for action in parser._subparsers._group_actions:  # type: ignore[union-attr]
        if hasattr(action, "choices") and action.choices:
            return sorted(action.choices)
    raise AssertionError("netviz parser has no sub-commands")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_every_documented_command_is_registered() -> None:
    assert set(_subcommands()) == EXPECTED_COMMANDS == set(COMMANDS)


def test_top_level_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: netviz")
    for name in EXPECTED_COMMANDS:
        assert name in out


@pytest.mark.parametrize("command", sorted(EXPECTED_COMMANDS))
def test_subcommand_help_exits_zero(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    captured = capsys.readouterr()
    assert captured.out.startswith(f"usage: netviz {command}")
    assert "--debug" in captured.out
    assert captured.err == ""


def test_version_matches_package_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"netviz {netviz.__version__}"
    assert netviz.__version__ == version("netviz")


@pytest.mark.parametrize(
    ("argv", "needle"),
    [([], "required"), (["no-such-command"], "invalid choice"), (["--no-such-flag"], "")],
)
def test_bad_usage_is_one_line_and_exit_2(
    argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("netviz: error: ")
    assert needle in lines[0]
    assert "Traceback" not in err


def test_python_dash_m_netviz_help() -> None:
    proc = _run("-m", "netviz", "--help")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage: netviz")


def test_python_dash_m_netviz_version() -> None:
    proc = _run("-m", "netviz", "--version")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"netviz {netviz.__version__}"


def test_console_script_help_and_version() -> None:
    script = Path(sys.executable).with_name("netviz")
    if not script.exists():
        found = shutil.which("netviz")
        if found is None:
            pytest.skip("the 'netviz' console script is not installed next to this python")
        script = Path(found)
    for args, prefix in ((["--help"], "usage: netviz"), (["--version"], "netviz ")):
        proc = subprocess.run(
            [str(script), *args], capture_output=True, text=True, timeout=120, check=False
        )
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.startswith(prefix)
