"""Shared pytest options and fixtures.

Golden files live under ``tests/golden/``. Run ``pytest --regen-golden`` to
rewrite them deliberately (then review the diff and say why in the commit).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

GOLDEN_DIR = Path(__file__).parent / "golden"
_CACHE_FOLDER = pytest.StashKey[tuple[str, "str | None"]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--regen-golden",
        action="store_true",
        default=False,
        help="rewrite golden files under tests/golden instead of comparing",
    )


def pytest_configure(config: pytest.Config) -> None:
    """netviz's cache lives in a temporary folder for the whole session (session-scoped
    fixtures and subprocesses included): the suite never reads or writes the user's."""
    folder = tempfile.mkdtemp(prefix="netviz-test-cache-")
    config.stash[_CACHE_FOLDER] = (folder, os.environ.get("NETVIZ_CACHE_DIR"))
    os.environ["NETVIZ_CACHE_DIR"] = folder


def pytest_unconfigure(config: pytest.Config) -> None:
    folder, before = config.stash.get(_CACHE_FOLDER, (None, None))
    if folder is None:
        return
    shutil.rmtree(folder, ignore_errors=True)
    if before is None:
        os.environ.pop("NETVIZ_CACHE_DIR", None)
    else:
        os.environ["NETVIZ_CACHE_DIR"] = before


@pytest.fixture(autouse=True)
def netviz_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test starts with an empty cache folder of its own (what it caches stays there)."""
    folder = tmp_path_factory.mktemp("netviz-cache")
    monkeypatch.setenv("NETVIZ_CACHE_DIR", str(folder))
    return folder


def _tex_file(name: str) -> bool:
    """Whether TeX finds ``name`` (``kpsewhich``), e.g. ``tikz.sty``."""
    exe = shutil.which("kpsewhich")
    if exe is None:
        return False
    found = subprocess.run([exe, name], capture_output=True, text=True, check=False)
    return bool(found.stdout.strip())


NEEDS: dict[str, tuple[str, Callable[[], bool]]] = {
    "needs_dot": ("'dot' is not installed", lambda: shutil.which("dot") is not None),
    "needs_latex": ("'pdflatex' is not installed", lambda: shutil.which("pdflatex") is not None),
    "needs_tikz": (
        "pdflatex with TikZ (texlive-pictures), lmodern and pdftotext/pdfinfo (poppler-utils) "
        "are not all installed",
        lambda: all(shutil.which(b) for b in ("pdflatex", "pdftotext", "pdfinfo"))
        and _tex_file("tikz.sty") and _tex_file("lmodern.sty"),
    ),
}
"""Markers of tests that need a tool: why they are skipped without it, and the check."""


SHARED_FIXTURES = ("site_build",)
"""Session fixtures worth building once: under pytest-xdist, their users share one worker."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    present: dict[str, bool] = {}
    spread = config.pluginmanager.hasplugin("xdist") and bool(
        getattr(config.option, "numprocesses", None))
    for item in items:
        if spread:  # --dist loadgroup: a file per worker (its module fixtures built once)
            shared = [name for name in SHARED_FIXTURES if name in item.fixturenames]
            item.add_marker(pytest.mark.xdist_group(shared[0] if shared else str(item.path)))
        for marker, (reason, check) in NEEDS.items():
            if item.get_closest_marker(marker):
                if marker not in present:
                    present[marker] = check()
                if not present[marker]:
                    item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str | bytes], None]:
    """Compare output with ``tests/golden/<relpath>``; rewrite it with ``--regen-golden``."""
    regen = request.config.getoption("--regen-golden")

    def check(relpath: str, actual: str | bytes) -> None:
        path = GOLDEN_DIR / relpath
        data = actual.encode("utf-8") if isinstance(actual, str) else actual
        if regen:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            return
        assert path.exists(), f"golden file {path} missing; run pytest --regen-golden"
        expected = path.read_bytes()
        if isinstance(actual, str):
            assert actual == expected.decode("utf-8"), f"output differs from {path}"
        else:
            assert data == expected, f"output differs from {path}"

    return check
