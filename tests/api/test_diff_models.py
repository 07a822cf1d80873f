"""``netviz.diff`` on real models: ResNet-50 → ResNet-101 is one changed fold count,
WRN-28-2 → WRN-28-10 widths only, and every number agrees with the models themselves."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import torch

import netviz
from netviz.cache import using_cache
from netviz.ir import ChangeKind
from netviz.renderers.diff_text import NO_DIFFERENCES
from netviz.transforms.diff import compare
from netviz_models.resnet import resnet50, resnet101
from netviz_models.wideresnet import WideResNet
from tests.transforms.test_diff import widths_only

MODELS = Path(__file__).with_name("diff_models.py")
SHAPE = [(3, 16, 16)]


def _params(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


@pytest.fixture(scope="module")
def r50_r101() -> netviz.Diff:
    return netviz.diff("resnet50", "resnet101")


def test_resnet50_to_101_is_one_changed_fold_count(r50_r101: netviz.Diff) -> None:
    (line,) = r50_r101.changes
    assert (line.kind, line.what, line.text) == (ChangeKind.CHANGED, "block", "x (N - 1) = 5 → 22")
    marked = [c for c in r50_r101.graph.clusters if c.change is not None]
    assert [c.title for c in marked] == ["Group 2 x (N - 1) = 5 → 22"]
    assert not any(n.change for n in r50_r101.graph.nodes)
    assert not any(e.change for e in r50_r101.graph.edges)


def test_resnet_numbers_are_the_models_own(r50_r101: netviz.Diff) -> None:
    with torch.device("meta"):
        small, large = resnet50(), resnet101()
    assert r50_r101.comparison.before.params == _params(small)
    assert r50_r101.comparison.after.params == _params(large)
    (group,) = [g for g in r50_r101.groups if g.changes]
    block = _params(large.layer3[1])  # one of the identical bottlenecks: 17 more
    assert group.after.params - group.before.params == 17 * block
    # a layer3 bottleneck at 14x14: 1x1 1024 → 256, 3x3 256 → 256, 1x1 256 → 1024
    macs = 14 * 14 * (256 * 1024 + 256 * 256 * 9 + 1024 * 256)
    assert group.after.macs - group.before.macs == 17 * macs
    assert r50_r101.comparison.after.macs - r50_r101.comparison.before.macs == 17 * macs
    total = _text_row(r50_r101.text, "Total")
    a, b = _params(small), _params(large)
    assert total[:3] == [f"{a:,}", f"{b:,}", f"+{b - a:,}"]
    assert total[5] == f"+{17 * macs:,}"
    assert _text_row(r50_r101.text, "Group 2 x (N - 1) = 5 → 22")[2] == f"+{17 * block:,}"


def _text_row(text: str, title: str) -> list[str]:
    """The numbers of one row of the text form's table."""
    for line in text.splitlines():
        if line.startswith(title + "  "):
            return line[len(title):].split()
    raise AssertionError(f"no row {title!r} in:\n{text}")


def test_wrn_28_2_to_28_10_is_widths_only() -> None:
    diff = netviz.diff("wrn28_2", "wrn28_10")
    assert widths_only(diff.comparison, titles=False)
    assert diff.changes and {line.kind for line in diff.changes} == {ChangeKind.CHANGED}
    convs = [n for n in diff.graph.nodes if n.change is not None and n.kind.value == "conv"]
    assert {n.label for n in convs} >= {"3x3 32C 1S 1P → 3x3 160C 1S 1P",
                                         "3x3 64C 1S 1P → 3x3 320C 1S 1P",
                                         "3x3 128C 1S 1P → 3x3 640C 1S 1P"}
    with torch.device("meta"):
        narrow, wide = WideResNet(28, 2), WideResNet(28, 10)
    assert diff.comparison.before.params == _params(narrow) == 1_467_610
    assert diff.comparison.after.params == _params(wide) == 36_479_194
    total = _text_row(diff.text, "Total")
    assert total[:3] == ["1,467,610", "36,479,194", f"+{36_479_194 - 1_467_610:,}"]


def test_a_model_against_itself_has_no_structural_difference() -> None:
    diff = netviz.diff("resnet18", "resnet18")
    assert diff.identical and not diff.changes
    assert diff.text.splitlines()[0] == f"resnet18 → resnet18: {NO_DIFFERENCES}"
    assert repr(diff) == "<Diff 'resnet18' → 'resnet18': identical>"


def test_a_model_against_itself_after_a_cache_hit(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cached notation graph (read back from JSON) equals a fresh trace in every
    respect the diff looks at."""
    with using_cache(enabled=False):
        fresh = netviz.diagram("resnet18").graph
    netviz.diagram("resnet18")  # fills the cache

    def no_tracing(*args: object) -> None:
        raise AssertionError("traced again: the cache was not used")

    monkeypatch.setattr("netviz.traced.trace_uncached", no_tracing)
    cached = netviz.diff("resnet18", "resnet18")
    assert cached.identical
    assert compare(fresh, cached.graph).identical
    assert netviz.diff(fresh, "resnet18").identical


def test_a_block_with_one_extra_conv() -> None:
    diff = netviz.diff(f"{MODELS}:Net()", f"{MODELS}:Net(extra=True)", SHAPE)
    assert [(line.kind, line.what, line.text) for line in diff.changes] == [
        (ChangeKind.ADDED, "op", "3x3 32C 1S 1P")]
    with torch.device("meta"):
        from tests.api.diff_models import Net

        base, extra = Net(), Net(extra=True)
    assert diff.comparison.after.params - diff.comparison.before.params == \
        _params(extra) - _params(base) == 32 * 32 * 9 + 2 * 32


def test_a_removed_projection_shortcut() -> None:
    diff = netviz.diff(f"{MODELS}:Net()", f"{MODELS}:Net(first_projection=False)", SHAPE)
    removed = [line for line in diff.changes if line.kind is ChangeKind.REMOVED]
    assert [(line.what, line.text) for line in removed] == [("op", "1x1 32C 1S 0P")]
    assert all(line.kind is not ChangeKind.ADDED for line in diff.changes)
    ghost = next(n for n in diff.graph.nodes if n.change is not None
                 and n.change.kind is ChangeKind.REMOVED)
    block = diff.graph.cluster_of(ghost.id)
    assert block is not None and block.group == 0
    with torch.device("meta"):
        from tests.api.diff_models import Net

        assert diff.comparison.before.params - diff.comparison.after.params == \
            _params(Net()) - _params(Net(first_projection=False)) == 32 * 32


def test_input_shapes_apply_to_both_unless_b_has_its_own() -> None:
    same = netviz.diff("resnet18", "resnet18", [(3, 64, 64)])
    assert same.identical
    other = netviz.diff("resnet18", "resnet18", [(3, 64, 64)], input_shapes_b=[(3, 32, 32)])
    assert not other.identical and not other.changes  # the same structure, fewer MACs
    assert other.comparison.after.macs < other.comparison.before.macs
    assert "no structural differences; the counts differ" in other.text


def test_the_diff_object_shows_and_saves(tmp_path: Path, r50_r101: netviz.Diff) -> None:
    assert repr(r50_r101) == "<Diff 'resnet50' → 'resnet101': 1 change>"
    assert str(r50_r101) == r50_r101.text
    r50_r101.save(tmp_path / "d.md")
    assert (tmp_path / "d.md").read_text() == r50_r101.markdown
    r50_r101.save(tmp_path / "d.mmd")
    assert "x (N - 1) = 5 → 22" in (tmp_path / "d.mmd").read_text()
    assert r50_r101.figure.graph is r50_r101.graph
    if shutil.which("dot"):
        html = r50_r101._repr_html_()
        assert html is not None and "<svg" in html and "x (N - 1) = 5 → 22" in html
        assert r50_r101._repr_markdown_() is None
    styled = r50_r101.styled(theme="paper", legend=False)
    assert styled.theme == "paper" and not styled.legend and styled.comparison is r50_r101.comparison


def test_bad_formats_and_options_are_refused(r50_r101: netviz.Diff) -> None:
    from netviz.errors import FormatError, UsageError

    with pytest.raises(FormatError):
        r50_r101.render("csv")
    with pytest.raises(UsageError, match="dpi applies to figures"):
        r50_r101.render("txt", dpi=100)


def test_the_text_form_lists_groups_in_drawing_order(r50_r101: netviz.Diff) -> None:
    titles = [g.title for g in r50_r101.groups]
    assert titles[0] == "Stem" and titles[-1] == "Head" and len(titles) == 10
    assert re.search(r"^Group 2 x \(N - 1\) = 5 → 22 ", r50_r101.text, re.M)


@pytest.mark.parametrize(("a", "b"), [("resnet50", "resnet101"), ("wrn28_2", "wrn28_10")])
def test_golden_text_forms(a: str, b: str, golden) -> None:  # type: ignore[no-untyped-def]
    """The text forms of the two diffs of the docs page, as read there (their numbers are
    checked against the models above)."""
    diff = netviz.diff(a, b)
    golden(f"api/diff.{a}.{b}.txt", diff.text)
    golden(f"api/diff.{a}.{b}.md", diff.markdown)


@pytest.mark.parametrize(("a", "b"), [("wrn28_2", "wrn28_10"), ("resnet50", "resnet101")])
def test_each_groups_numbers_are_those_of_summary_by_group(a: str, b: str) -> None:
    """Per group, A's and B's numbers are the rows of ``netviz summary --by-group`` (torchinfo's
    parameters of each module, MACs per layer), stem and head included."""
    import json

    diff = netviz.diff(a, b)
    for spec, side in ((a, "before"), (b, "after")):
        rows = json.loads(netviz.summary(spec, "json", by_group=True))["rows"]
        ours = [getattr(g, side) for g in diff.groups]
        assert [(r["params"], r["mult_adds"]) for r in rows] == [(c.params, c.macs) for c in ours]


def test_a_diff_of_two_cached_models_needs_no_torch() -> None:
    import subprocess
    import sys

    netviz.diff("resnet18", "resnet34")  # traces both: the cache holds them now
    code = ("import sys, netviz\nd = netviz.diff('resnet18', 'resnet34')\n"
            "print(d.text.splitlines()[0]); print(d.dot[:7]); print('torch' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == ["resnet18 → resnet34: 4 changes", "digraph", "False"]


def test_models_without_blocks_are_one_group() -> None:
    from torch import nn

    a = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4))
    b = nn.Sequential(nn.Linear(8, 32), nn.GELU(), nn.Linear(32, 4), nn.Softmax(-1))
    diff = netviz.diff(a, b, [(8,)])
    (group,) = diff.groups
    assert group.title == "Model"
    assert (group.before.params, group.after.params) == (_params(a), _params(b))
    assert (group.before.macs, group.after.macs) == (8 * 16 + 16 * 4, 8 * 32 + 32 * 4)
    assert [(line.kind.value, line.what, line.text) for line in group.changes] == [
        ("changed", "op", "Linear 16C → Linear 32C"),
        ("changed", "op", "Linear 4C, 68 → 132 params"),
        ("added", "op", "Softmax"),
        ("changed", "edge", "from Linear 32C to Linear 4C: ReLU ⇒ GELU"),
    ]
    edge = next(e for e in diff.graph.edges if e.change is not None
                and e.change.kind is ChangeKind.CHANGED)
    assert (edge.change.before, edge.change.after) == ("ReLU", "GELU")  # type: ignore[union-attr]
