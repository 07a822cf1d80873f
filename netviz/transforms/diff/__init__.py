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
from netviz.transforms.diff.match import Matching, match
from netviz.transforms.diff.unfold import unfold, unfoldable
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
    a, b, matching, unfolded = _split_runs(a, b, match(a, b))
    before = Counts(count_params(a), count_macs(a))
    after = Counts(count_params(b), count_macs(b))
    marked = replace(marked_graph(a, b, matching, unfolded), name=f"{a.name} → {b.name}",
                     caption=caption(a.name, b.name, before, after))
    groups = group_diffs(a, b, marked, matching)
    return Comparison(a.name, b.name, marked, groups, before, after)


_Split = tuple[Graph, Graph, Matching, frozenset[str]]


def _split_runs(a: Graph, b: Graph, matching: Matching) -> _Split:
    """A and B with their runs unfolded in the stages where the other has unpaired
    clusters, the matching, and the unfolded blocks' cluster ids (of A and of B, each
    prefixed ``a:`` or ``b:``), when that leaves fewer clusters unpaired (see
    [`unfold`][netviz.transforms.diff.unfold])."""
    added = {b.clusters[j].group for i, j in matching.clusters if i is None and j is not None}
    removed = {a.clusters[i].group for i, j in matching.clusters if j is None and i is not None}
    paired = [(i, j) for i, j in matching.clusters if i is not None and j is not None]
    a_groups = removed | {a.clusters[i].group for i, j in paired if b.clusters[j].group in added}
    b_groups = added | {b.clusters[j].group for i, j in paired if a.clusters[i].group in removed}
    a_runs = {i for i, c in enumerate(a.clusters) if c.group in a_groups and unfoldable(c)}
    b_runs = {j for j, c in enumerate(b.clusters) if c.group in b_groups and unfoldable(c)}
    if not a_runs and not b_runs:
        return a, b, matching, frozenset()
    (a2, a_blocks), (b2, b_blocks) = unfold(a, a_runs), unfold(b, b_runs)
    again = match(a2, b2)
    if _unpaired(again) < _unpaired(matching):
        blocks = frozenset({f"a:{c}" for c in a_blocks} | {f"b:{c}" for c in b_blocks})
        return a2, b2, again, blocks
    return a, b, matching, frozenset()


def _unpaired(matching: Matching) -> int:
    return sum(i is None or j is None for i, j in matching.clusters)


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
