"""``netviz list`` through ``netviz.cli.main``."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from torch import nn

from netviz.cli import main
from netviz.commands.list import format_shapes, format_table
from netviz.registry import register_model
from tests.models.test_model_families import COMPACT

COUNTS = {
    "wrn16_4": "2,748,890",
    "wrn28_2": "1,467,610",
    "wrn28_10": "36,479,194",
    "wrn40_2": "2,243,546",
    "resnet18": "11,689,512",
    "resnet34": "21,797,672",
    "resnet50": "25,557,032",
    "resnet101": "44,549,160",
    "resnet152": "60,192,808",
    "mdnc_bottleneck2d_ex1": "3,792",
    "mdnc_bottleneck2d_ex2": "11,584",
    # the families' compact models: analytic counts (tests/models/family_params.py)
    **{name: f"{count:,}" for name, (_, count) in COMPACT.items()},
}
SHAPES = {
    "wrn": "3x32x32",
    "resnet": "3x224x224",
    "mdnc_bottleneck2d_ex1": "16x4x255",
    "mdnc_bottleneck2d_ex2": "32x4x128",
    "transformer_lm_mini": "16",
    "lstm_tagger_mini": "16",
    "": "3x32x32",  # the other compact models
}


@pytest.fixture(scope="module")
def listing() -> str:
    import io
    from contextlib import redirect_stdout

    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["list"]) == 0
    return out.getvalue()


def _rows(text: str) -> dict[str, list[str]]:
    return {line.split()[0]: line.split() for line in text.splitlines()[1:]}


def test_list_shows_every_builtin_with_exact_counts(listing: str) -> None:
    rows = _rows(listing)
    assert list(rows) == [
        "convnext_mini", "densenet_mini", "googlenet_mini", "lstm_tagger_mini",
        "mdnc_bottleneck2d_ex1", "mdnc_bottleneck2d_ex2", "mobilenet_v2_mini", "regnet_mini",
        "resnet18", "resnet34", "resnet50", "resnet101", "resnet152",
        "swin_mini", "transformer_lm_mini", "vit_mini", "vit_mini_qkv",
        "wrn16_4", "wrn28_2", "wrn28_10", "wrn40_2",
    ]
    for name, count in COUNTS.items():
        assert rows[name][2] == count, name
        shape = next(v for k, v in SHAPES.items() if name.startswith(k))
        assert rows[name][1] == shape, name


def test_list_header_and_alignment(listing: str) -> None:
    lines = listing.splitlines()
    assert lines[0].split() == ["name", "input", "params", "description"]
    # counts are right-aligned: their last digit sits in one column
    ends = {line.index(COUNTS[line.split()[0]]) + len(COUNTS[line.split()[0]])
            for line in lines[1:]}
    assert len(ends) == 1
    assert all(line == line.rstrip() for line in lines)


def test_list_golden(listing: str, golden: Callable[[str, str], None]) -> None:
    golden("models/list.txt", listing)


def test_list_is_deterministic(listing: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list"]) == 0
    assert capsys.readouterr().out == listing


def test_list_pattern(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "resnet*"]) == 0
    out = capsys.readouterr().out
    assert list(_rows(out)) == ["resnet18", "resnet34", "resnet50", "resnet101", "resnet152"]
    assert "60,192,808" in out


def test_list_pattern_matching_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "wrn28-2x"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "netviz: error: no registered model matches 'wrn28-2x' "
        "(run 'netviz list' to see all models)\n"
    )


def test_list_shows_registered_plugin_models(
    clean_registry: dict, capsys: pytest.CaptureFixture[str]
) -> None:
    @register_model("zz_pair", input_shape=((3, 8, 8), (10,)), description="two inputs")
    def zz_pair() -> nn.Module:
        return nn.Linear(10, 10)

    assert main(["list", "zz_*"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1].split() == ["zz_pair", "3x8x8,", "10", "110", "two", "inputs"]


def test_list_builds_on_the_cpu_what_cannot_build_on_meta(
    clean_registry: dict, capsys: pytest.CaptureFixture[str]
) -> None:
    """A builder that reads tensor values (``.tolist()``) fails on meta: counted on the CPU."""

    @register_model("zz_values", input_shape=(4,), description="width from a tensor")
    def zz_values() -> nn.Module:
        import torch

        width = int(torch.tensor([3, 5]).sum().item())
        return nn.Linear(4, width)

    @register_model("zz_broken", input_shape=(4,), description="never builds")
    def zz_broken() -> nn.Module:
        raise RuntimeError("no such layer\nsecond line")

    assert main(["list", "zz_*"]) == 0
    captured = capsys.readouterr()
    rows = _rows(captured.out)
    assert rows["zz_values"][2] == "40" and rows["zz_broken"][2] == "?"
    assert captured.err == (
        "netviz: warning: cannot build model 'zz_broken': RuntimeError: no such layer\n"
    )


def test_format_helpers() -> None:
    assert format_shapes(((3, 32, 32),)) == "3x32x32"
    assert format_shapes(((3, 8, 8), (10,))) == "3x8x8, 10"
    table = format_table([("a", "1x2", 1234567, "d"), ("bbbb", "3", 5, ""), ("c", "1", None, "")])
    assert table == (
        "name  input     params  description\n"
        "a     1x2    1,234,567  d\n"
        "bbbb  3              5\n"
        "c     1              ?\n"
    )
