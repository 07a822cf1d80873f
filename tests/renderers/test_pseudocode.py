"""The pseudocode listing on hand-built raw traces (no torch)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings

from netviz.ir import Kind
from netviz.renderers.pseudocode import render_pseudocode
from netviz.transforms import NotationOptions, to_notation
from tests.transforms.raw import build_random_net, random_nets, residual_net

REFERENCE = Path(__file__).parents[1] / "golden" / "reference" / "wrn28_2.pseudocode.txt"


def listing(**kwargs: object) -> str:
    return render_pseudocode(to_notation(residual_net(**kwargs), NotationOptions.listing()))


def test_wrn28_2_listing_matches_the_seed_byte_for_byte() -> None:
    assert listing() == REFERENCE.read_text()


def test_post_activation_blocks_use_the_same_grammar() -> None:
    text = listing(groups=((8, 2, 2),), pre_activation=False, stem=4)
    assert text.splitlines()[1:] == [
        "Group 0",
        "\tBlock 0",
        "\t\tConv torch.Size([8, 4, 3, 3]) Stride 2 Pad 1",
        "\t\tBN -> ReLU",
        "\t\tConv torch.Size([8, 8, 3, 3]) Stride 1 Pad 1",
        "\t\tBN = Z",
        "\t\t\tX -> Conv torch.Size([8, 4, 1, 1]) Stride 2 Pad 0",
        "\t\t\tBN",
        "\t\t\tZ + X",
        "\t\tReLU",
        "\tBlock 1",
        "\t\tConv torch.Size([8, 8, 3, 3]) Stride 1 Pad 1",
        "\t\tBN -> ReLU",
        "\t\tConv torch.Size([8, 8, 3, 3]) Stride 1 Pad 1",
        "\t\tBN = Z",
        "\t\t\tZ + X",
        "\t\tReLU",
        "AvgPool 16 Stride 1 Pad 0",
        "View",
        "Linear torch.Size([10, 8])",
    ]


def test_a_shared_mark_is_listed_once_per_block() -> None:
    text = listing(groups=((8, 1, 1),), stem=4)
    assert text.count("BN -> ReLU = X") == 1


@settings(max_examples=200, derandomize=True, deadline=None)
@given(desc=random_nets)
def test_every_op_and_every_mark_is_listed_once(desc: dict) -> None:
    graph = to_notation(build_random_net(desc), NotationOptions.listing())
    listed = [
        line.strip().removeprefix("X -> ").removesuffix(" = Z").removesuffix(" = X")
        for line in render_pseudocode(graph).splitlines()
    ]
    ops = [n for n in graph.nodes if n.kind not in (Kind.INPUT, Kind.OUTPUT, Kind.DATA)]
    joins = [n for n in ops if graph.cluster_of(n.id) and n.kind is Kind.ADD]
    assert listed.count("Z + X") == len(joins)  # each residual sum of each block
    marks = {e.mark.node_ids: e.mark.code for e in graph.edges if e.mark is not None}
    texts = [n.code for n in ops if n not in joins] + list(marks.values())
    for text in set(texts):
        assert listed.count(text) == texts.count(text), text
