"""netviz's own numbers on the families zoo (issue 10): MACs, data-node widths, every format.

Expected to fail until netviz computes MACs from the trace (not torchinfo's
mult-adds, which count a Linear on tokens once), reads the feature width from the
op that produced a tensor (not from dimension 1), takes int64 inputs for the
sequence models, and builds on the CPU what cannot build on meta. The numbers
come from ``tests/models/family_macs.py``: layer-by-layer formulas checked there
against torch's FlopCounterMode and torchvision's published tables.
"""

from __future__ import annotations

import json
import re

import pytest

import netviz
from netviz.cli import main
from tests.models.family_macs import ZOO, transformer_lm_macs
from tests.models.test_model_families import COMPACT

DATA_NODE = re.compile(r'\(\(\("([^"]*)"\)\)\)')
"""A Mermaid data node (double circle) and its label, e.g. ``n6((("48C")))``."""


def _data_node_widths(mermaid: str) -> list[int]:
    """The leading number of every data node's label: the width it shows."""
    widths = []
    for label in DATA_NODE.findall(mermaid):
        match = re.match(r"\d+", label)
        assert match, f"data node without a width: {label!r}"
        widths.append(int(match.group()))
    return widths


@pytest.mark.parametrize("name", sorted(ZOO))
def test_summary_mult_adds_equal_the_analytic_count(name: str) -> None:
    summary = json.loads(netviz.summary(name, "json"))
    expected = ZOO[name].macs
    assert summary["mult_adds"] == pytest.approx(expected, rel=0.01), (
        f"{name}: netviz {summary['mult_adds']:,} vs analytic {expected:,}"
    )


@pytest.mark.parametrize("name", sorted(ZOO))
def test_data_nodes_show_the_feature_width(name: str) -> None:
    expected = ZOO[name]
    widths = _data_node_widths(netviz.render(name, "mmd").decode())
    assert set(widths) <= expected.widths, f"{name}: data nodes show {sorted(set(widths))}"
    assert not set(widths) & expected.not_widths
    if expected.main_width is not None:
        assert expected.main_width in widths


@pytest.mark.parametrize("name", sorted(ZOO))
@pytest.mark.parametrize("fmt", ["mmd", "txt", pytest.param("svg", marks=pytest.mark.needs_dot)])
def test_every_zoo_model_renders(name: str, fmt: str) -> None:
    out = netviz.render(name, fmt)
    assert out.strip()


@pytest.mark.parametrize("name", sorted(ZOO))
@pytest.mark.parametrize("by_group", [False, True])
def test_every_zoo_model_summarizes(name: str, by_group: bool) -> None:
    text = netviz.summary(name, "text", by_group=by_group)
    assert f"Total params: {COMPACT[name][1]:,}\n" in text  # the analytic count


def test_tagger_outputs_are_named_by_their_keys() -> None:
    mermaid = netviz.render("lstm_tagger_mini", "mmd").decode()
    assert "tags" in mermaid and "hidden" in mermaid


def test_language_model_summary_from_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    """`netviz summary <LM> --input-shape 32 --input-dtype int64 --format json` (issue 10)."""
    code = main(["summary", "transformer_lm_mini", "--input-shape", "32",
                 "--input-dtype", "int64", "--format", "json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    summary = json.loads(captured.out)
    assert summary["input_shapes"] == [[32]]
    expected = transformer_lm_macs(32, 100, 32, 4, 2, 64)
    assert summary["mult_adds"] == pytest.approx(expected, rel=0.01)
