"""The wheel works on its own: built with ``python -m build``, installed in a new venv that has
only torch, it renders from any folder and serves a fresh MkDocs site through its plugin.

Slow (about 1.5 minutes: a venv, torch from the local wheel, the other dependencies from the
package index, a site build), hence the ``wheel`` marker: ``pytest -m "not wheel"`` leaves it
out while you work. Everything happens in one temporary folder, removed at the end; the
checkout is copied first, so building leaves no ``build/`` or ``*.egg-info`` in it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TORCH = "torch==2.13.0"  # what dev.sh installs: the CPU build, from the local wheel folder
OFFLINE = re.compile(
    r"NewConnectionError|Failed to establish a new connection|Temporary failure in name "
    r"resolution|Name or service not known|Network is unreachable|No route to host",
)

pytestmark = [pytest.mark.wheel, pytest.mark.needs_dot]


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="netviz-wheel-") as folder:
        yield Path(folder)


def _env(scratch: Path) -> dict[str, str]:
    """The environment of a user's shell: nothing of this checkout or its venv."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "PYTHONSTARTUP")}
    env["MPLCONFIGDIR"] = str(scratch / "mpl")  # matplotlib's font cache stays in here too
    env["PIP_NO_INPUT"] = "1"
    return env


def _run(scratch: Path, *args: str | Path, cwd: Path | None = None,
         timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd or scratch, env=_env(scratch),
                          capture_output=True, text=True, timeout=timeout, check=False)


def _pip(scratch: Path, venv: Path, *args: str) -> None:
    """``pip install ARGS`` in ``venv``; no network fails in CI and skips elsewhere."""
    done = _run(scratch, venv / "bin" / "python", "-m", "pip", "install", "--no-compile", *args)
    if done.returncode == 0:
        return
    said = done.stdout + done.stderr
    if OFFLINE.search(said) and not os.environ.get("CI"):
        pytest.skip("pip cannot reach the package index (no network) and CI is not set")
    raise AssertionError(f"pip install {' '.join(args)} failed:\n{said[-3000:]}")


def _copy_checkout(target: Path) -> None:
    """The files git tracks (and new ones it does not ignore), nothing built or installed."""
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True, check=True,
    ).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


@pytest.fixture(scope="module")
def venv(scratch: Path) -> Path:
    """A new venv with torch, then the wheel (with its docs extra) and its dependencies."""
    source = scratch / "source"
    _copy_checkout(source)
    built = _run(scratch, sys.executable, "-m", "build", "--wheel", "--outdir", scratch / "dist",
                 source)
    assert built.returncode == 0, (built.stdout + built.stderr)[-3000:]
    (wheel,) = (scratch / "dist").glob("netviz-*.whl")
    env = scratch / "venv"
    made = _run(scratch, sys.executable, "-m", "venv", env)
    assert made.returncode == 0, made.stderr
    _pip(scratch, env, TORCH)
    _pip(scratch, env, f"{wheel}[docs]")
    return env


def test_the_wheel_keeps_torch_and_installs_the_models_and_entry_points(
    scratch: Path, venv: Path
) -> None:
    code = (
        "import importlib.metadata as m, netviz, netviz_models, torch\n"
        "print(torch.__version__)\n"
        "print(netviz.__file__)\nprint(netviz_models.__file__)\n"
        "print(sorted(e.value for e in m.entry_points(group='netviz.models')))\n"
        "print([e.value for e in m.entry_points(group='mkdocs.plugins') if e.name == 'netviz'])\n"
    )
    done = _run(scratch, venv / "bin" / "python", "-c", code)
    assert done.returncode == 0, done.stderr
    version, netviz_file, models_file, models, plugin = done.stdout.splitlines()
    assert version.startswith("2.13.0")  # pip kept the torch that was there
    site_packages = str(venv / "lib")
    assert netviz_file.startswith(site_packages) and models_file.startswith(site_packages)
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"][
        "entry-points"]["netviz.models"]
    assert models == str(sorted(declared.values()))
    assert plugin == str(["netviz.mkdocs.plugin:NetvizPlugin"])


def test_the_installed_command_renders_from_any_folder(scratch: Path, venv: Path) -> None:
    elsewhere = scratch / "elsewhere"
    elsewhere.mkdir()
    done = _run(scratch, venv / "bin" / "netviz", "render", "wrn28_2", "-o", "wrn28_2.svg",
                cwd=elsewhere)
    assert done.returncode == 0, done.stderr
    svg = (elsewhere / "wrn28_2.svg").read_text()
    assert svg.lstrip().startswith("<?xml") and "3x3 16C 1S 1P" in svg
    assert sorted(p.name for p in elsewhere.iterdir()) == ["wrn28_2.svg"]


def test_a_fresh_mkdocs_site_builds_strictly_with_the_plugin_and_the_fence(
    scratch: Path, venv: Path
) -> None:
    site = scratch / "site"
    (site / "docs").mkdir(parents=True)
    (site / "mkdocs.yml").write_text("site_name: Mine\nplugins:\n  - netviz\n")
    (site / "docs" / "index.md").write_text("# My model\n\n```netviz\nmodel: wrn28_2\nlegend: true\n```\n")
    done = _run(scratch, venv / "bin" / "mkdocs", "build", "--strict", cwd=site)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert "WARNING" not in done.stderr
    page = (site / "site" / "index.html").read_text()
    assert '<div class="netviz-diagram"' in page and "<svg" in page and "3x3 16C 1S 1P" in page
