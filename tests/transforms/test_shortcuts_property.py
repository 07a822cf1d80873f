"""Shortcuts the transforms take for speed give what the plain computation gives.

- ``humanize`` splits a class name before its capitals with a loop, not a pattern
  (compiling the pattern costs a cold render): the same words as the pattern
  ``(?<=[a-z0-9])(?=[A-Z])``, written here independently, for any text.
- ``common_scope`` of two scopes, one within the other, is the outer one at once.
- ``recognize_modules`` splits a module into its calls only when its ops could match a
  signature of the op table (every op a signature needs among them): when they cannot,
  no selection of those ops, whichever a call ran, is recognised by the op table.
"""

from __future__ import annotations

import re
from itertools import combinations

from hypothesis import given
from hypothesis import strategies as st

from netviz import ops
from netviz.transforms.blocks import humanize
from netviz.transforms.recognize import _may_match
from netviz.transforms.scopes import common_scope
from tests.properties import steady

SETTINGS = steady(300)


def _humanize_by_pattern(class_name: str) -> str:
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", class_name.strip("_")).split()
    if not words:
        return ""
    return " ".join([words[0], *(w if w.isupper() else w.lower() for w in words[1:])])


CLASS_NAMES = st.one_of(
    st.text(alphabet=st.sampled_from("aZb9_ Ü\nQé0xY"), max_size=12),
    st.text(max_size=12),
    st.from_regex(r"_?[A-Z][a-z0-9]*([A-Z][a-z0-9]*){0,3}", fullmatch=True),
)


@SETTINGS
@given(CLASS_NAMES)
def test_humanize_splits_as_the_pattern_does(class_name: str) -> None:
    assert humanize(class_name) == _humanize_by_pattern(class_name)


def test_humanize_examples() -> None:
    assert humanize("_DenseLayer") == "Dense layer"
    assert humanize("InvertedResidual") == "Inverted residual"
    assert humanize("ResNetV2Block") == "Res net V2 block"
    assert humanize("SE") == "SE"


# every op name a signature mentions, and some it does not
NAMES = sorted({n for op in ops.entries() for sig in op.computes for n in sig.needs | sig.allows}
               | {"Conv2d", "BatchNorm2d", "ReLU", "view", "add", "mul"})


@SETTINGS
@given(st.sets(st.sampled_from(NAMES), max_size=6), st.sampled_from((None, True, False)))
def test_ops_that_cannot_match_have_no_part_that_matches(names: set[str],
                                                          scalar: bool | None) -> None:
    if _may_match(frozenset(names)):
        return
    for size in range(1, len(names) + 1):
        for part in combinations(sorted(names), size):
            assert ops.recognize(part, scalar) is None, part


def test_ops_that_match_may_match() -> None:
    rms = ["to", "pow", "mean", "add", "rsqrt", "mul"]
    assert ops.recognize(rms) is not None
    assert _may_match(frozenset(rms))
    assert not _may_match(frozenset({"Conv2d", "BatchNorm2d", "ReLU", "add"}))


PATHS = st.lists(st.sampled_from(["", "a", "b", "ab", "0", "a.b"]), max_size=4).map(".".join)


@SETTINGS
@given(PATHS, PATHS)
def test_common_scope_of_two_is_that_of_any_sequence(first: str, second: str) -> None:
    """A pair (a tuple: the fast path for a nested pair) gives what a list gives."""
    assert common_scope((first, second)) == common_scope([first, second])
    assert common_scope((first, second)) == common_scope((second, first))
