"""``netviz summary`` and ``netviz plot`` end to end through ``netviz.cli.main``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from netviz.cli import main

GOLDEN = Path(__file__).parents[1] / "golden" / "summary"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse usage errors exit directly
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(("name", "total"), [("wrn28_2", 1_467_610), ("resnet50", 25_557_032)])
def test_json_totals(capsys, name: str, total: int) -> None:
    code, out, err = run(capsys, "summary", name, "--format", "json", "--depth", "1")
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert doc["total_params"] == total == sum(r["params"] for r in doc["rows"])


def test_by_group_json_sums_to_total(capsys) -> None:
    code, out, _ = run(capsys, "summary", "wrn28_2", "--format", "json", "--by-group")
    doc = json.loads(out)
    assert code == 0 and doc["view"] == "groups"
    assert sum(r["params"] for r in doc["rows"]) == doc["total_params"] == 1_467_610


def test_text_to_stdout_by_default(capsys) -> None:
    code, out, _ = run(capsys, "summary", "mdnc_bottleneck2d_ex1", "--depth", "1")
    assert code == 0
    assert out.splitlines()[0] == "mdnc_bottleneck2d_ex1 (BlockBottleneck2d), input 16x4x255"
    assert "Total params: 3,792" in out


@pytest.mark.parametrize("name", ["mdnc_bottleneck2d_ex1", "mdnc_bottleneck2d_ex2"])
def test_torchsummary_equals_the_reference(capsys, name: str) -> None:
    code, out, _ = run(capsys, "summary", name, "--format", "torchsummary")
    assert code == 0
    assert out == (GOLDEN / f"{name}.torchsummary.txt").read_text()


@pytest.mark.parametrize(
    ("suffix", "start"),
    [
        (".txt", "wrn28_2 (WideResNet), input 3x32x32\n"),
        (".md", "| Layer | Type |"),
        (".tex", "% wrn28_2 (WideResNet)"),
        (".csv", "path,name,type,depth,"),
        (".json", '{\n  "model": "wrn28_2",'),
    ],
)
def test_format_follows_the_suffix(capsys, tmp_path: Path, suffix: str, start: str) -> None:
    target = tmp_path / f"s{suffix}"
    code, out, err = run(capsys, "summary", "wrn28_2", "--depth", "1", "-o", str(target))
    assert (code, out, err) == (0, "", "")
    assert target.read_text().startswith(start)


def test_latex_caption_and_label(capsys) -> None:
    code, out, _ = run(
        capsys, "summary", "wrn28_2", "--format", "latex", "--depth", "1",
        "--caption", "WRN-28-2 (100% trainable)", "--label", "tab:wrn",
    )
    assert code == 0
    assert "\\caption{WRN-28-2 (100\\% trainable)}\n\\label{tab:wrn}\n" in out


def test_torchsummary_to_a_txt_file(capsys, tmp_path: Path) -> None:
    target = tmp_path / "ts.txt"
    code, _, _ = run(capsys, "summary", "mdnc_bottleneck2d_ex2", "--format", "torchsummary",
                     "-o", str(target))
    assert code == 0
    assert target.read_text() == (GOLDEN / "mdnc_bottleneck2d_ex2.torchsummary.txt").read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["summary", "wrn28-2x"], "wrn28_2"),
        (["summary", "wrn28_2", "--format", "yaml"], "invalid choice: 'yaml'"),
        (["summary", "wrn28_2", "-o", "{dir}/s.yaml"], "cannot tell the format"),
        (["summary", "wrn28_2", "--format", "csv", "-o", "{dir}/s.json"], "contradicts"),
        (["summary", "wrn28_2", "--format", "torchsummary", "-o", "{dir}/s.md"], "contradicts"),
        (["summary", "wrn28_2", "--input-shape", "3,a,32", "-o", "{dir}/s.txt"], "malformed input shape"),
        (["summary", "wrn28_2", "--input-shape", "3,4,4", "-o", "{dir}/s.txt"], "input shape 3x4x4 is too small for layer 'avgpool'"),
        (["summary", "wrn28_2", "--depth", "-1", "-o", "{dir}/s.txt"], "--depth must be 0 or more"),
        (["summary", "wrn28_2", "--by-group", "--format", "torchsummary"], "--by-group"),
        (["summary", "wrn28_2", "--caption", "x", "-o", "{dir}/s.md"], "latex format only"),
        (["summary", "wrn28_2", "--format", "latex", "--label", "a b", "-o", "{dir}/s.tex"], "invalid --label"),
        (["summary", "wrn28_2", "-o", "{dir}/missing/s.txt"], "does not exist"),
        (["summary", "wrn28_2", "--format", "text", "-o", "{dir}"], "is a directory"),
        (["plot", "wrn28_2", "-o", "{dir}/p.jpg"], "cannot tell the format"),
        (["plot", "wrn28_2", "--kind", "flops", "-o", "{dir}/p.svg"], "invalid choice: 'flops'"),
        (["plot", "nope_model", "-o", "{dir}/p.svg"], "nope_model"),
        (["plot", "wrn28_2", "--input-shape", "3,4,4", "-o", "{dir}/p.svg"], "input shape 3x4x4 is too small for layer 'avgpool'"),
        (["plot", "wrn28_2", "-o", "{dir}/missing/p.svg"], "does not exist"),
    ],
)
def test_bad_input_is_one_line_and_no_file(capsys, tmp_path: Path, args: list[str], message: str) -> None:
    argv = [a.replace("{dir}", str(tmp_path)) for a in args]
    code, out, err = run(capsys, *argv)
    assert code != 0
    assert out == ""
    assert err.startswith("netviz: error: ") and err.count("\n") == 1, err
    assert message in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("suffix", [".svg", ".png", ".pdf"])
def test_plot_writes_the_same_bytes_twice(capsys, tmp_path: Path, suffix: str) -> None:
    first, second = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
    for target in (first, second):
        code, out, err = run(capsys, "plot", "wrn28_2", "--kind", "params", "-o", str(target))
        assert (code, out, err) == (0, "", "")
    assert first.read_bytes() == second.read_bytes()
    assert len(first.read_bytes()) > 1000


def test_plot_shapes_and_macs(capsys, tmp_path: Path) -> None:
    for kind in ("shapes", "macs"):
        target = tmp_path / f"{kind}.svg"
        assert run(capsys, "plot", "mdnc_bottleneck2d_ex2", "--kind", kind, "-o", str(target))[0] == 0
        assert target.read_bytes().startswith(b"<?xml")
