"""Draw a long chain of alike blocks without walking every block.

The tracer records each chain of alike blocks it found in a raw trace
([`Repeat`][netviz.ir.Repeat]: the blocks' ops are the first block's, renamed, and each
block's output is the next one's only input). Folding draws such a chain as its first
block (or its first two: a first block whose input differs) with a repeat count, so the
transforms need not see all of it: they run up to ``fold_repeats`` on the graph with the
chain cut to its first block, ``k`` middle blocks and its last block (every block then has
the neighbours it has in the whole chain), and the folded cluster standing for the middle
blocks gets the others back (their paths, the count, the indices of the blocks after
them). The rest of the pipeline runs on that graph as on the whole one.

A chain's blocks may also read ``shared`` nodes from before it (a decoder's layers read
the rotary tables the model computes once): the cut keeps the kept blocks' edges from
them and drops the removed blocks'. A shared node then has fewer readers in the cut
graph than in the whole one (each block reads it alike, so at least three); the
transforms look at how many readers a node has only as one or more, or reader by
reader.

That is done for ``k = 2``: both middle blocks must fold into one plain cluster with
the count of the blocks cut away, else the transforms run on the whole graph (a middle
block drawn for itself, or one that differs from the next, falls back to the plain
path); so do folding off, a depth, and a graph that is not a raw trace. A transform must
not depend on how many alike blocks a chain has beyond that;
``tests/transforms/test_repeats_property.py`` and
``tests/transforms/test_shared_repeats_property.py`` hold every output to the plain
path's. (A second cut, ``k = 1``, once ran beside it as a check that the two agree: it
never disagreed, over every registry, zoo and transformers model and every chain the
property tests make, and it cost a second pass of the transforms.)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from netviz.ir import Graph, Repeat, evolve

Step = tuple[str, Callable[[Graph], Graph]]

MIDDLE = 2
"""Middle blocks a cut keeps of each chain: two, which folding must find alike (one
drawn for itself, or unlike the next, makes the transforms walk the whole graph)."""


def _valid(graph: Graph, repeat: Repeat) -> bool:
    """Whether ``repeat`` still describes ``graph`` (a raw trace, as traced)."""
    n = len(repeat.blocks)
    end = repeat.start + n * repeat.size
    edge_end = repeat.edge_start + n * repeat.edge_size
    if n < 4 or end > len(graph.nodes) or edge_end > len(graph.edges) or repeat.size < 1:
        return False
    first, last = graph.nodes[repeat.start], graph.nodes[end - 1]
    return _inside(first.scope, repeat.blocks[0]) and _inside(last.scope, repeat.blocks[-1])


def _inside(scope: str, block: str) -> bool:
    return scope == block or scope.startswith(block + ".")


def cut(graph: Graph, middle: int) -> Graph | None:
    """``graph`` with each chain cut to its first block, ``middle`` more and its last
    (``None``: a chain does not fit the graph)."""
    nodes = list(graph.nodes)
    edges = list(graph.edges)
    gone: set[str] = set()
    for repeat in sorted(graph.repeats, key=lambda r: -r.start):  # from the end: indices hold
        if not _valid(graph, repeat) or len(repeat.blocks) < middle + 3:
            return None
        n, size, esize = len(repeat.blocks), repeat.size, repeat.edge_size
        keep = 1 + middle  # blocks kept before the last
        start, stop = repeat.start + keep * size, repeat.start + (n - 1) * size
        estart, estop = repeat.edge_start + keep * esize, repeat.edge_start + (n - 1) * esize
        inside = {node.id for node in nodes[stop:stop + size]}  # the last block
        shared = set(repeat.shared)  # read by every block: kept blocks keep their edges
        entering = {e.src for e in edges[estop:estop + esize]
                    if e.src not in inside and e.src not in shared}
        previous = [node.id for node in nodes[stop - size:stop]]  # block n - 1
        if len(entering) != 1 or next(iter(entering)) not in previous:
            return None
        before = next(iter(entering))  # block n - 1's output, the last block's input
        kept = nodes[start - size + previous.index(before)].id  # the kept block's
        last = [evolve(e, src=kept) if e.src == before else e for e in edges[estop:estop + esize]]
        del nodes[start:stop]
        edges[estart:estop + esize] = last
        gone.update(repeat.blocks[keep:n - 1])
    modules = tuple(m for m in graph.modules if not _under(m[0], gone))
    return replace(graph, nodes=tuple(nodes), edges=tuple(edges), modules=modules, repeats=())


def _under(path: str, blocks: set[str]) -> bool:
    while path:
        if path in blocks:
            return True
        path = path.rpartition(".")[0]
    return False


def patch(folded: Graph, repeats: Sequence[Repeat], middle: int,
          modules: tuple[tuple[str, str], ...]) -> Graph | None:
    """Give the cluster standing for each chain's middle blocks those cut away
    (``None``: the kept middle blocks were not folded into one plain cluster)."""
    clusters = list(folded.clusters)
    for repeat in repeats:
        kept = repeat.blocks[1:1 + middle]
        missing = repeat.blocks[1 + middle:-1]
        holders = [i for i, c in enumerate(clusters) if kept[-1] in c.blocks]
        if len(holders) != 1:
            return None
        at = holders[0]
        cluster = clusters[at]
        if (not all(b in cluster.blocks for b in kept) or cluster.totals is not None
                or cluster.ops or cluster.widths or cluster.period != 1 or cluster.span != 1
                or cluster.places or cluster.repeat != len(cluster.blocks)):
            return None
        place = cluster.blocks.index(kept[-1]) + 1
        clusters[at] = replace(cluster, blocks=cluster.blocks[:place] + missing + cluster.blocks[place:],
                               repeat=cluster.repeat + len(missing))
        for i in range(at + 1, len(clusters)):
            if clusters[i].group == cluster.group:
                clusters[i] = replace(clusters[i], index=clusters[i].index + len(missing))
    return replace(folded, clusters=tuple(clusters), modules=modules)


def folded_without_walking(graph: Graph, steps: Sequence[Step]) -> Graph | None:
    """``steps`` (the pipeline, folding on) applied to ``graph`` through the chains it
    records (see the module docs), or ``None``: run them on the whole graph."""
    names = [name for name, _ in steps]
    if not graph.repeats or graph.clusters or "fold_repeats" not in names \
            or "collapse_depth" in names:
        return None
    split = names.index("fold_repeats") + 1
    begun = cut(graph, MIDDLE)
    if begun is None:
        return None
    small = begun
    for _, step in steps[:split]:
        small = step(small)
    if small.modules != begun.modules:
        return None
    result = patch(small, graph.repeats, MIDDLE, graph.modules)
    if result is None:
        return None
    for _, step in steps[split:]:
        result = step(result)
    return result

