"""``netviz diff``: the text form by default, every format from the suffix, exit status 0
(1 with ``--exit-code`` when the models differ, 2 on any error), the same bytes twice."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from netviz.cli import main
from tests.cli.test_bad_input import CASES, run

MODELS = Path(__file__).parents[1] / "api" / "diff_models.py"
PAIR = [f"{MODELS}:Net()", f"{MODELS}:Net(extra=True)", "--input-shape", "3,16,16"]


def test_the_text_form_goes_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "resnet50", "resnet101"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "resnet50 → resnet101: 1 change"
    assert "    changed block: x (N - 1) = 5 → 22" in out.splitlines()


def test_identical_models_exit_0_even_with_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "wrn28_2", "wrn28_2", "--exit-code"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "wrn28_2 → wrn28_2: no structural differences"


def test_exit_code_1_when_the_models_differ(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "wrn28_2", "wrn28_10", "--exit-code"]) == 1
    assert main(["diff", "wrn28_2", "wrn28_10"]) == 0
    capsys.readouterr()


def test_counts_alone_differ_is_a_difference_for_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["diff", "resnet18", "resnet18", "--input-shape", "3,64,64", "--input-shape-b", "3,32,32"]
    assert main([*argv, "--exit-code"]) == 1
    assert "no structural differences; the counts differ" in capsys.readouterr().out


@pytest.mark.parametrize("case", [c for c in CASES if c.argv[:1] == ("diff",)], ids=lambda c: c.id)
def test_every_diff_error_exits_2(case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
                                  capsys: pytest.CaptureFixture[str]) -> None:
    from tests.cli.test_bad_input import Env
    from tests.zoo import MODELS_FILE

    out = tmp_path / "out"
    out.mkdir()
    undo: list = []
    if case.setup is not None:
        case.setup(Env(out, tmp_path, monkeypatch, undo))
    argv = [a.format(out=out, spec=tmp_path, zoo=MODELS_FILE) for a in case.argv]
    assert run(argv) == 2
    assert len(capsys.readouterr().err.splitlines()) == 1
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("suffix", ["txt", "md", "dot", "mmd", "svg", "tikz"])
def test_the_same_bytes_twice(suffix: str, tmp_path: Path) -> None:
    if suffix in ("svg", "tikz") and shutil.which("dot") is None:
        pytest.skip("'dot' is not installed")
    outputs = []
    for k in range(2):
        path = tmp_path / f"{k}.{suffix}"
        assert main(["diff", *PAIR, "-o", str(path)]) == 0
        outputs.append(path.read_bytes())
    assert outputs[0] == outputs[1]
    assert b"3x3 32C 1S 1P" in outputs[0] and b"Net \xe2\x86\x92 Net" in outputs[0]


def test_formats_follow_the_suffix_or_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", *PAIR, "--format", "md"]) == 0
    assert "| Group | Params A |" in capsys.readouterr().out
    assert main(["diff", *PAIR, "--format", "mmd", "--theme", "paper", "--no-legend"]) == 0
    text = capsys.readouterr().out
    assert '%%{init: {"theme": "neutral"}}%%' in text.splitlines() and "legend" not in text
    assert "classDef added" in text
    assert main(["diff", *PAIR, "-o", str(tmp_path / "d.gv")]) == 0
    assert (tmp_path / "d.gv").read_text().startswith("digraph")
