"""A friendlier CLI: names and choices in any case; binary formats never go to a terminal."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from netviz.cli import build_parser, main
from netviz.registry import get_entry, list_models


def test_model_names_match_in_any_case() -> None:
    assert get_entry("WRN28_2").name == "wrn28_2"
    assert get_entry("ResNet50").name == "resnet50"
    assert list_models("WRN28*") == ["wrn28_2", "wrn28_10"]


def test_choices_match_in_any_case(tmp_path: Path) -> None:
    canonical, shouted = tmp_path / "a.mmd", tmp_path / "b.mmd"
    assert main(["render", "wrn28_2", "--direction", "LR", "--theme", "dark", "--legend",
                 "-o", str(canonical)]) == 0
    assert main(["render", "WRN28_2", "--direction", "lr", "--theme", "DARK", "--legend",
                 "--format", "MMD", "-o", str(shouted)]) == 0
    assert shouted.read_bytes() == canonical.read_bytes()
    assert 'graph LR' in canonical.read_text() and '"theme": "dark"' in canonical.read_text()


def test_choices_parse_to_the_canonical_spelling() -> None:
    args = build_parser().parse_args(["summary", "x", "--format", "LaTeX"])
    assert args.format == "latex"
    args = build_parser().parse_args(["plot", "x", "-o", "p.svg", "--kind", "MACS"])
    assert args.kind == "macs"


def test_help_shows_the_canonical_spellings(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["render", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--direction {TB,LR}" in text and "--theme {light,dark,paper}" in text
    assert "--format {dot,mmd,pdf,png,svg,tex,tikz,txt}" in text


def _on_a_terminal(*args: str) -> tuple[int, bytes, bytes]:
    """Run ``netviz ARGS`` with stdout on a pseudo-terminal."""
    main_fd, tty_fd = pty.openpty()
    try:
        done = subprocess.run([sys.executable, "-m", "netviz", *args], stdout=tty_fd,
                              stderr=subprocess.PIPE, timeout=120, check=False)
        os.close(tty_fd)
        tty_fd = -1
        seen = b""
        try:
            while chunk := os.read(main_fd, 4096):
                seen += chunk
        except OSError:  # the terminal is closed: everything is read
            pass
        return done.returncode, seen, done.stderr
    finally:
        os.close(main_fd)
        if tty_fd >= 0:
            os.close(tty_fd)


@pytest.mark.parametrize("fmt", ["png", "pdf"])
def test_binary_formats_are_not_written_to_a_terminal(fmt: str) -> None:
    code, shown, error = _on_a_terminal("render", "wrn28_2", "--format", fmt)
    assert code == 1
    assert shown == b""
    assert error.decode().splitlines() == [
        f"netviz: error: {fmt} is binary and stdout is a terminal; write it to a file with -o FILE"
    ]


def test_text_formats_still_go_to_a_terminal() -> None:
    code, shown, error = _on_a_terminal("render", "wrn28_2", "--format", "mmd")
    assert code == 0, error
    assert b"graph TD" in shown


@pytest.mark.needs_dot
def test_binary_formats_still_go_to_a_pipe() -> None:
    done = subprocess.run([sys.executable, "-m", "netviz", "render", "wrn28_2", "--format", "png"],
                          capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(b"\x89PNG")
