"""netviz runs only the code a user names, and never unpickles untrusted data (issue 6)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from netviz.cli import main

PACKAGE = Path(__file__).parents[2] / "netviz"
PICKLE_ALLOWED = {"mkdocs/pool.py", "mkdocs/worker.py"}
"""Modules that may use pickle: the docs worker pool and its workers talk over their own pipes."""


def _calls(tree: ast.AST) -> list[tuple[str, ast.Call]]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            owner = func.value.id if isinstance(func, ast.Attribute) and isinstance(
                func.value, ast.Name) else ""
            out.append((f"{owner}.{name}" if owner else name, node))
    return out


SOURCES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_eval_exec_or_unsafe_loading(path: Path) -> None:
    rel = str(path.relative_to(PACKAGE))
    tree = ast.parse(path.read_text(), str(path))
    for name, call in _calls(tree):
        assert name not in ("eval", "exec", "compile"), f"{rel}:{call.lineno} calls {name}"
        if name.endswith(".load") and name.split(".")[0] == "torch":
            weights_only = [k for k in call.keywords if k.arg == "weights_only"]
            assert weights_only and getattr(weights_only[0].value, "value", None) is True, (
                f"{rel}:{call.lineno}: torch.load without weights_only=True")
        if name.split(".")[0] in ("pickle", "marshal", "shelve", "dill"):
            assert rel in PICKLE_ALLOWED, f"{rel}:{call.lineno} calls {name}"


def test_a_file_spec_runs_that_file_only(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Its folder does not become importable and a sibling module is never run."""
    folder = tmp_path / "user"
    folder.mkdir()
    marker = tmp_path / "sibling-ran"
    (folder / "sibling.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    (folder / "net.py").write_text(
        "from torch import nn\n\n\ndef net():\n    return nn.Sequential(nn.Conv2d(3, 4, 3))\n"
    )
    out = tmp_path / "d.dot"
    path_before = list(sys.path)
    code = main(["render", f"{folder}/net.py:net", "--input-shape", "3,8,8", "-o", str(out)])
    assert code == 0, capsys.readouterr().err
    assert out.exists() and not marker.exists()
    assert sys.path == path_before
    assert "sibling" not in sys.modules
