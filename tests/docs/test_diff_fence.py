"""The ``diff: OTHER`` fence option: parsed and checked, rendered as the diff's figure or
text form, reproduced by ``netviz diff``, and cached until either model changes."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from netviz.mkdocs.artifacts import fence_key
from netviz.mkdocs.options import FenceError, cli_command, parse_fence
from netviz.mkdocs import worker
from netviz.mkdocs.worker import render
from tests.cache.files import backdate


def test_a_diff_fence_compares_its_model_with_another() -> None:
    fence = parse_fence("model: resnet50\ndiff: resnet101")
    assert (fence.model, fence.diff, fence.show, fence.format, fence.legend) == (
        "resnet50", "resnet101", "diagram", "svg", True)
    assert [s.model for s in fence.subjects] == ["resnet50", "resnet101"]
    assert not parse_fence("model: resnet50\ndiff: resnet101\nlegend: false").legend
    assert parse_fence("model: resnet50").subjects == (parse_fence("model: resnet50").subject,)


@pytest.mark.parametrize(("body", "words"), [
    ("model: a\ndiff:", "diff: empty"),
    ("model: a\ndiff: b\nshow: chart", "diff applies to 'show: diagram' and 'show: summary'"),
    ("model: a\ndiff: b\nshow: pseudocode", "not 'show: pseudocode'"),
    ("model: a\ndiff: b\nannotate: params", "'annotate' does not apply to a diff"),
    ("model: a\ndiff: b\nshow: summary\ndepth: 2", "'depth' does not apply to a diff"),
    ("model: a\ndiff: b\nshow: summary\nformat: latex", "markdown or text, not 'latex'"),
    ("model: a\ndiff: b\nshow: summary\ndownload: csv", "'csv' is not one of: md, txt"),
])
def test_bad_diff_fences_say_why(body: str, words: str) -> None:
    with pytest.raises(FenceError, match=words):
        parse_fence(body)


@pytest.mark.parametrize(("body", "command"), [
    ("model: resnet50\ndiff: resnet101", "netviz diff resnet50 resnet101 -o resnet50-resnet101.svg"),
    ("model: resnet50\ndiff: resnet101\nshow: summary",
     "netviz diff resnet50 resnet101 -o resnet50-resnet101.md"),
    ("model: a.py:Net(2)\ndiff: b.py:Net\ninput_shape: 3,8,8\ntheme: paper\nlegend: false\n"
     "format: mermaid", "netviz diff 'a.py:Net(2)' b.py:Net --input-shape 3,8,8 -o Net-Net.mmd "
     "--no-legend --theme paper"),
])
def test_the_command_that_reproduces_a_diff_fence(body: str, command: str) -> None:
    assert cli_command(parse_fence(body)) == command


@pytest.mark.needs_dot
def test_a_diff_fence_renders_the_figure_and_its_downloads() -> None:
    result = render(parse_fence("model: resnet50\ndiff: resnet101\ndownload: mmd, png"))
    assert result.error == ""
    assert "<svg" in result.text and "= 5 → 22" in result.text
    kinds = dict(result.files)
    assert set(kinds) == {"mmd", "png"} and kinds["png"].startswith(b"\x89PNG")
    assert "x (N - 1) = 5 → 22" in kinds["mmd"].decode()


def test_a_diff_summary_fence_is_the_text_form() -> None:
    text = render(parse_fence("model: resnet50\ndiff: resnet101\nshow: summary\nformat: text")).text
    assert text.splitlines()[0] == "resnet50 → resnet101: 1 change"


NET = textwrap.dedent(
    """
    from torch import nn


    class Net(nn.Module):
        input_shape = (3, 8, 8)

        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, {width}, 3, padding=1)

        def forward(self, x):
            return self.conv(x)
    """
)


def test_a_cached_diff_fence_is_rendered_again_when_its_other_model_changes(tmp_path: Path) -> None:
    b = tmp_path / "other.py"
    b.write_text(NET.format(width=8))
    backdate(b)
    fence = parse_fence(f"model: resnet18\ndiff: {b}:Net\nshow: summary\nformat: text")
    assert fence_key(fence) is not None
    first = render(fence).text
    assert "3x3 8C" in first
    b.write_text(NET.format(width=16))
    backdate(b)
    assert render(fence).text == first  # this process remembers the traces it made
    worker._trace.cache_clear()  # as a new build's workers do
    worker._notation.cache_clear()
    assert "3x3 16C" in render(fence).text  # the fence's cache entry noticed the edit
