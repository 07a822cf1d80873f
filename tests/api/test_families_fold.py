"""Every family folds to a page, titled by what its blocks are (issue 11)."""

from __future__ import annotations

import warnings

import pytest

import netviz
from netviz.ir import Graph, Kind
from netviz.ir.accounting import count_macs, count_ops, count_params
from netviz.registry import list_models

PAGE = 60
"""Most nodes a folded figure may have: it must fit a page."""

FAITHFUL = {  # the zoo's torchvision-sized builders, named by spec (not registered)
    "netviz_models.vit:vit_b_16": (3, 224, 224),
    "netviz_models.swin:swin_t": (3, 224, 224),
    "netviz_models.convnext:convnext_tiny": (3, 224, 224),
    "netviz_models.densenet:densenet121": (3, 224, 224),
    "netviz_models.inception:googlenet": (3, 224, 224),
    "netviz_models.mobilenet:mobilenet_v2": (3, 224, 224),
    "netviz_models.regnet:regnet_y_400mf": (3, 224, 224),
}


def folded(spec: str, shape: tuple[int, ...] | None = None, *, fold: bool = True) -> Graph:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return netviz.diagram(spec, [shape] if shape else None, fold=fold).graph


def titles(graph: Graph) -> list[str]:
    return [c.title for c in graph.clusters]


@pytest.mark.parametrize("spec", [*list_models(), *FAITHFUL])
def test_every_model_folds_to_a_page_and_unfolds_to_everything(spec: str) -> None:
    shape = FAITHFUL.get(spec)
    graph = folded(spec, shape)
    assert len(graph.nodes) <= PAGE, f"{spec}: {len(graph.nodes)} nodes"
    whole = folded(spec, shape, fold=False)
    for kind in (Kind.CONV, Kind.LINEAR, Kind.ATTENTION, Kind.NORM, Kind.ADD, Kind.CAT):
        assert count_ops(graph, kind) == count_ops(whole, kind), kind
    assert count_params(graph) == count_params(whole)
    assert count_macs(graph) == count_macs(whole)


def test_dense_layers_fold_with_the_widths_they_span() -> None:
    graph = folded("netviz_models.densenet:densenet121", (3, 224, 224))
    assert titles(graph) == [
        "Group 0 Dense layer x 6, 64C → 256C (+32C each)",
        "Group 1 Transition",
        "Group 2 Dense layer x 12, 128C → 512C (+32C each)",
        "Group 3 Transition",
        "Group 4 Dense layer x 24, 256C → 1024C (+32C each)",
        "Group 5 Transition",
        "Group 6 Dense layer x 16, 512C → 1024C (+32C each)",
    ]
    # dense connectivity is one concat per folded block, not an edge per earlier layer
    for cluster in graph.clusters[::2]:
        (cat,) = [i for i in cluster.node_ids if graph.node(i).kind is Kind.CAT]
        assert len(graph.in_edges(cat)) == 1


def test_inception_modules_are_blocks_with_their_branches_inside() -> None:
    graph = folded("googlenet_mini")
    assert titles(graph) == ["Group 0 Inception x 2, 32C → 64C", "Group 1 x N = 3"]
    first = graph.clusters[0]
    (cat,) = [i for i in first.node_ids if graph.node(i).kind is Kind.CAT]
    assert len(graph.in_edges(cat)) == 4  # four branches, side by side
    assert all(graph.cluster_of(e.src) is first for e in graph.in_edges(cat))


def test_projection_only_where_the_shortcut_is_computed() -> None:
    mobilenet = titles(folded("netviz_models.mobilenet:mobilenet_v2", (3, 224, 224)))
    assert not any("Projection" in t for t in mobilenet)  # no block has a computed shortcut
    assert mobilenet[:5] == [
        "Group 0 Inverted residual",
        "Group 1 Inverted residual", "Group 1 Block 1",  # a fold of one block is no fold
        "Group 2 Inverted residual", "Group 2 x (N - 1) = 2",
    ]
    assert titles(folded("resnet50"))[::2] == [f"Group {g} Projection" for g in range(4)]
    assert titles(folded("resnet18"))[0] == "Group 0 x N = 2"  # identity shortcuts only


def test_stages_are_numbered_where_the_resolution_or_the_stage_changes() -> None:
    groups = [c.group for c in folded("mobilenet_v2_mini").clusters]
    assert groups == sorted(groups) and len(set(groups)) >= 3


def test_seed_titles_are_unchanged() -> None:
    assert titles(folded("wrn28_2")) == [
        "Group 0 Projection", "Group 0 x (N - 1) = 3",
        "Group 1 Projection", "Group 1 x (N - 1) = 3",
        "Group 2 Projection", "Group 2 x (N - 1) = 3",
    ]
