"""What changed between two models: their notation graphs compared along the folded structure.

[`compare`][netviz.transforms.diff.compare] pairs A's and B's stages, blocks and ops
([`match`][netviz.transforms.diff.match]), marks B's graph with the differences and A's
lost parts as ghosts ([`marks`][netviz.transforms.diff.marks]), and counts each group's
parameters and MACs on both sides ([`report`][netviz.transforms.diff.report]). Pure
functions over plain IR: no torch.

Examples:
    >>> from netviz.ir import Edge, Graph, Kind, Node
    >>> def chain(*labels):
    ...     nodes = tuple(Node(f"n{k}", Kind.CONV, "Conv2d", label=t) for k, t in enumerate(labels))
    ...     edges = tuple(Edge(x.id, y.id) for x, y in zip(nodes, nodes[1:]))
    ...     return Graph("net", nodes, edges)
    >>> diff = compare(chain("3x3 16C", "3x3 32C"), chain("3x3 16C", "3x3 64C"))
    >>> [n.label for n in diff.graph.nodes]
    ['3x3 16C', '3x3 32C → 3x3 64C']
    >>> compare(chain("3x3 16C"), chain("3x3 16C")).identical
    True
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from netviz.ir import Graph
from netviz.ir.accounting import count_macs, count_params
from netviz.text import short_count
from netviz.transforms.annotate import Counts
from netviz.transforms.diff.marks import marked_graph
from netviz.transforms.diff.match import match
from netviz.transforms.diff.report import ChangeLine, GroupDiff, group_diffs

__all__ = ["ChangeLine", "Comparison", "GroupDiff", "compare"]


@dataclass(frozen=True)
class Comparison:
    """Model B compared with model A.

    Attributes:
        before_name: A's name.
        after_name: B's name.
        graph: B's notation graph with the differences marked (``change`` of its nodes,
            edges and clusters) and ghosts of what A had and B lacks.
        groups: Stem, every block cluster of A or B, head: each group's changes and
            its numbers in A and B.
        before: A's parameters and MACs (one sample).
        after: B's.
    """

    before_name: str
    after_name: str
    graph: Graph
    groups: tuple[GroupDiff, ...]
    before: Counts
    after: Counts

    @property
    def changes(self) -> tuple[ChangeLine, ...]:
        """Every difference, group after group."""
        return tuple(line for group in self.groups for line in group.changes)

    @property
    def structural(self) -> bool:
        """Whether anything in the figure is marked (added, removed or changed)."""
        return bool(self.changes)

    @property
    def identical(self) -> bool:
        """No structural difference, and the same parameters and MACs."""
        return not self.structural and self.before == self.after


def compare(a: Graph, b: Graph) -> Comparison:
    """Compare notation graphs ``a`` and ``b`` (folded or not, as drawn).

    Args:
        a: The model compared from (A).
        b: The model compared to (B): the figure is B's.

    Returns:
        The [`Comparison`][netviz.transforms.diff.Comparison]; its graph is named
        ``"A → B"`` after the two graphs.
    """
    matching = match(a, b)
    before = Counts(count_params(a), count_macs(a))
    after = Counts(count_params(b), count_macs(b))
    marked = replace(marked_graph(a, b, matching), name=f"{a.name} → {b.name}",
                     caption=caption(a.name, b.name, before, after))
    groups = group_diffs(a, b, marked, matching)
    return Comparison(a.name, b.name, marked, groups, before, after)


def caption(before_name: str, after_name: str, before: Counts, after: Counts) -> str:
    """The diff figure's caption: the two names, then their parameters and MACs.

    Examples:
        >>> print(caption("a", "b", Counts(1_000, 2_000_000), Counts(1_500, 2_000_000)))
        a → b
        params 1,000 → 1,500 (+500)
        MACs 2.00 M (both)
    """
    lines = [f"{before_name} → {after_name}"]
    for name, old, new in (("params", before.params, after.params),
                           ("MACs", before.macs, after.macs)):
        if old == new:
            lines.append(f"{name} {short_count(new, exact_under=1e6)} (both)")
            continue
        sign = "+" if new > old else "-"
        lines.append(f"{name} {short_count(old, exact_under=1e6)} → "
                     f"{short_count(new, exact_under=1e6)} "
                     f"({sign}{short_count(abs(new - old), exact_under=1e6)})")
    return "\n".join(lines)
