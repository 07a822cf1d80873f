"""What pip installs: every package, under names that never shadow a user's own code."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _setuptools() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]


def test_every_package_folder_is_installed() -> None:
    config = _setuptools()
    folders = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("netviz", "models")
        for init in (ROOT / top).rglob("__init__.py")
    }
    mapped = {name: ".".join(Path(path).parts) for name, path in config["package-dir"].items()}
    installed = set()
    for package in config["packages"]:
        top, _, rest = package.partition(".")
        installed.add(".".join(filter(None, [mapped.get(top, top), rest])))
    assert installed == folders


def test_no_top_level_models_package_is_installed() -> None:
    config = _setuptools()
    assert not any(p == "models" or p.startswith("models.") for p in config["packages"])
    assert config["package-dir"] == {"netviz_models": "models"}


@pytest.fixture()
def user_project(tmp_path: Path) -> Path:
    """A user's project with its own ``models.py`` and a model file importing from it."""
    (tmp_path / "models.py").write_text(
        textwrap.dedent(
            """
            from torch import nn

            class Small(nn.Sequential):
                def __init__(self):
                    super().__init__(nn.Conv2d(3, 4, 3), nn.ReLU())
            """
        )
    )
    (tmp_path / "net.py").write_text("from models import Small\n\ndef build():\n    return Small()\n")
    return tmp_path


def _netviz(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed ``netviz`` command (not ``python -m``: the working folder is not on its path)."""
    script = Path(sys.executable).with_name("netviz")
    return subprocess.run([str(script), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("where", ["project", "elsewhere"])
def test_a_users_models_py_is_never_shadowed(user_project: Path, tmp_path_factory: pytest.TempPathFactory, where: str) -> None:
    cwd = user_project if where == "project" else tmp_path_factory.mktemp("elsewhere")
    done = _netviz(cwd, "render", f"{user_project / 'net.py'}:build", "--input-shape", "3,8,8",
                   "-o", "-", "--format", "txt")
    assert done.returncode == 0, done.stderr
    assert "Conv torch.Size([4, 3, 3, 3])" in done.stdout


def test_a_file_spec_imports_its_sibling_files(tmp_path: Path) -> None:
    (tmp_path / "blocks.py").write_text("WIDTH = 6\n")
    (tmp_path / "net.py").write_text(
        "from torch import nn\nfrom blocks import WIDTH\n\n"
        "def build():\n    return nn.Sequential(nn.Conv2d(3, WIDTH, 1))\n"
    )
    done = _netviz(tmp_path.parent, "pseudocode", f"{tmp_path.name}/net.py:build",
                   "--input-shape", "3,4,4")
    assert done.returncode == 0, done.stderr
    assert "Conv torch.Size([6, 3, 1, 1])" in done.stdout
    assert str(tmp_path) not in sys.path


def test_a_users_models_py_never_hides_the_reference_models(user_project: Path) -> None:
    done = _netviz(user_project, "list", "wrn*")
    assert done.returncode == 0, done.stderr
    assert "wrn28_2" in done.stdout
    assert "warning" not in done.stderr


def _requirements() -> dict[str, object]:
    from packaging.requirements import Requirement

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["dependencies"]
    return {req.name: req.specifier for req in map(Requirement, deps)}


def test_torch_has_no_upper_cap() -> None:
    """pip must keep the torch a user already has: newer releases satisfy the range."""
    spec = _requirements()["torch"]
    assert all(v in spec for v in ("2.1.0", "2.13.0", "2.14.0", "2.15.1", "3.0.0"))  # type: ignore[operator]
    assert "2.0.1" not in spec  # type: ignore[operator]


def test_torchinfo_is_a_range_not_a_pin() -> None:
    spec = _requirements()["torchinfo"]
    assert "1.8.0" in spec and "1.9.0" in spec  # type: ignore[operator]
    assert not any(s.operator in ("==", "===") for s in spec)  # type: ignore[attr-defined]


def test_no_private_torchinfo_api_is_used() -> None:
    sources = "\n".join(p.read_text("utf-8") for p in (ROOT / "netviz").rglob("*.py"))
    assert "torchinfo.torchinfo" not in sources and "clear_cached_forward_pass" not in sources
