"""Every ``netviz`` command shown in a ```bash block of the hand-written pages runs."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from tests.docs.conftest import ROOT

PLACEHOLDER_SPECS = ("my_project.", "experiments/")
"""Specs that stand for the reader's own code."""


def doc_commands() -> list[tuple[str, str]]:
    """``(page, command)`` for each ``netviz`` line of a bash block, continuations joined."""
    found = []
    for page in sorted((ROOT / "docs").glob("*.md")):
        text = page.read_text("utf-8")
        for block in re.findall(r"```bash\n(.*?)```", text, re.S):
            for line in block.replace("\\\n", " ").splitlines():
                words = shlex.split(line, comments=True)
                if words[:1] == ["netviz"] and not any(
                    word.startswith(PLACEHOLDER_SPECS) for word in words
                ):
                    found.append((page.name, " ".join(shlex.quote(w) for w in words)))
    return found


COMMANDS = doc_commands()


def test_the_pages_show_commands() -> None:
    assert len(COMMANDS) >= 15
    assert {page for page, _ in COMMANDS} >= {"index.md", "getting-started.md", "papers.md"}


@pytest.mark.needs_dot
@pytest.mark.parametrize(("page", "command"), COMMANDS, ids=[c for _, c in COMMANDS])
def test_doc_command_runs(
    page: str, command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from netviz.cli import main

    shutil.copytree(ROOT / "docs" / "examples", tmp_path / "docs" / "examples")
    monkeypatch.chdir(tmp_path)
    code = main(shlex.split(command)[1:])
    captured = capsys.readouterr()
    assert code == 0, f"{page}: {command}: {captured.err}"
    assert "error" not in captured.err
