"""The cascade aligner of ``netviz diff``: every item once, each side's order kept, and
looser keys only where stricter ones left a gap."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from netviz.transforms.diff.align import align

items = st.lists(
    st.tuples(st.integers(0, 6), st.integers(0, 2)).map(lambda t: (t, t[1])), max_size=12
)
"""Items with a strict key (a pair) and a loose one (its second part): equal strict keys
imply equal loose ones, as in every cascade ``netviz diff`` uses."""


@given(a=items, b=items)
def test_every_item_once_in_order(a: list[tuple[tuple[int, int], int]], b: list[tuple[tuple[int, int], int]]) -> None:
    pairs = align(a, b)
    left = [i for i, _ in pairs if i is not None]
    right = [j for _, j in pairs if j is not None]
    assert left == list(range(len(a)))
    assert right == list(range(len(b)))


@given(a=items, b=items)
def test_pairs_agree_on_some_key(a: list[tuple[tuple[int, int], int]], b: list[tuple[tuple[int, int], int]]) -> None:
    for i, j in align(a, b):
        if i is not None and j is not None:
            assert a[i][1] == b[j][1], "the loosest key must agree for a pair"


@given(a=items)
def test_a_sequence_pairs_with_itself_exactly(a: list[tuple[tuple[int, int], int]]) -> None:
    assert align(a, a) == [(i, i) for i in range(len(a))]


def test_a_stricter_key_wins_over_order() -> None:
    """B's second item is A's first exactly: they pair, though the looser key would have
    paired A's first with B's first."""
    a = [("conv 64", "conv")]
    b = [("conv 32", "conv"), ("conv 64", "conv")]
    assert align(a, b) == [(None, 0), (0, 1)]


def test_the_looser_key_pairs_what_is_left() -> None:
    a = [("conv 64", "conv"), ("pool", "pool")]
    b = [("conv 640", "conv"), ("pool", "pool")]
    assert align(a, b) == [(0, 0), (1, 1)]


def test_unpaired_items_are_removed_or_added() -> None:
    assert align([("a",), ("b",)], [("c",)]) == [(0, None), (1, None), (None, 0)]


def test_runs_of_one_length_pair_item_by_item() -> None:
    """``S S S`` against ``S X S``: the middle ones pair (at the looser key), not the first
    ``S`` with the last, which would leave an ``S`` and the ``X`` unpaired."""
    s, x = ("S", "block"), ("X", "block")
    assert align([s, s, s], [s, x, s]) == [(0, 0), (1, 1), (2, 2)]
    assert align([s, s, s], [s, s, x, s]) == [(0, 0), (1, 1), (None, 2), (2, 3)]
