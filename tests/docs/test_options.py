"""Parsing ```netviz fence bodies, and the CLI line that reproduces a fence."""

from __future__ import annotations

import pytest

from netviz.mkdocs.options import (
    OPTION_NAMES,
    FenceError,
    FenceOptions,
    cli_command,
    parse_fence,
)


def test_defaults() -> None:
    options = parse_fence("model: wrn28_2\n")
    assert options == FenceOptions(model="wrn28_2")
    assert (options.show, options.format, options.fold, options.legend) == ("diagram", "svg", True, False)


def test_every_option() -> None:
    options = parse_fence(
        """
        # a comment
        model: resnet18
        legend: yes
        fold: false
        shapes: on
        direction: lr
        theme: dark
        format: mermaid
        input_shape: 3,64,64
        download: pdf, svg
        """
    )
    assert options == FenceOptions(
        model="resnet18",
        format="mermaid",
        legend=True,
        fold=False,
        shapes=True,
        direction="LR",
        theme="dark",
        input_shapes=((3, 64, 64),),
        downloads=("pdf", "svg"),
    )


def test_dpi_of_the_png_download() -> None:
    options = parse_fence("model: wrn28_2\ndownload: png, svg\ndpi: 300")
    assert (options.dpi, options.downloads) == (300, ("png", "svg"))
    assert parse_fence("model: wrn28_2\ndownload: png").dpi is None  # the default, 192
    assert [parse_fence(f"model: m\ndownload: png\ndpi: {d}").dpi for d in (36, 1200)] == [36, 1200]


def test_annotations_and_the_paper_theme() -> None:
    options = parse_fence("model: wrn28_2\nannotate: macs, params\ntheme: paper\ndownload: tex, tikz")
    assert (options.annotate, options.theme) == (("params", "macs"), "paper")
    assert options.downloads == ("tex", "tikz")
    assert parse_fence("model: wrn28_2\nannotate: params").annotate == ("params",)
    assert parse_fence("model: wrn28_2").annotate == ()


def test_model_shorthand_and_header_options() -> None:
    assert parse_fence("wrn28_2\nlegend: true") == FenceOptions(model="wrn28_2", legend=True)
    assert parse_fence("", {"model": "wrn28_2", "legend": "true"}) == FenceOptions(
        model="wrn28_2", legend=True
    )


def test_summary_and_chart_options() -> None:
    summary = parse_fence("model: m\nshow: summary\nformat: latex\ncaption: A b.\nlabel: tab:x")
    assert (summary.format, summary.caption, summary.label) == ("latex", "A b.", "tab:x")
    assert parse_fence("model: m\nshow: summary").format == "markdown"
    assert parse_fence("model: m\nshow: summary").by_group
    assert not parse_fence("model: m\nshow: summary\nformat: torchsummary").by_group
    chart = parse_fence("model: m\nshow: chart\nchart: macs\ndownload: png")
    assert (chart.chart, chart.downloads) == ("macs", ("png",))


def test_several_input_shapes() -> None:
    options = parse_fence("model: m\ninput_shape: 3,32,32; 1,8,8")
    assert options.input_shapes == ((3, 32, 32), (1, 8, 8))


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("", "no model given"),
        ("legend: true", "no model given"),
        ("model: m\ncolour: red", "unknown option 'colour'"),
        ("model: m\nlegend: maybe", "legend: 'maybe' is not a boolean"),
        ("model: m\ndirection: up", "direction: 'up' is not one of: TB, LR"),
        ("model: m\nformat: png", "format: 'png' is not one of: svg, mermaid"),
        ("model: m\nshow: table", "show: 'table' is not one of"),
        ("model: m\nshow: pseudocode\nlegend: true", "'legend' does not apply to 'show: pseudocode'"),
        ("model: m\nshow: chart\nchart: flops", "chart: 'flops' is not one of"),
        ("model: m\nshow: summary\ndepth: -1", "depth: -1 must be >= 0"),
        ("model: m\nshow: summary\ndepth: deep", "depth: 'deep' is not an integer"),
        ("model: m\ninput_shape: 3,x,32", "input_shape: malformed input shape"),
        ("model: m\ndownload: gif", "download: 'gif' is not one of"),
        ("model: m\nmodel: n", "option 'model' is given twice"),
        ("model: m\ndownload: png\ndpi: 0", "dpi must be a whole number from 36 to 1200, not 0"),
        ("model: m\ndownload: png\ndpi: 5000", "from 36 to 1200, not 5000"),
        ("model: m\ndownload: png\ndpi: fine", "dpi: 'fine' is not a whole number"),
        ("model: m\ndownload: svg\ndpi: 300", "dpi sets the resolution of the PNG download"),
        ("model: m\nshow: chart\ndownload: png\ndpi: 300", "'dpi' does not apply to 'show: chart'"),
        ("model: m\njust words", "line 2 'just words' is not 'key: value'"),
        ("model: m\nannotate: flops", "annotate: unknown annotation 'flops'; choose from: params"),
        ("model: m\nshow: summary\nannotate: params", "'annotate' does not apply to 'show: summary'"),
    ],
)
def test_bad_fences(body: str, reason: str) -> None:
    with pytest.raises(FenceError) as info:
        parse_fence(body)
    assert reason in str(info.value)
    assert "\n" not in str(info.value)


def test_option_names_cover_the_dataclass() -> None:
    assert "input_shape" in OPTION_NAMES and "download" in OPTION_NAMES
    assert "input_shapes" not in OPTION_NAMES


@pytest.mark.parametrize(
    ("body", "command"),
    [
        ("model: wrn28_2", "netviz render wrn28_2 -o wrn28_2.svg"),
        (
            "model: wrn28_2\nlegend: true\nfold: false\ndirection: LR\ninput_shape: 3,64,64",
            "netviz render wrn28_2 -o wrn28_2.svg --input-shape 3,64,64 --legend --no-fold "
            "--direction LR",
        ),
        ("model: wrn28_2\nformat: mermaid", "netviz render wrn28_2 -o wrn28_2.mmd"),
        (
            "model: wrn28_2\nannotate: params macs\ntheme: paper",
            "netviz render wrn28_2 -o wrn28_2.svg --theme paper --annotate params,macs",
        ),
        ("model: wrn28_2\nshow: pseudocode", "netviz pseudocode wrn28_2 -o wrn28_2.txt"),
        (
            "model: wrn28_2\nshow: summary",
            "netviz summary wrn28_2 --format markdown --by-group -o wrn28_2.md",
        ),
        (
            "model: wrn28_2\nshow: summary\nformat: latex\ncaption: WRN by group.",
            "netviz summary wrn28_2 --format latex --by-group --caption 'WRN by group.' "
            "-o wrn28_2.tex",
        ),
        (
            "model: wrn28_2\nshow: chart\nchart: macs",
            "netviz plot wrn28_2 --kind macs -o wrn28_2.macs.svg",
        ),
        ("model: pkg.nets:Net", "netviz render pkg.nets:Net -o Net.svg"),
        (
            "model: pkg.nets:Block(16, 32)\ninput_shape: 16,8,8\nshow: summary\nformat: torchsummary",
            "netviz summary 'pkg.nets:Block(16, 32)' --format torchsummary --input-shape 16,8,8 "
            "> Block.txt",
        ),
    ],
)
def test_cli_command(body: str, command: str) -> None:
    assert cli_command(parse_fence(body)) == command
