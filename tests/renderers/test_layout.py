"""The renderers' shared layout notions: the spine, the main branch, the columns."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from netviz.ir import Edge, Graph, Kind, Node
from netviz.renderers.layout import columns, longest_path, residual_adds, spine
from tests.renderers.graphs import bottleneck_resnet, parallel_with_block


def _all_paths(graph: Graph) -> list[list[str]]:
    """Every path from a source to a sink, by brute force (small graphs only)."""
    sources = [n.id for n in graph.nodes if not graph.in_edges(n.id)]

    def extend(path: list[str]) -> list[list[str]]:
        outs = graph.out_edges(path[-1])
        if not outs:
            return [path]
        return [p for e in outs for p in extend([*path, e.dst])]

    return [p for s in sources for p in extend([s])]


@st.composite
def dags(draw: st.DrawFn) -> Graph:
    """Random DAGs of up to 8 nodes (edges only from earlier to later nodes)."""
    n = draw(st.integers(1, 8))
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True)) if pairs else []
    nodes = tuple(Node(f"v{i}", Kind.OTHER, "op") for i in range(n))
    return Graph("g", nodes, tuple(Edge(f"v{i}", f"v{j}") for i, j in chosen))


@settings(max_examples=200, deadline=None)
@given(dags())
def test_the_spine_is_a_longest_path(graph: Graph) -> None:
    path = spine(graph)
    assert all(any(e.dst == b for e in graph.out_edges(a)) for a, b in zip(path, path[1:]))
    assert not graph.in_edges(path[0]) and not graph.out_edges(path[-1])
    assert len(path) == max(len(p) for p in _all_paths(graph))


def test_the_spine_runs_through_every_blocks_main_branch() -> None:
    graph = bottleneck_resnet("r", [2, 2])
    path = spine(graph)
    assert path[0] == "x" and path[-1] == "output"
    for cluster in graph.clusters:
        (add,) = residual_adds(graph, cluster)
        main = [f"{cluster.id}.{n}" for n in ("data", "conv1", "conv2", "conv3", "add")]
        assert longest_path(graph, cluster.node_ids, add) == main
        assert [n for n in path if n.startswith(cluster.id)] == main
        assert f"{cluster.id}.downsample" not in path
    assert columns(graph) == [path]


def test_a_block_off_the_spine_gets_its_own_column() -> None:
    graph = parallel_with_block()
    long = ["in", *(f"long{i}" for i in range(6)), "cat", "out"]
    assert spine(graph) == long
    assert columns(graph) == [long, ["d", "c", "a"]]
