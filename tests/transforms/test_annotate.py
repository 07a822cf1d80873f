"""The annotation transform: counts under cluster titles, totals as the caption."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from netviz.errors import UsageError
from netviz.transforms.annotate import ANNOTATIONS, Counts, annotate, counts_text, parse_annotations
from tests.renderers.graphs import wrn28_2


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ()),
        ("params", ("params",)),
        ("macs", ("macs",)),
        ("macs,params", ("params", "macs")),
        (["macs", "params"], ("params", "macs")),
        (["params", "params,macs"], ("params", "macs")),
        (" Params , MACS ", ("params", "macs")),
    ],
)
def test_parse_annotations(value: object, expected: tuple[str, ...]) -> None:
    assert parse_annotations(value) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "words"),
    [("flops", "'flops'"), ("params,", "an empty name"), ("", "an empty name"),
     (["params", "size"], "'size'")],
)
def test_unknown_annotations_are_usage_errors(value: object, words: str) -> None:
    with pytest.raises(UsageError, match=rf"^unknown annotation {words}; choose from: params, macs$"):
        parse_annotations(value)  # type: ignore[arg-type]


def test_counts_text_reads_like_a_paper() -> None:
    counts = Counts(1_467_610, 214_353_152)
    assert counts_text(counts, ("params", "macs")) == "1,467,610 params · 214.35 M MACs"
    assert counts_text(counts, ("macs",)) == "214.35 M MACs"
    assert counts_text(Counts(5, 11_510_000_000), ANNOTATIONS) == "5 params · 11.51 G MACs"
    assert counts_text(Counts(0, 1280), ("macs",)) == "1,280 MACs"  # exact under a million


def test_titles_get_per_block_counts_and_the_caption_the_totals() -> None:
    graph = wrn28_2()  # clusters: proj, rep (x3) per group
    # WRN-28-2, group 0 (independent hand count): a folded block is two 3x3 32->32 convs
    # (2 * 9,216 weights) and two BatchNorm(32) (2 * 64): 18,560 parameters.
    per_block = Counts(18_560, 18_874_368)
    counts = {0: Counts(14_432, 14_680_064), 1: Counts(3 * per_block.params, 3 * per_block.macs)}
    out = annotate(graph, counts, Counts(1_467_610, 214_353_152), ("params",))
    titles = [c.title for c in out.clusters]
    assert titles[0] == "Group 0 Projection\n14,432 params"
    assert titles[1] == "Group 0 x (N - 1) = 3\n18,560 params each"
    assert titles[2:] == [c.title for c in graph.clusters[2:]]  # no numbers: unchanged
    assert out.caption == "1,467,610 params"
    assert out.nodes == graph.nodes and out.edges == graph.edges


def test_blocks_that_differ_are_counted_in_all() -> None:
    graph = wrn28_2()
    folded = replace(graph.clusters[1], totals=(55_683, 56_000_000))
    graph = replace(graph, clusters=(graph.clusters[0], folded))
    out = annotate(graph, {1: Counts(55_683, 56_000_000)}, Counts(1, 1), ("params", "macs"))
    assert out.clusters[1].title.endswith("\n55,683 params · 56.00 M MACs in all")


def test_counts_that_do_not_divide_are_never_averaged() -> None:
    graph = wrn28_2()
    out = annotate(graph, {1: Counts(10, 9)}, Counts(1, 1), ("params",))  # 10 / 3 blocks
    assert out.clusters[1].title.endswith("\n10 params in all")


def test_nothing_asked_changes_nothing() -> None:
    graph = wrn28_2()
    assert annotate(graph, {0: Counts(1, 1)}, Counts(1, 1), ()) is graph


@given(st.lists(st.sampled_from(["params", "macs", "PARAMS", " macs"]), min_size=1, max_size=4))
def test_any_spelling_of_known_names_parses_in_one_order(words: list[str]) -> None:
    parsed = parse_annotations(",".join(words))
    assert list(parsed) == [a for a in ANNOTATIONS if a in {w.strip().lower() for w in words}]
