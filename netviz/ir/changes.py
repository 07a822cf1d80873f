"""What a diff figure marks: an element added to, removed from, or changed between two models.

[`netviz.diff`][netviz.api.diff] draws the second model (B) with the differences from the
first (A) marked. Each mark is plain data on the element it marks (``Node.change``,
``Edge.change``, ``Cluster.change``); renderers decide how it looks. Elements of a
graph that is no diff carry none.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class ChangeKind(str, Enum):
    """How an element of B's figure differs from A.

    Attributes:
        ADDED: Only B has it (drawn emphasised).
        REMOVED: Only A has it: a ghost drawn at its place in B's figure (faint, dashed).
        CHANGED: Both have it, with different text (``3x3 64C → 3x3 640C``) or counts.
    """

    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Change:
    """The mark of one element of a diff figure.

    Attributes:
        kind: Added, removed or changed.
        before: The element's text in A (a node's label, a cluster's title, an edge's
            mark); empty when A has none.
        after: Its text in B; empty when B has none.
    """

    kind: ChangeKind
    before: str = ""
    after: str = ""
