"""Cluster titles say which blocks a cluster stands for (torch-free, hand-built graphs)."""

from __future__ import annotations

from netviz.ir import Cluster, Edge, Graph, Kind, Node
from netviz.transforms.stages import places
from netviz.transforms.titles import title_clusters


def _graph(*clusters: Cluster) -> Graph:
    nodes = [Node("x", Kind.INPUT, "Input", "", (), (3, 8, 8))]
    nodes += [Node(i, Kind.CONV, "Conv2d", c.id, (), (8, 8, 8)) for c in clusters
              for i in c.node_ids]
    edges = [Edge(a.id, b.id) for a, b in zip(nodes, nodes[1:])]
    return Graph("net", tuple(nodes), tuple(edges), tuple(clusters))


def test_clusters_over_the_same_stages_say_which_block_of_each_they_are() -> None:
    # RepViT: stages 0 and 2 are two blocks of one class each, stages 1 and 3 a
    # downsampling block; the stages fold with a period of two, one cluster per place,
    # and the two places of stages 0 and 2 have the same class and widths
    first = Cluster("stages.0.blocks.0", 0, 0, ("stages.0.blocks.0", "stages.2.blocks.0"),
                    ("a",), repeat=2, kind="Rep vit block", widths=(48, 96, 96), span=3,
                    places=((0, 0, 1), (2, 0, 1)))
    second = Cluster("stages.0.blocks.1", 0, 1, ("stages.0.blocks.1", "stages.2.blocks.1"),
                     ("b",), repeat=2, kind="Rep vit block", widths=(48, 96, 96), span=3,
                     places=((0, 1, 1), (2, 1, 1)))
    titles = [c.title for c in title_clusters(_graph(first, second)).clusters]
    assert titles == ["Groups 0, 2 Block 0 of each: Rep vit block x 2, 48C → 96C",
                      "Groups 0, 2 Block 1 of each: Rep vit block x 2, 48C → 96C"]


def test_stages_of_different_depths_give_each_range() -> None:
    rest = Cluster("s1.b1", 1, 1, ("s1.b1",), ("a",), repeat=7, kind="Cell",
                   widths=(540, 1080, 2160), span=3, places=((1, 1, 3), (2, 1, 2), (3, 1, 2)))
    assert title_clusters(_graph(rest)).clusters[0].title == (
        "Groups 1-3 Blocks 1-3 or 1-2 of each: Cell x 7, 540C → 2160C")


def test_places_add_up_the_blocks_of_each_group() -> None:
    run = [Cluster("a", 2, 3, ("a",), (), repeat=2), Cluster("b", 2, 5, ("b",), (), repeat=1),
           Cluster("c", 3, 0, ("c",), (), repeat=4, span=2, places=((3, 0, 3), (4, 0, 1)))]
    assert places(run) == ((2, 3, 3), (3, 0, 3), (4, 0, 1))
