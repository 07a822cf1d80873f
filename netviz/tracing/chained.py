"""Chains of alike blocks in a trace recorded under module hooks.

[`Repeats`][netviz.tracing.repeats.Repeats] records the first of alike blocks and answers
the later calls from that record. A run of calls answered from one record (or recorded as
it), one after the other under one module (a decoder's layers), is a chain the
transforms can cut to a few blocks ([`Repeat`][netviz.ir.Repeat], see
[`netviz.transforms.repeats`][netviz.transforms.repeats]) when the finished graph (dead
ops dropped, edges made unique) shows it is one:

- each block's nodes follow the previous block's, as many, with the same ids relative
  to the block's path; its incoming edges follow the previous block's, as many;
- each block after the first reads its own nodes, one node of the previous block (at
  the same place in every block: its output) and nodes before the chain, the same ones
  for every block (the ``shared`` ones: position embeddings, an attention mask);
- nothing after the chain reads a block but the last one, and no edge from outside its
  range enters a block.

A run that stops being one is cut where it stops; the rest of it may be a chain of its
own. Chains of fewer than [`SHORTEST`][netviz.tracing.leaves.SHORTEST] blocks are not
recorded (as on the fx path).
"""

from __future__ import annotations

from collections.abc import Sequence

from netviz.ir import Edge, Node, Repeat
from netviz.tracing.leaves import SHORTEST
from netviz.tracing.recorded import Block

Played = tuple[Block, str]
"""A call recorded as, or answered from, a block record; and the block's path."""


def chains(nodes: Sequence[Node], edges: Sequence[Edge],
           played: Sequence[Played]) -> tuple[Repeat, ...]:
    """The chains of alike blocks among the ``played`` calls, in the graph of ``nodes``
    and ``edges`` (see the module docs)."""
    runs = _runs(played)
    if not runs:
        return ()
    index = {node.id: i for i, node in enumerate(nodes)}
    found: list[Repeat] = []
    for block, paths in runs:
        while len(paths) >= SHORTEST:
            repeat, used = _chain(block, paths, nodes, edges, index)
            if repeat is not None:
                found.append(repeat)
            paths = paths[max(used, 1):]
    return tuple(found)


def _runs(played: Sequence[Played]) -> list[tuple[Block, list[str]]]:
    """Runs of at least ``SHORTEST`` calls of one record, one after the other, of blocks
    held by one module."""
    runs = []
    i = 0
    while i < len(played):
        block, path = played[i]
        holder = path.rpartition(".")[0]
        j = i + 1
        while j < len(played) and played[j][0] is block and \
                played[j][1].rpartition(".")[0] == holder:
            j += 1
        if j - i >= SHORTEST:
            runs.append((block, [p for _, p in played[i:j]]))
        i = j
    return runs


def _chain(block: Block, paths: list[str], nodes: Sequence[Node], edges: Sequence[Edge],
           index: dict[str, int]) -> tuple[Repeat | None, int]:
    """The chain of the blocks at ``paths`` (a prefix of them), and how many blocks it
    holds; ``(None, n)``: the first ``n`` blocks are no chain."""
    suffixes = [suffix for _, suffix, _ in block.nodes]
    first = paths[0]
    kept = [s for s in suffixes if first + s in index]
    dropped = [s for s in suffixes if first + s not in index]
    if not kept:
        return None, 1
    size = len(kept)
    start = index[first + kept[0]]
    # the blocks' nodes, one block after the other
    n = 0
    for path in paths:
        at = start + n * size
        if at + size > len(nodes) or any(nodes[at + j].id != path + s for j, s in enumerate(kept)) \
                or any(path + s in index for s in dropped):
            break
        n += 1
    if n < SHORTEST:
        return None, max(n, 1)
    # their incoming edges, one block after the other
    where = index.get
    edge_start = next((k for k, e in enumerate(edges) if where(e.dst, -1) >= start), len(edges))
    edge_size = 0
    while edge_start + edge_size < len(edges) and \
            0 <= where(edges[edge_start + edge_size].dst, -1) < start + size:
        edge_size += 1
    shared: dict[str, None] | None = None
    place = -1  # of the node of the previous block a block reads
    good = 0
    for b in range(n):
        low, high = start + b * size, start + (b + 1) * size
        lo_edge = edge_start + b * edge_size
        outside: dict[str, None] = {}
        previous: set[int] = set()
        fits = lo_edge + edge_size <= len(edges) and (
            lo_edge + edge_size == len(edges) or where(edges[lo_edge + edge_size].dst, -1) >= high)
        for edge in edges[lo_edge:lo_edge + edge_size] if fits else ():
            src = where(edge.src, -1)
            if not low <= where(edge.dst, -1) < high or src < 0:
                fits = False
                break
            if low <= src < high:
                continue
            if b and low - size <= src < low:
                previous.add(src - (low - size))
            elif src < start:
                outside[edge.src] = None
            else:
                fits = False
                break
        if fits and b:
            fits = len(previous) == 1 and place in (-1, *previous) and (
                shared is None or outside.keys() == shared.keys())
            if fits:
                place = next(iter(previous))
                shared = outside if shared is None else shared
        if not fits:
            break
        good = b + 1
    n = good
    # nothing outside the chain reads a block but the last, nor enters one
    chain_end = edge_start + n * edge_size
    last, end = start + (n - 1) * size, start + n * size
    for edge in (*edges[:edge_start], *edges[chain_end:]):
        src, dst = where(edge.src, -1), where(edge.dst, -1)
        if start <= src < last:
            n = min(n, (src - start) // size + 1)
        if start <= dst < end:
            n = min(n, (dst - start) // size)
    if n < SHORTEST:
        return None, max(n, 1)
    return Repeat(tuple(paths[:n]), start, size, edge_start, edge_size,
                  tuple(shared or ())), n
