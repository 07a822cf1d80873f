"""A paper's LaTeX table: fits a page by default, block rows show subtotals, names typeset alike."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

import netviz
from netviz.cli import main
from netviz.summaries import format_table, resolve_view
from netviz.summaries.table import SummaryTable
from tests.summaries.conftest import row

ROWS_PER_PAGE = 45  # booktabs rows of 10pt text on an A4/letter page, with margins


def _rows(latex: str) -> list[str]:
    return [line for line in latex.splitlines() if line.endswith("\\\\")]


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(list(args)) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("model", ["wrn28_2", "resnet50", "resnet152", "wrn28_10"])
def test_the_default_latex_table_fits_a_page(capsys: pytest.CaptureFixture[str], model: str) -> None:
    latex = _cli(capsys, "summary", model, "--format", "latex")
    assert "by diagram group" in latex.splitlines()[0]
    assert len(_rows(latex)) <= ROWS_PER_PAGE
    assert latex == str(netviz.summary(model, "latex"))  # the API has the same default


def test_a_depth_asks_for_layers_and_other_formats_keep_layers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert resolve_view("latex", None, None) == (3, True)
    assert resolve_view("latex", 2, None) == (2, False)
    assert resolve_view("latex", None, False) == (3, False)
    assert resolve_view("markdown", None, None) == (3, False)
    latex = _cli(capsys, "summary", "wrn28_2", "--format", "latex", "--depth", "2")
    assert latex.splitlines()[0] == "% wrn28_2 (WideResNet), input 3x32x32"
    assert "\\texttt{layer1.0} & BasicBlock" in latex
    text = _cli(capsys, "summary", "wrn28_2")
    assert "by diagram group" not in text.splitlines()[0] and "BasicBlock" in text


def _row_of(latex: str, name: str) -> list[str]:
    found = next(line for line in _rows(latex) if line.startswith(f"\\texttt{{{name}}} &"))
    return [cell.strip() for cell in found.removesuffix("\\\\").split("&")]


def test_block_rows_show_their_subtotals(capsys: pytest.CaptureFixture[str]) -> None:
    from netviz_models.wideresnet import WideResNet

    latex = _cli(capsys, "summary", "wrn28_2", "--format", "latex", "--depth", "3")
    model = WideResNet(28, 2)
    for block in ("layer1", "layer1.0", "layer2", "layer3.3"):
        params = sum(p.numel() for p in model.get_submodule(block).parameters())
        assert _row_of(latex, block)[4] == f"{params:,}", block
    # a 32->32 block at 32x32: two 3x3 convolutions (norms and activations are not MACs)
    convs = 2 * (3 * 3 * 32 * 32) * (32 * 32)
    assert _row_of(latex, "layer1.1")[5] == f"{convs:,}"
    root = _row_of(latex, "wrn28\\_2")
    assert root[4] == f"{sum(p.numel() for p in model.parameters()):,}"
    assert "--" not in _row_of(latex, "layer2")[4:]


def test_subtotals_add_up_every_rows_own_numbers() -> None:
    """Not only leaf rows carry mult-adds: a block may own some (a functional op of its own)."""
    rows = (
        row(0, "", "Net", leaf=False, params=1, mult_adds=7, output_shape=(4,)),
        row(1, "block", "Block", leaf=False, params=0, mult_adds=100),
        row(2, "block.conv", "Conv2d", params=10, mult_adds=1000),
        row(3, "block.act", "ReLU"),
        row(4, "fc", "Linear", params=5, mult_adds=5),
    )
    table = SummaryTable("net", "Net", ((3, 8, 8),), rows, 16, 16, 1112, 0, 0, 0)
    latex = format_table(table, "latex", depth=2)
    assert _row_of(latex, "net")[4:] == ["16", "1,112"]
    assert _row_of(latex, "block")[4:] == ["10", "1,100"]
    assert _row_of(latex, "block.act")[4:] == ["--", "--"]
    collapsed = format_table(table, "latex", depth=1)
    assert _row_of(collapsed, "block")[4:] == ["10", "1,100"]


def test_names_are_typeset_alike(tricky_table: SummaryTable, capsys: pytest.CaptureFixture[str]) -> None:
    latex = format_table(tricky_table, "latex", depth=2)
    firsts = [line.split(" & ")[0] for line in _rows(latex)[1:-2]]  # past the header, before totals
    assert all(re.fullmatch(r"\\texttt\{.*\}", cell) for cell in firsts), firsts
    assert firsts[0] == "\\texttt{my\\_net\\%1}"  # the model's name, like the module paths
    grouped = _cli(capsys, "summary", "wrn28_2", "--format", "latex")
    assert "Group 0 $\\times$ ($N-1$) = 3 & 3 &" in grouped  # as math, like the shapes' x
    assert " x " not in grouped and "N - 1" not in grouped


@pytest.mark.needs_latex
@pytest.mark.parametrize("model", ["wrn28_2", "resnet50"])
def test_the_default_table_compiles_to_one_page(capsys: pytest.CaptureFixture[str],
                                                tmp_path: Path, model: str) -> None:
    latex = _cli(capsys, "summary", model, "--format", "latex", "--caption", model, "--label",
                 "tab:x")
    (tmp_path / "doc.tex").write_text(
        "\\documentclass{article}\n\\usepackage{booktabs}\n\\begin{document}\n"
        f"{latex}\\end{{document}}\n"
    )
    assert shutil.which("pdflatex")
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:]
    assert "Output written on doc.pdf (1 page" in done.stdout
