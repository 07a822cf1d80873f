"""``netviz diff`` on hand-built traces (no torch): what is matched, marked and counted."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netviz.ir import ChangeKind, Cluster, Graph
from netviz.ir.accounting import count_macs, count_params
from netviz.renderers import render_dot, render_mermaid
from netviz.transforms import to_notation
from netviz.transforms.diff import Comparison, compare
from netviz.transforms.diff.marks import GHOST_PREFIX, changed_title
from netviz.transforms.diff.report import group_counts
from netviz.transforms.diff.unfold import COPY, unfold, unfoldable
from tests.transforms.diff_nets import BASE, Block, net, notation
from tests.transforms.raw import build_random_net, random_nets


def _kinds(diff_lines: tuple) -> list[tuple[str, str]]:
    return [(line.kind.value, line.what) for line in diff_lines]


def test_identical_models_have_no_difference() -> None:
    diff = compare(notation(BASE, "A"), notation(BASE, "B"))
    assert diff.identical and not diff.changes
    assert all(n.change is None for n in diff.graph.nodes)
    assert all(e.change is None for e in diff.graph.edges)
    assert all(c.change is None for c in diff.graph.clusters)


def test_a_block_with_one_extra_op_is_one_added_op() -> None:
    b_blocks = [*BASE[:3], replace(BASE[3], extra=True), *BASE[4:]]
    diff = compare(notation(BASE, "A"), notation(b_blocks, "B"))
    assert _kinds(diff.changes) == [("added", "op")]
    (group,) = [g for g in diff.groups if g.changes]
    assert group.title == "Group 1 Projection"
    added = [n for n in diff.graph.nodes if n.change is not None]
    assert [n.label for n in added] == ["3x3 32C 1S 1P"]
    extra = 32 * 32 * 9 + 2 * 32  # the conv and its BN
    assert group.after.params - group.before.params == extra


def test_a_removed_projection_shortcut_is_a_ghost() -> None:
    b_blocks = [*BASE[:3], replace(BASE[3], shortcut="identity"), *BASE[4:]]
    diff = compare(notation(BASE, "A"), notation(b_blocks, "B"))
    assert sorted(_kinds(diff.changes)) == [("changed", "block"), ("removed", "op")]
    ghosts = [n for n in diff.graph.nodes if n.change is not None]
    assert [(n.label, n.change.kind) for n in ghosts] == [("1x1 32C 2S 0P", ChangeKind.REMOVED)]
    ghost = ghosts[0]
    assert ghost.id.startswith(GHOST_PREFIX) and ghost.params == 0
    # the ghost sits in its block, joined by ghost edges to the block's entry and sum
    block = diff.graph.cluster_of(ghost.id)
    assert block is not None and block.title == "Group 1 Projection → Block"
    ends = [(e.src, e.dst) for e in diff.graph.edges if ghost.id in (e.src, e.dst)]
    assert len(ends) == 2
    assert all(e.change is not None and e.change.kind is ChangeKind.REMOVED
               for e in diff.graph.edges if ghost.id in (e.src, e.dst))


def test_a_removed_residual_sum_in_a_folded_run() -> None:
    """B's second block lost its shortcut: A's run ``x N = 3`` is compared block by block,
    so the one change is the sum that block lost."""
    b_blocks = [Block(16), Block(16, shortcut="none"), Block(16), *BASE[3:]]
    diff = compare(notation(BASE, "A"), notation(b_blocks, "B"))
    assert _kinds(diff.changes) == [("removed", "sum")]
    (group,) = [g for g in diff.groups if g.changes]
    assert group.title == "Group 0 Block 1"
    assert diff.before == diff.after


def test_a_sum_added_to_one_block_unfolds_bs_run() -> None:
    a_blocks = [Block(16), Block(16, shortcut="none"), Block(16), *BASE[3:]]
    diff = compare(notation(a_blocks, "A"), notation(BASE, "B"))
    assert _kinds(diff.changes) == [("added", "sum")]
    titles = [c.title for c in diff.graph.clusters]
    assert titles[:3] == ["Group 0 Block 0", "Group 0 Block 1", "Group 0 Block 2"]
    assert count_params(diff.graph) == count_params(notation(BASE))


def test_a_deeper_stage_is_one_changed_fold_count() -> None:
    diff = compare(notation(BASE, "A"), notation([*BASE, Block(32), Block(32)], "B"))
    assert _kinds(diff.changes) == [("changed", "block")]
    assert diff.changes[0].text == "x (N - 1) = 2 → 4"
    (group,) = [g for g in diff.groups if g.changes]
    assert group.title == "Group 1 x (N - 1) = 2 → 4"
    block = 2 * (32 * 32 * 9 + 2 * 32)
    assert group.before.params == 2 * block and group.after.params == 4 * block


def test_wider_layers_are_widths_only() -> None:
    wide = [replace(b, width=2 * b.width) for b in BASE]
    diff = compare(notation(BASE, "A"), notation(wide, "B"))
    assert {line.kind for line in diff.changes} == {ChangeKind.CHANGED}
    assert {line.what for line in diff.changes} <= {"op", "data", "block"}
    assert widths_only(diff)
    # the first stage's blocks now widen (16C → 32C): it folds as near-identical blocks
    assert [c.title for c in diff.graph.clusters if c.change] == [
        "Group 0 x N = 3\n→ Group 0 Block x 3, 16C → 32C"]


WIDTH = re.compile(r"\b\d+[CD]\b")


def widths_only(diff: Comparison, titles: bool = True) -> bool:
    """Whether every mark of the figure is a change: of an op's label in its widths
    (``64C``) alone, or of its parameters alone (a linear layer whose input widened),
    or (``titles``) of a block's title; nothing added or removed."""
    for item in (*diff.graph.nodes, *diff.graph.edges, *diff.graph.clusters):
        change = item.change
        if change is None:
            continue
        if change.kind is not ChangeKind.CHANGED:
            return False
        if isinstance(item, Cluster):
            if not titles:
                return False
            continue
        before, after = (WIDTH.sub("#", text.split(", ")[0]) for text in (change.before, change.after))
        if before != after:
            return False
    return True


def test_a_removed_stage_is_ghost_blocks() -> None:
    diff = compare(notation(BASE, "A"), notation(BASE[:3], "B"))
    removed = [c for c in diff.graph.clusters if c.change is not None]
    assert [c.title for c in removed] == ["Group 1 Projection (removed)",
                                          "Group 1 x (N - 1) = 2 (removed)"]
    assert all(diff.graph.node(n).change.kind is ChangeKind.REMOVED  # type: ignore[union-attr]
               for c in removed for n in c.node_ids)
    assert count_params(diff.graph) == count_params(notation(BASE[:3]))
    lines = [(line.kind.value, line.what) for g in diff.groups for line in g.changes]
    assert lines == [("removed", "block"), ("removed", "block"), ("changed", "op")]


def test_an_added_stage_is_emphasised() -> None:
    diff = compare(notation(BASE[:3], "A"), notation(BASE, "B"))
    added = [c for c in diff.graph.clusters if c.change is not None]
    assert [c.title for c in added] == ["Group 1 Projection (added)", "Group 1 x (N - 1) = 2 (added)"]
    assert all(diff.graph.node(n).change.kind is ChangeKind.ADDED  # type: ignore[union-attr]
               for c in added for n in c.node_ids)


def test_group_counts_add_up_to_the_totals() -> None:
    graph = notation(BASE)
    stem, clusters, head = group_counts(graph)
    assert stem.params + sum(c.params for c in clusters) + head.params == count_params(graph)
    assert stem.macs + sum(c.macs for c in clusters) + head.macs == count_macs(graph)
    # independently: the stem is one 3x3 conv (3 -> 16) and its BN
    assert stem.params == 3 * 16 * 9 + 2 * 16
    assert head.params == 32 * 10 + 10


def test_group_numbers_renumbered_by_a_new_first_stage_are_no_change() -> None:
    """B is A with a stage in front: A's ``Group 0 Projection`` is B's ``Group 1
    Projection``, the same block."""
    diff = compare(notation(BASE[3:], "A"), notation(BASE, "B"))
    assert _kinds(diff.changes) == [("added", "block")]
    assert [c.title for c in diff.graph.clusters] == [
        "Group 0 x N = 3 (added)", "Group 1 Projection", "Group 1 x (N - 1) = 2"]


@pytest.mark.parametrize(("before", "after", "text"), [
    ("Group 2 x (N - 1) = 5", "Group 2 x (N - 1) = 22", "Group 2 x (N - 1) = 5 → 22"),
    ("Group 1 Projection", "Group 1 Block", "Group 1 Projection → Block"),
    ("a", "b", "a → b"),
    ("Group 0 Dense layer x 6, 64C → 256C", "Group 0 Dense layer x 8, 64C → 320C",
     "Group 0 Dense layer x 6, 64C → 256C\n→ Group 0 Dense layer x 8, 64C → 320C"),
])
def test_changed_titles(before: str, after: str, text: str) -> None:
    assert changed_title(before, after) == text


def test_compare_leaves_its_inputs_alone() -> None:
    a, b = notation(BASE, "A"), notation(BASE[:3], "B")
    a_copy, b_copy = replace(a), replace(b)
    compare(a, b)
    assert a == a_copy and b == b_copy


def _random_pair() -> st.SearchStrategy[tuple[Graph, Graph]]:
    return st.tuples(random_nets, random_nets).map(
        lambda pair: (to_notation(replace(build_random_net(pair[0]), name="A")),
                      to_notation(replace(build_random_net(pair[1]), name="B"))))


@settings(max_examples=100, deadline=None)
@given(pair=_random_pair())
def test_any_two_nets_compare_soundly(pair: tuple[Graph, Graph]) -> None:
    """B's figure keeps every node of B once, marks only what differs, stands for B's
    numbers; every node of A is paired or a ghost; the renderers draw it; the same twice."""
    a, b = pair
    diff = compare(a, b)
    graph = diff.graph
    ids = [n.id for n in graph.nodes]
    assert len(ids) == len(set(ids))
    own = [n for n in graph.nodes if not n.id.startswith(GHOST_PREFIX)]
    # B's own nodes, in order; a run B's figure unfolds repeats its block's (ids ``x#1``)
    assert list(dict.fromkeys(n.id.split(COPY)[0] for n in own)) == [n.id for n in b.nodes]
    ghosts = [n for n in graph.nodes if n.id.startswith(GHOST_PREFIX)]
    assert all(n.change is not None and n.change.kind is ChangeKind.REMOVED for n in ghosts)
    paired = sum(1 for n in own if n.change is None or n.change.kind is not ChangeKind.ADDED)
    assert paired + len(ghosts) >= len(a.nodes)
    assert count_params(graph) == count_params(b)
    assert diff.before.params == count_params(a) and diff.after.params == count_params(b)
    assert sum(g.before.params for g in diff.groups) == diff.before.params
    assert sum(g.after.params for g in diff.groups) == diff.after.params
    render_dot(graph, legend=True)
    render_mermaid(graph, legend=True)
    assert compare(a, b) == diff


@settings(max_examples=40, deadline=None)
@given(desc=random_nets)
def test_any_net_against_itself_is_identical(desc: dict) -> None:
    graph = to_notation(build_random_net(desc))
    diff = compare(graph, graph)
    assert diff.identical, diff.changes


def test_the_raw_builder_counts_its_own_params() -> None:
    """The reference counts above rest on the builder: conv k*k*cin*cout, BN 2c."""
    raw = net([Block(16)])
    assert sum(n.params for n in raw.nodes) == 3 * 16 * 9 + 32 + 2 * (16 * 16 * 9 + 32) + 170


def _block_counts(cin: int, block: Block, hw: int) -> tuple[int, int]:
    """A block's parameters and MACs by hand: 3x3 convs (and a 1x1 projection), each
    with a BN of 2 parameters per channel; MACs per output pixel."""
    w, out = block.width, hw // block.stride
    convs = [(cin, 3), (w, 3)] + [(w, 3)] * block.extra
    convs += [(cin, 1)] if block.shortcut == "projection" else []
    params = sum(c * w * k * k + 2 * w for c, k in convs)
    return params, sum(out * out * w * c * k * k for c, k in convs)


def test_every_groups_numbers_are_its_blocks_counted_by_hand() -> None:
    from tests.renderers.test_diff_render import EVERY_MARK

    def counts(blocks: list[Block]) -> list[tuple[int, int]]:
        cin, hw, out = 16, 16, []
        for block in blocks:
            out.append(_block_counts(cin, block, hw))
            cin, hw = block.width, hw // block.stride
        return out

    a, b = counts(BASE), counts(EVERY_MARK)
    diff = compare(notation(BASE, "A"), notation(EVERY_MARK, "B"))
    rows = {g.title: (g.before, g.after) for g in diff.groups}

    def total(items: list[tuple[int, int]]) -> tuple[int, int]:
        return sum(p for p, _ in items), sum(m for _, m in items)

    assert (rows["Group 0 x N = 3 → 2"][0].params, rows["Group 0 x N = 3 → 2"][1].params) == (
        total(a[:3])[0], total(b[:2])[0])
    before, after = rows["Group 1 Projection → Block"]
    assert (before.params, before.macs) == a[3] and (after.params, after.macs) == b[2]
    before, after = rows["Group 1 x (N - 1) = 2 → Block 1"]  # one block left: no fold
    assert (before.params, before.macs) == total(a[4:]) and (after.params, after.macs) == b[3]
    before, after = rows["Group 2 Block (added)"]
    assert before.params == 0 and (after.params, after.macs) == b[4]
    stem = 3 * 16 * 9 + 2 * 16
    head_a, head_b = 32 * 10 + 10, 48 * 10 + 10
    assert diff.before.params == stem + total(a)[0] + head_a
    assert diff.after.params == stem + total(b)[0] + head_b
    assert diff.after.macs - diff.before.macs == total(b)[1] - total(a)[1] + 10 * (48 - 32)


_PLAIN = {"style": "pre-norm", "entry": [], "inner": [], "skip_uses_entry": False,
          "projection": False, "after": [], "view": False}


@pytest.mark.parametrize("head", [[], ["BatchNorm2d"], ["ReLU", "BatchNorm2d"]])
@pytest.mark.parametrize("after", [[], ["ReLU"], ["BatchNorm2d"]])
def test_unfolding_a_run_keeps_its_numbers(head: list[str], after: list[str]) -> None:
    """A run unfolded block by block stands for what the folded run stood for, whatever
    ops end its blocks or follow it (the head's norm follows the last block only)."""
    blocks = [{**_PLAIN, "projection": True}] + [{**_PLAIN, "after": after}] * 3
    folded = to_notation(build_random_net({"stem": [], "blocks": blocks, "head": head}))
    runs = {i for i, c in enumerate(folded.clusters) if unfoldable(c)}
    assert runs, [c.title for c in folded.clusters]
    unfolded, ids = unfold(folded, runs)
    assert len(ids) == sum(folded.clusters[i].repeat for i in runs)
    assert count_params(unfolded) == count_params(folded)
    assert count_macs(unfolded) == count_macs(folded)
    assert compare(folded, unfolded).before == compare(unfolded, folded).before
