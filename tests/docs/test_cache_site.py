"""The docs build uses netviz's cache: editing a page (as under ``mkdocs serve``) renders
it again without building or tracing any model; editing the model does."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.cache.files import backdate
from tests.docs.conftest import mkdocs_build

pytestmark = pytest.mark.needs_dot  # the fences render Graphviz SVG

NET = textwrap.dedent(
    """
    import os

    from torch import nn

    WIDTH = 8


    class Net(nn.Module):
        input_shape = (3, 8, 8)

        def __init__(self):
            super().__init__()
            with open(os.path.join(os.path.dirname(__file__), "builds.log"), "a") as log:
                log.write("built\\n")  # every build of the model, in any process
            self.conv = nn.Conv2d(3, WIDTH, 3, padding=1)
            self.bn = nn.BatchNorm2d(WIDTH)

        def forward(self, x):
            return self.bn(self.conv(x)).relu()
    """
)

PAGE = textwrap.dedent(
    """
    # Net

    {intro}

    ```netviz
    model: net.py:Net
    ```

    ```netviz
    model: net.py:Net
    show: summary
    ```

    ```netviz
    model: net.py:Net
    show: pseudocode
    ```
    """
)


def test_an_edited_page_renders_from_the_cache_an_edited_model_does_not(tmp_path: Path) -> None:
    root = tmp_path / "project"
    (root / "docs").mkdir(parents=True)
    (root / "net.py").write_text(NET)
    backdate(root / "net.py")
    (root / "mkdocs.yml").write_text("site_name: tiny\nuse_directory_urls: false\nplugins:\n  - netviz\n")
    page = root / "docs" / "index.md"
    log = root / "builds.log"

    def build(intro: str) -> str:
        page.write_text(PAGE.format(intro=intro))
        done = mkdocs_build(root / "mkdocs.yml", tmp_path / "site")
        assert done.returncode == 0, done.output
        return (tmp_path / "site" / "index.html").read_text("utf-8")

    first = build("First words.")
    built = log.read_text().count("built")
    assert built >= 1 and "8C" in first and "First words." in first

    second = build("Second words.")  # only the Markdown changed
    assert log.read_text().count("built") == built
    assert "Second words." in second and "First words." not in second
    assert second.count("<svg") == first.count("<svg") >= 1 and "Conv" in second

    (root / "net.py").write_text(NET.replace("WIDTH = 8", "WIDTH = 12"))
    third = build("Second words.")
    assert log.read_text().count("built") > built
    assert "12C" in third and "8C" not in third


@pytest.mark.parametrize(
    "fence",
    [
        "model: net.py:Net\nshow: summary",  # no diagram on the page traces the model
        "model: net.py:Net\ntrain: true",  # the training-mode trace is a cache entry of its own
        "model: net.py:Net\nshow: pseudocode\ninput_dtype: float64",
    ],
    ids=["summary-only", "train", "dtype"],
)
def test_an_unchanged_page_with_one_fence_rebuilds_without_building_the_model(
    tmp_path: Path, fence: str, netviz_cache: Path
) -> None:
    root = tmp_path / "project"
    (root / "docs").mkdir(parents=True)
    (root / "net.py").write_text(NET)
    backdate(root / "net.py")
    (root / "mkdocs.yml").write_text("site_name: tiny\nuse_directory_urls: false\nplugins:\n  - netviz\n")
    (root / "docs" / "index.md").write_text(f"# Net\n\n```netviz\n{fence}\n```\n")
    log = root / "builds.log"
    pages = []
    for _ in range(2):
        done = mkdocs_build(root / "mkdocs.yml", tmp_path / "site")
        assert done.returncode == 0, done.output
        html = (tmp_path / "site" / "index.html").read_text("utf-8")
        pages.append(html.rsplit("<!--", 1)[0])  # MkDocs ends with the build's date
        if len(pages) == 1:
            built = log.read_text().count("built")
            assert built >= 1
    assert log.read_text().count("built") == built  # the second build built nothing
    assert len(list((netviz_cache / "fence").iterdir())) == 1  # nor rendered: the fence's results
    assert pages[0] == pages[1]
