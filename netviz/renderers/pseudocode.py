"""The seed's pseudocode listing: every block, tabs for nesting, ``= X``, ``= Z``, ``Z + X``."""

from __future__ import annotations

from dataclasses import replace

from netviz.ir import Cluster, Edge, Graph, Kind, Mark


class _Listing:
    """Accumulates lines and remembers which shared marks were already printed."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.lines: list[str] = []
        self.printed: set[tuple[str, ...]] = set()

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
        if cluster.group != group:
            group = cluster.group
            out.emit(0, f"Group {group}")
        _block(out, cluster)
        done.update(cluster.node_ids)
    return "\n".join(out.lines) + "\n"


def _block(out: _Listing, cluster: Cluster) -> None:
    graph = out.graph
    members = set(cluster.node_ids)
    out.emit(1, f"Block {cluster.index}")
    data = [i for i in cluster.node_ids if graph.node(i).kind is Kind.DATA]
    entry = _entry_mark(graph, data, members)
    if entry is not None:
        out.mark(2, entry, " = X")
    join = _residual_add(graph, cluster)
    listed: set[str] = set(data)
    if join is None:
        _branch(out, 2, _others(cluster, listed))
        return
    branches = sorted(
        ((_path_to(graph, e, members), e) for e in graph.in_edges(join)),
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
        if edge.mark and edge.mark.scope.startswith(cluster.id):
            out.mark(2, edge.mark)
    _branch(out, 2, _others(cluster, listed))


def _entry_mark(graph: Graph, data: list[str], members: set[str]) -> Mark | None:
    marks = [e.mark for d in data for e in graph.out_edges(d) if e.mark and e.dst in members]
    return max(marks, key=marks.count) if marks else None


def _residual_add(graph: Graph, cluster: Cluster) -> str | None:
    adds = [
        i
        for i in cluster.node_ids
        if graph.node(i).kind is Kind.ADD and len(graph.in_edges(i)) >= 2
    ]
    return adds[-1] if adds else None


def _path_to(graph: Graph, edge: Edge, members: set[str]) -> list[str]:
    """Nodes of the branch ending in ``edge``, back to (not including) the data node."""
    path: list[str] = []
    current = edge.src
    while current in members and graph.node(current).kind is not Kind.DATA:
        path.insert(0, current)
        incoming = graph.in_edges(current)
        if not incoming:
            break
        current = incoming[0].src
    return path


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
