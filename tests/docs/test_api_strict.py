"""The project's mkdocstrings settings turn docstring mistakes into strict-build failures."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.docs.conftest import ROOT, mkdocs_build

MODULE = '''\
"""A module with two mistakes."""


def f(x: int) -> int:
    """Do f.

    Args:
        y: Not a parameter of f.
    """
    return x


def g(x: int) -> int:
    """See [`nothing`][mod.nothing]."""
    return x
'''


def _project_mkdocstrings() -> dict:
    """The mkdocstrings entry of the project's mkdocs.yml (python tags ignored)."""

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda *args: None)
    config = yaml.load((ROOT / "mkdocs.yml").read_text("utf-8"), Loader=Loader)  # noqa: S506
    (entry,) = [p for p in config["plugins"] if isinstance(p, dict) and "mkdocstrings" in p]
    return entry


def test_docstring_signature_mismatch_and_broken_reference_fail(tmp_path: Path) -> None:
    (tmp_path / "mod.py").write_text(MODULE, "utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# API\n\n::: mod\n", "utf-8")
    config = {"site_name": "t", "plugins": [_project_mkdocstrings()]}
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config), "utf-8")
    build = mkdocs_build(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert build.returncode != 0
    assert "Parameter 'y' does not appear in the function signature" in build.output
    assert "Could not find cross-reference target 'mod.nothing'" in build.output
