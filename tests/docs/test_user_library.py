"""A model library that is not netviz's gets the same API pages: docs/examples/tinynets.

The example package knows nothing of netviz but the ```` ```netviz ```` fences in its
docstrings; its own ``mkdocs.yml`` lists mkdocstrings and the netviz plugin (mkdocstrings
first: the fence must work whatever the order). Its site builds with ``--strict``, its API
page holds the diagrams, and a bad fence in a docstring fails the build, naming the page,
the documented object and the reason.
"""

from __future__ import annotations

import doctest
import importlib
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.docs.conftest import ROOT, Build, mkdocs_build

pytestmark = pytest.mark.needs_dot  # the fences render Graphviz SVG

EXAMPLE = ROOT / "docs" / "examples" / "tinynets"


def _analytic_params(widths: tuple[int, ...] = (16, 32, 64), blocks: int = 2) -> int:
    """TinyResNet's parameter count from its definition: convs, BN pairs, 1x1 projections."""
    total, channels = 3 * widths[0] * 9, widths[0]
    for index, width in enumerate(widths):
        for block in range(blocks):
            c_in = channels if block == 0 else width
            total += c_in * width * 9 + width * width * 9 + 2 * (2 * width)
            if block == 0 and (index > 0 or c_in != width):
                total += c_in * width
        channels = width
    return total + channels * 10 + 10


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    site = tmp_path_factory.mktemp("tinynets") / "site"
    done = mkdocs_build(EXAMPLE / "mkdocs.yml", site)
    assert done.returncode == 0, done.output
    return done


def test_mkdocstrings_comes_before_the_plugin_in_the_example() -> None:
    config = (EXAMPLE / "mkdocs.yml").read_text("utf-8")
    assert config.index("- mkdocstrings") < config.index("- netviz")


def test_the_docstrings_hold_nothing_of_netviz_but_the_fences() -> None:
    for path in (EXAMPLE / "tinynets").glob("*.py"):
        text = re.sub(r"```netviz\n.*?```", "", path.read_text("utf-8"), flags=re.S)
        assert "netviz" not in text, path


def test_api_page_shows_every_diagram(build: Build) -> None:
    page = (build.site / "api" / "index.html").read_text("utf-8")
    blocks = page[page.index('id="tinynets.blocks.ResidualBlock"') : page.index('id="tinynets.nets"')]
    assert blocks.count('<div class="netviz-diagram"') == 2
    assert blocks.count("3x3 16C 1S 1P") == 2  # the block that keeps the shape
    assert "3x3 32C 2S 1P" in blocks and "1x1 32C 2S 0P" in blocks  # the one that projects
    net = page[page.index('id="tinynets.nets.TinyResNet"') :]
    assert net.count('<div class="netviz-diagram"') == 1 and "netviz-summary" in net
    assert f"{_analytic_params():,}" in net  # the summary's total
    shown = re.sub(r'<span class="sd">.*?</span>', "", page)  # the source listings' docstrings
    assert "model: tinynets" not in shown and "netviz-error" not in shown  # no fence as code
    assert "netviz: 4 artifacts in 3 batches" in build.output  # prefetched from the sources


@pytest.fixture
def example_on_path(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.syspath_prepend(str(EXAMPLE))
    yield
    for name in [n for n in list(sys.modules) if n.split(".")[0] == "tinynets"]:
        del sys.modules[name]


@pytest.mark.parametrize("name", ["tinynets.blocks", "tinynets.nets"])
def test_the_examples_of_the_library_run(name: str, example_on_path: None) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0


def test_a_bad_docstring_fence_fails_the_strict_build(tmp_path: Path) -> None:
    copy = tmp_path / "tinynets"
    shutil.copytree(EXAMPLE, copy, ignore=shutil.ignore_patterns("__pycache__", "site"))
    blocks = copy / "tinynets" / "blocks.py"
    text = blocks.read_text("utf-8").replace(
        "model: tinynets.blocks:ResidualBlock(16, 32, stride=2)\n",
        "model: tinynets.blocks:ResidualBlock(16, 32, stride=2)\n    colour: red\n",
    )
    blocks.write_text(text, "utf-8")
    build = mkdocs_build(copy / "mkdocs.yml", tmp_path / "site")
    assert build.returncode != 0
    (line,) = [line for line in build.output.splitlines() if "colour" in line]
    assert line.startswith("WARNING")
    assert "page 'api.md' (docstring of tinynets.blocks.ResidualBlock, fence 2)" in line
    assert "bad netviz fence: unknown option 'colour'" in line
