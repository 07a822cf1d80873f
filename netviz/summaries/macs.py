"""Each summary row's own multiply-accumulates (and feature axis), taken from netviz's trace.

torchinfo counts a ``Linear`` once per sample whatever the number of tokens, and
misses functional matrix products and attention; netviz's trace knows every op's
shapes (see [`netviz.ops.macs`][netviz.ops.macs]). A traced op belongs to
the module it runs in (its ``scope``): a layer call to that layer's row, a
functional op (``q @ k.transpose(-2, -1)``) to the row of the module whose forward
calls it. A module whose path has no row of its own (a layer called inside a
fused ``torch.nn`` layer) gives its MACs to its nearest ancestor with a row.
"""

from __future__ import annotations

from collections.abc import Sequence

from netviz.ir import Graph, Node
from netviz.summaries.table import LayerRow
from netviz.transforms.scopes import parent


def own_macs(rows: Sequence[LayerRow], graph: Graph) -> list[int]:
    """The MACs each row's own calls account for; they sum to the graph's total.

    Ops with one scope go to the rows of that module path: one op to one row in
    call order when the module was called as often as it has rows (a layer
    called twice), else all to its first row.
    """
    by_path: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        if row.executed:
            by_path.setdefault(row.path, []).append(index)
    ops: dict[str, list[int]] = {}
    for node in graph.nodes:
        if node.macs:
            ops.setdefault(_owner(node.scope, by_path), []).append(node.macs)
    macs = [0] * len(rows)
    for path, counts in ops.items():
        targets = by_path.get(path) or [0]  # no row anywhere up: the model's own row
        if len(targets) == len(counts):
            for index, count in zip(targets, counts):
                macs[index] += count
        else:
            macs[targets[0]] += sum(counts)
    return macs


def feature_axes(rows: Sequence[LayerRow], graph: Graph) -> list[int | None]:
    """Each row's feature axis: that of the last traced op of its module whose output
    has the row's output shape (the op that made the module's output), or of an op
    taking that shape out of the module's tuple output (an LSTM's ``output, (h, c)``);
    ``None`` when no such op is known."""
    by_scope: dict[str, list[Node]] = {}
    for node in graph.nodes:
        by_scope.setdefault(node.scope, []).append(node)
    axes: list[int | None] = []
    for row in rows:
        made = by_scope.get(row.path, [])
        taken = [graph.node(e.dst) for n in made if n.shape is None for e in graph.out_edges(n.id)]
        found = [
            n for n in (*made, *taken)
            if n.feature_axis is not None and n.shape is not None and n.shape == row.output_shape
        ]
        axes.append(found[-1].feature_axis if found else None)
    return axes


def _owner(scope: str, by_path: dict[str, list[int]]) -> str:
    path = scope
    while path and path not in by_path:
        path = parent(path)
    return path


def spread_inside(rows: Sequence[LayerRow], macs: list[int], estimates: Sequence[int]) -> list[int]:
    """Move MACs from a layer traced as one op (``nn.TransformerEncoder``) to the rows of
    the layers it ran inside, where their own counts are known.

    Args:
        rows: The summary rows, pre-order.
        macs: Each row's own MACs ([`own_macs`][netviz.summaries.macs.own_macs]).
        estimates: Each row's MACs by the counting rules alone (0 where no rule applies).

    Returns:
        The MACs per row: a row that got none but has an estimate takes it from its
        nearest ancestor holding at least that much (deepest rows first); the total
        is unchanged.
    """
    out = list(macs)
    parents: list[int | None] = []
    open_rows: list[int] = []
    for index, row in enumerate(rows):
        while open_rows and rows[open_rows[-1]].depth >= row.depth:
            open_rows.pop()
        parents.append(open_rows[-1] if open_rows else None)
        open_rows.append(index)
    for index in sorted(range(len(rows)), key=lambda i: -rows[i].depth):
        if out[index] or not estimates[index] or not rows[index].executed:
            continue
        up = parents[index]
        while up is not None and out[up] < estimates[index]:
            up = parents[up]
        if up is not None:
            out[up] -= estimates[index]
            out[index] += estimates[index]
    return out
