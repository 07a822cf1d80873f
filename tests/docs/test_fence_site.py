"""The fence in a tiny, unrelated MkDocs site: works with just ``plugins: [netviz]``,
and a bad fence fails ``mkdocs build --strict`` naming the page and the reason."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from tests.docs.conftest import Build, mkdocs_build

pytestmark = pytest.mark.needs_dot  # the fences render Graphviz SVG

GOOD = """\
# Good

```netviz
model: wrn28_2
```

Twice, left to right:

```netviz
model: wrn28_2
direction: LR
```
"""

BAD_PAGES = {
    "unknown-model.md": ("```netviz\nmodel: wrn28-2x\n```\n", "'wrn28-2x'"),
    "unknown-option.md": ("```netviz\nmodel: wrn28_2\ncolour: red\n```\n", "unknown option 'colour'"),
    "bad-value.md": ("```netviz\nmodel: wrn28_2\nlegend: maybe\n```\n", "legend: 'maybe' is not a boolean"),
    "misplaced.md": (
        "```netviz\nmodel: wrn28_2\nshow: chart\nfold: false\n```\n",
        "option 'fold' does not apply to 'show: chart'",
    ),
    "nested/in-tabs.md": (
        '=== "Tab"\n\n    ```netviz\n    model: no_such_model\n    ```\n',
        "'no_such_model'",
    ),
}


def _project(root: Path, pages: dict[str, str], plugin: str = "  - netviz\n") -> Path:
    docs = root / "docs"
    for name, text in pages.items():
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        (docs / name).write_text(text, "utf-8")
    config = root / "mkdocs.yml"
    config.write_text(
        "site_name: tiny\nuse_directory_urls: false\n"
        "markdown_extensions:\n  - pymdownx.tabbed:\n      alternate_style: true\n"
        f"plugins:\n{plugin}",
        "utf-8",
    )
    return config


@pytest.fixture(scope="module")
def bad_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    root = tmp_path_factory.mktemp("bad")
    pages = {"index.md": "# Tiny\n"} | {name: f"# Bad\n\n{body}" for name, (body, _) in BAD_PAGES.items()}
    return mkdocs_build(_project(root, pages), root / "site")


def test_plugin_alone_gives_any_site_the_fence(tmp_path: Path) -> None:
    build = mkdocs_build(_project(tmp_path, {"index.md": GOOD}), tmp_path / "site")
    assert build.returncode == 0, build.output
    page = (tmp_path / "site" / "index.html").read_text("utf-8")
    assert page.count('<div class="netviz-diagram" id="netviz-') == 2
    assert 'id="netviz-1-wrn28-2"' in page and 'id="netviz-2-wrn28-2"' in page
    assert "3x3 16C 1S 1P" in page and "data-search-exclude" in page
    assert "model: wrn28_2" not in page  # never printed as code
    assert 'href="assets/netviz/netviz-fence.css"' in page  # the fences' look comes along
    css = (tmp_path / "site" / "assets" / "netviz" / "netviz-fence.css").read_text("utf-8")
    assert ".netviz-diagram" in css


def test_bad_fence_fails_the_strict_build(bad_build: Build) -> None:
    assert bad_build.returncode != 0
    assert "Aborted with" in bad_build.output and "strict mode" in bad_build.output


@pytest.mark.parametrize("name", sorted(BAD_PAGES))
def test_bad_fence_message_names_page_and_reason(bad_build: Build, name: str) -> None:
    reason = BAD_PAGES[name][1]
    lines = [line for line in bad_build.output.splitlines() if f"page '{name}'" in line]
    assert lines, bad_build.output
    assert lines[0].startswith("WARNING") and "(fence 1)" in lines[0]
    assert reason in lines[0], lines[0]


def test_unknown_model_message_suggests_the_close_match(bad_build: Build) -> None:
    line = next(l for l in bad_build.output.splitlines() if "page 'unknown-model.md'" in l)
    assert "wrn28_2" in line


def test_bad_fence_without_strict_shows_a_failure_box(tmp_path: Path) -> None:
    body, reason = BAD_PAGES["unknown-option.md"]
    build = mkdocs_build(_project(tmp_path, {"index.md": body}), tmp_path / "site", strict=False)
    assert build.returncode == 0
    page = (tmp_path / "site" / "index.html").read_text("utf-8")
    assert "netviz-error" in page and reason.replace("'", "&#x27;") in page
    assert "colour: red" not in page


def test_fence_listed_by_hand_without_the_plugin(tmp_path: Path) -> None:
    fences = textwrap.dedent(
        """\
        markdown_extensions:
          - pymdownx.superfences:
              custom_fences:
                - name: netviz
                  class: netviz
                  format: !!python/name:netviz.mkdocs.fence.fence_format
                  validator: !!python/name:netviz.mkdocs.fence.fence_validator
        """
    )
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("```netviz\nmodel: wrn28_2\nlegend: maybe\n```\n")
    config = tmp_path / "mkdocs.yml"
    config.write_text(f"site_name: tiny\n{fences}", "utf-8")
    build = mkdocs_build(config, tmp_path / "site")
    assert build.returncode != 0
    assert "legend: 'maybe' is not a boolean" in build.output


TINY_MODELS = '''\
"""A third-party package that registers a model through the netviz.models entry point."""

from torch import nn

from netviz.registry import register_model


class Tiny(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.block = nn.Sequential(nn.BatchNorm2d(8), nn.ReLU(), nn.Conv2d(8, 8, 3, padding=1))

    def forward(self, x):
        x = self.conv(x)
        return x + self.block(x)


@register_model("tiny_extra", input_shape=(3, 16, 16), description="A tiny third-party model")
def tiny_extra() -> nn.Module:
    return Tiny()


@register_model("tiny_hidden", input_shape=(3, 16, 16), description="Left out of the gallery")
def tiny_hidden() -> nn.Module:
    return Tiny()
'''


def test_a_newly_registered_model_gets_its_gallery_page(tmp_path: Path) -> None:
    """Installing a package that registers a model adds its page: no docs edit."""
    packages = tmp_path / "packages"
    (packages / "tiny_models").mkdir(parents=True)
    (packages / "tiny_models" / "__init__.py").write_text(TINY_MODELS, "utf-8")
    dist = packages / "tiny_models-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: tiny-models\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[netviz.models]\ntiny = tiny_models\n")
    config = _project(
        tmp_path / "site-src",
        {"index.md": "# Models\n"},
        plugin="  - netviz:\n      gallery: gallery\n      models: 'tiny_*'\n"
        "      exclude: ['*_hidden']\n",
    )
    env_path = os.pathsep.join(filter(None, [str(packages), os.environ.get("PYTHONPATH")]))
    build = mkdocs_build(config, tmp_path / "site", env={"PYTHONPATH": env_path})
    assert build.returncode == 0, build.output
    page = (tmp_path / "site" / "gallery" / "tiny_extra.html").read_text("utf-8")
    assert "A tiny third-party model" in page and '<div class="netviz-diagram"' in page
    index = (tmp_path / "site" / "gallery" / "index.html").read_text("utf-8")
    assert 'href="tiny_extra.html"' in index
    assert "tiny_hidden" not in index
    assert not (tmp_path / "site" / "gallery" / "tiny_hidden.html").exists()
