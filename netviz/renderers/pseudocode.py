"""The seed's pseudocode listing: every block, tabs for nesting, ``= X``, ``= Z``, ``Z + X``."""

from __future__ import annotations

from dataclasses import replace

from netviz.ir import Cluster, Graph, Kind, Mark
from netviz.renderers.layout import residual_adds


class _Listing:
    """Accumulates lines and remembers which shared marks were already printed."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.lines: list[str] = []
        self.printed: set[tuple[str, ...]] = set()
        self.position = {node.id: i for i, node in enumerate(graph.nodes)}

    def emit(self, depth: int, text: str) -> None:
        self.lines.append("\t" * depth + text)

    def mark(self, depth: int, mark: Mark | None, suffix: str = "") -> bool:
        """Print ``mark`` once per computation; return whether it printed."""
        if mark is None or mark.node_ids in self.printed:
            return False
        self.printed.add(mark.node_ids)
        self.emit(depth, mark.code + suffix)
        return True


def render_pseudocode(graph: Graph) -> str:
    """Render an unfolded, labelled notation graph as the seed's listing.

    Ops outside blocks are listed flat; each block is listed under ``Group g`` /
    ``Block i``: the entry mark (``BN -> ReLU = X``), the residual branch ending
    in ``= Z``, then the skip branch (``X -> ...``) and ``Z + X`` one tab deeper.
    """
    out = _Listing(graph)
    done: set[str] = set()
    group = None
    for node in graph.nodes:
        if node.id in done:
            continue
        cluster = graph.cluster_of(node.id)
        if cluster is None:
            for edge in graph.in_edges(node.id):
                out.mark(0, edge.mark)
            if node.kind not in (Kind.INPUT, Kind.OUTPUT):
                out.emit(0, node.code)
            continue
        entering = [e.mark for i in cluster.node_ids for e in graph.in_edges(i)
                    if graph.cluster_of(e.src) is not cluster]
        if cluster.group != group:
            for mark in entering:  # computed before the block, e.g. by the stem
                out.mark(0, mark)
            group = cluster.group
            out.emit(0, f"Group {group}")
        for mark in entering:
            out.mark(1, mark)
        _block(out, cluster)
        done.update(cluster.node_ids)
    return "\n".join(out.lines) + "\n"


def _block(out: _Listing, cluster: Cluster) -> None:
    """One block: the entry mark, then one ``= Z`` / ``X -> ...`` / ``Z + X`` segment per
    residual sum in execution order (a pre-norm transformer block has two), each op once."""
    graph = out.graph
    members = set(cluster.node_ids)
    out.emit(1, f"Block {cluster.index}")
    data = [i for i in cluster.node_ids if graph.node(i).kind is Kind.DATA]
    entry = _entry_mark(graph, data, members)
    if entry is not None:
        out.mark(2, entry, " = X")
    listed: set[str] = set(data)
    for join in residual_adds(graph, cluster):
        branches = sorted(
            ((_branch_nodes(graph, e.src, members, listed, out.position), e)
             for e in graph.in_edges(join)),
            key=lambda item: -len(item[0]),
        )
        (main, main_edge), skips = branches[0], branches[1:]
        _branch(out, 2, main)
        if not out.mark(2, main_edge.mark, " = Z") and main:
            out.lines[-1] += " = Z"
        for path, edge in skips:
            _branch(out, 3, path, first_prefix="X -> ")
            out.mark(3, edge.mark)
        out.emit(3, "Z + X")
        listed.update(i for path, _ in branches for i in path)
        listed.add(join)
        for edge in graph.out_edges(join):
            if edge.mark and edge.mark.scope.startswith(cluster.id) and edge.dst not in members:
                out.mark(2, edge.mark)
    _branch(out, 2, _others(cluster, listed))


def _entry_mark(graph: Graph, data: list[str], members: set[str]) -> Mark | None:
    """The mark every edge from the block's data node carries: ``X`` is its result."""
    marks = [e.mark for d in data for e in graph.out_edges(d) if e.dst in members]
    if marks and marks[0] is not None and all(m == marks[0] for m in marks):
        return marks[0]
    return None


def _branch_nodes(
    graph: Graph, end: str, members: set[str], listed: set[str], position: dict[str, int]
) -> list[str]:
    """The not yet listed block ops that ``end`` depends on (``end`` included), in
    execution order: one branch into a residual sum."""
    found: set[str] = set()
    todo = [end]
    while todo:
        current = todo.pop()
        if current in found or current in listed or current not in members:
            continue
        if graph.node(current).kind is Kind.DATA:
            continue
        found.add(current)
        todo.extend(e.src for e in graph.in_edges(current))
    return sorted(found, key=position.__getitem__)


def _others(cluster: Cluster, listed: set[str]) -> list[str]:
    return [i for i in cluster.node_ids if i not in listed]


def _branch(out: _Listing, depth: int, path: list[str], first_prefix: str = "") -> None:
    graph = out.graph
    prefix = first_prefix
    for node_id in path:
        for edge in graph.in_edges(node_id):
            if edge.mark and edge.mark.node_ids not in out.printed:
                out.mark(depth, edge.mark if not prefix else _prefixed(edge.mark, prefix))
                prefix = ""
        out.emit(depth, prefix + graph.node(node_id).code)
        prefix = ""


def _prefixed(mark: Mark, prefix: str) -> Mark:
    return replace(mark, code=prefix + mark.code)
