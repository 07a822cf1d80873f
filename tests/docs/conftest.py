"""The docs site, built once per test session with ``mkdocs build --strict``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Build:
    """One finished ``mkdocs build``."""

    site: Path
    output: str
    returncode: int
    seconds: float


def mkdocs_build(
    config: Path,
    site: Path,
    *,
    strict: bool = True,
    timeout: int = 900,
    env: dict[str, str] | None = None,
) -> Build:
    """Run ``mkdocs build`` (never ``-q``: the warnings are the point) in a subprocess."""
    command = [sys.executable, "-m", "mkdocs", "build", "-f", str(config), "-d", str(site)]
    if strict:
        command.append("--strict")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    start = time.perf_counter()
    done = subprocess.run(
        command,
        cwd=config.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
    )
    return Build(site, done.stdout, done.returncode, time.perf_counter() - start)


@pytest.fixture(scope="session")
def site_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The project's site, built with ``--strict`` into a temporary folder."""
    if shutil.which("dot") is None:
        pytest.skip("the site inlines Graphviz SVGs: 'dot' is not installed")
    site = tmp_path_factory.mktemp("docs") / "site"
    build = mkdocs_build(ROOT / "mkdocs.yml", site)
    if build.returncode != 0:
        tail = "\n".join(build.output.splitlines()[-60:])
        pytest.fail(f"mkdocs build --strict failed ({build.returncode}):\n{tail}", pytrace=False)
    return build


@pytest.fixture(scope="session")
def site(site_build: Build) -> Path:
    """Folder of the built site."""
    return site_build.site
