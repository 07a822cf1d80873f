"""Align two sequences by a cascade of ever looser keys, with ``difflib.SequenceMatcher``.

Each item is given as its keys, from strictest to loosest. The first key pairs what is exactly alike; wherever it leaves a gap (a run of A's items
facing a run of B's that it could not pair), the next, looser key tries again on that
gap alone, and so on. Two runs of one length that pair as well item by item as any
other way are paired item by item (``SequenceMatcher`` would pair the first ``S`` of
``S S S`` with the last of ``S X S``, leaving one ``S`` and the ``X`` unpaired). What the last key leaves unpaired was removed (A's) or added
(B's). A deeper stage of ResNet-101 thus pairs with ResNet-50's by what its blocks are,
before anything is paired only for being a stage.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from difflib import SequenceMatcher
from typing import Optional

Keys = Sequence[Hashable]
"""What an item is at each level of likeness, strictest first; equal keys may pair."""

Pair = tuple[Optional[int], Optional[int]]
"""Indices of an A item and a B item that pair; ``None`` on one side: removed or added."""


def align(a: Sequence[Keys], b: Sequence[Keys]) -> list[Pair]:
    """Pair the items of ``a`` and ``b`` (each given as its keys), in order, trying the
    keys from strictest to loosest. Every item has as many keys as the others.

    Returns:
        Every index of ``a`` and of ``b`` exactly once, in a merged order that keeps the
        order of each side: ``(i, j)`` paired, ``(i, None)`` only in A, ``(None, j)``
        only in B (within a gap, A's unpaired items come first).

    Examples:
        >>> letters = lambda text: [(c,) for c in text]
        >>> align(letters("abxd"), letters("abyd"))
        [(0, 0), (1, 1), (2, None), (None, 2), (3, 3)]
        >>> align([("conv 3", "conv"), ("pool", "pool")], [("conv 5", "conv"), ("pool", "pool")])
        [(0, 0), (1, 1)]
    """
    pairs: list[Pair] = []
    levels = len(a[0]) if a else 0

    def gap(a_lo: int, a_hi: int, b_lo: int, b_hi: int, level: int) -> None:
        if a_lo == a_hi or b_lo == b_hi or level == levels:
            pairs.extend((i, None) for i in range(a_lo, a_hi))
            pairs.extend((None, j) for j in range(b_lo, b_hi))
            return
        left, right = [x[level] for x in a[a_lo:a_hi]], [x[level] for x in b[b_lo:b_hi]]
        matcher = SequenceMatcher(None, left, right, autojunk=False)
        if _in_order(a[a_lo:a_hi], b[b_lo:b_hi], left, right, matcher):
            pairs.extend(zip(range(a_lo, a_hi), range(b_lo, b_hi)))
            return
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                pairs.extend(zip(range(a_lo + i1, a_lo + i2), range(b_lo + j1, b_lo + j2)))
            else:
                gap(a_lo + i1, a_lo + i2, b_lo + j1, b_lo + j2, level + 1)

    gap(0, len(a), 0, len(b), 0)
    return pairs


def _in_order(
    a: Sequence[Keys], b: Sequence[Keys], left: list[Hashable], right: list[Hashable],
    matcher: SequenceMatcher[Hashable],
) -> bool:
    """Whether two runs of one length pair best item by item: every pair agrees on the
    loosest key and as many agree on this level's as in the matcher's best alignment
    (``S S S`` against ``S X S`` pairs the middle ones, not the first ``S`` with the last)."""
    if len(a) != len(b) or not all(x[-1] == y[-1] for x, y in zip(a, b)):
        return False
    same = sum(x == y for x, y in zip(left, right))
    return same > 0 and same >= sum(block.size for block in matcher.get_matching_blocks())
