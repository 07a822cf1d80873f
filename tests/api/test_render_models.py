"""End to end: registered models through trace → transforms → renderers."""

from __future__ import annotations

from pathlib import Path

import pytest

import netviz
from netviz.ir import Graph, Kind
from netviz.ir.accounting import count_ops, count_params
from tests.issue10_pending import registered_models
from tests.renderers import mermaid_parse

REFERENCE = Path(__file__).parents[1] / "golden" / "reference"
GOLDEN_MODELS = [
    "wrn28_2", "resnet18", "resnet50", "mdnc_bottleneck2d_ex1", "mdnc_bottleneck2d_ex2",
]


def test_wrn28_2_pseudocode_is_the_seed_listing_byte_for_byte() -> None:
    assert netviz.pseudocode("wrn28_2") == (REFERENCE / "wrn28_2.pseudocode.txt").read_text()


def test_wrn28_2_mermaid_has_the_seed_diagram_structure() -> None:
    ours = mermaid_parse.parse(netviz.render("wrn28_2", "mmd").decode())
    seed = mermaid_parse.parse((REFERENCE / "wrn28_2.seed-diagram.mmd").read_text())
    assert mermaid_parse.differences(ours, seed) == []
    assert sorted(t for _, t, _ in ours.subgraphs) == sorted(
        [f"Group {g} Projection" for g in range(3)]
        + [f"Group {g} x (N - 1) = 3" for g in range(3)]
    )


@pytest.mark.parametrize("fmt", ["dot", "mmd", "txt"])
@pytest.mark.parametrize("model", GOLDEN_MODELS)
def test_golden_text_formats(model: str, fmt: str, golden) -> None:  # type: ignore[no-untyped-def]
    golden(f"api/{model}.{fmt}", netviz.render(model, fmt).decode())


def test_golden_options(golden) -> None:  # type: ignore[no-untyped-def]
    text = netviz.render(
        "wrn28_2", "dot", fold=False, shapes=True, legend=True, direction="LR", theme="dark"
    )
    golden("api/wrn28_2.nofold.shapes.legend.LR.dark.dot", text.decode())


@pytest.mark.parametrize("fmt", ["dot", "mmd", "txt"])
def test_same_bytes_twice(fmt: str) -> None:
    assert netviz.render("resnet18", fmt) == netviz.render("resnet18", fmt)


def _modules(model: str) -> tuple[int, int]:
    """(conv modules, parameters) counted on the model itself."""
    from torch import nn

    module = netviz.load_model(model).module
    convs = sum(isinstance(m, nn.modules.conv._ConvNd) for m in module.modules())
    return convs, sum(p.numel() for p in module.parameters())


@pytest.mark.parametrize("model", registered_models(
    swin_mini="item 8: the stem's LayerNorm is fused into two marks (with the first block's "
    "norm1, and alone), so its 48 parameters count twice",
))
@pytest.mark.parametrize("fold", [True, False])
def test_every_conv_and_parameter_is_accounted_for(model: str, fold: bool) -> None:
    graph = netviz.diagram(model, fold=fold)
    convs, params = _modules(model)
    assert count_ops(graph, Kind.CONV) == convs
    assert count_params(graph) == params


def _size(graph: Graph) -> int:
    return len(graph.nodes)


@pytest.mark.parametrize(
    ("deep", "shallow"),
    [("resnet152", "resnet50"), ("wrn28_10", "wrn28_2"), ("wrn40_2", "wrn28_2")],
)
def test_deep_models_fold_to_their_shallow_siblings_size(deep: str, shallow: str) -> None:
    assert _size(netviz.diagram(deep)) <= _size(netviz.diagram(shallow))


def test_wrn_1000_2_folds_to_the_size_of_wrn28_2() -> None:
    from netviz_models.wideresnet import WideResNet

    graph = netviz.diagram(WideResNet(1000, 2), [(3, 32, 32)])
    assert _size(graph) <= _size(netviz.diagram("wrn28_2"))
    assert count_ops(graph, Kind.CONV) == 1 + 3 * (2 * 166 + 1)
    assert [c.repeat for c in graph.clusters] == [1, 165] * 3
