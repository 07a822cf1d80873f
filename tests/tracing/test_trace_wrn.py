"""The reference WideResNets traced on the meta device."""

from __future__ import annotations

import pytest
import torch

from netviz.ir import Graph, Kind
from netviz.tracing import trace_model

wideresnet = pytest.importorskip("netviz_models.wideresnet")


@pytest.fixture(scope="module")
def wrn28_2() -> Graph:
    with torch.device("meta"):
        model = wideresnet.wrn28_2()
    return trace_model(model, [(3, 32, 32)], name="wrn28_2")


def test_wrn28_2_layers(wrn28_2: Graph) -> None:
    kinds = [n.kind for n in wrn28_2.nodes]
    # 25 3x3 convs (stem + 2 per block) and 3 1x1 projections
    kernels = [dict(n.attrs)["kernel_size"] for n in wrn28_2.nodes if n.kind is Kind.CONV]
    assert kernels.count((3, 3)) == 25 and kernels.count((1, 1)) == 3
    assert kinds.count(Kind.CONV) == 28
    assert kinds.count(Kind.LINEAR) == 1
    assert kinds.count(Kind.ADD) == 12
    assert kinds.count(Kind.NORM) == 25
    assert kinds.count(Kind.ACT) == 25
    assert [n.id for n in wrn28_2.nodes if n.kind is Kind.ADD] == (
        ["add"] + [f"add_{i}" for i in range(1, 12)]
    )


def test_wrn28_2_params(wrn28_2: Graph) -> None:
    assert sum(n.params for n in wrn28_2.nodes) == 1_467_610


def test_wrn28_2_conv_shapes(wrn28_2: Graph) -> None:
    convs = [n for n in wrn28_2.nodes if n.kind is Kind.CONV]
    expected = {"conv1": (16, 32, 32), "layer1": (32, 32, 32), "layer2": (64, 16, 16),
                "layer3": (128, 8, 8)}
    for conv in convs:
        assert conv.shape == expected[conv.scope.split(".")[0]], conv.id
        assert conv.type_name == "Conv2d"
        assert dict(conv.attrs)["out_channels"] == conv.shape[0]
    projections = [c for c in convs if c.scope.endswith("shortcut")]
    assert [(c.scope, dict(c.attrs)["stride"]) for c in projections] == [
        ("layer1.0.shortcut", (1, 1)), ("layer2.0.shortcut", (2, 2)),
        ("layer3.0.shortcut", (2, 2)),
    ]
    assert wrn28_2.node("avgpool").shape == (128, 1, 1)
    assert wrn28_2.node("fc").shape == (10,)


def test_wrn28_2_adds_join_branch_and_skip(wrn28_2: Graph) -> None:
    first = [e.src for e in wrn28_2.in_edges("add")]
    assert first == ["layer1_0_conv2", "layer1_0_shortcut"]
    second = [e.src for e in wrn28_2.in_edges("add_1")]
    assert second == ["layer1_1_conv2", "layer1_1_relu1"]  # identity skip uses X


def test_wrn28_2_deterministic(wrn28_2: Graph) -> None:
    with torch.device("meta"):
        model = wideresnet.wrn28_2()
    assert trace_model(model, [(3, 32, 32)], name="wrn28_2") == wrn28_2
    assert len({n.id for n in wrn28_2.nodes}) == len(wrn28_2.nodes)


def test_wrn28_2_on_cpu_equals_meta(wrn28_2: Graph) -> None:
    assert trace_model(wideresnet.wrn28_2(), [(3, 32, 32)], name="wrn28_2") == wrn28_2


def test_wrn_depth_1000_traces() -> None:
    """Benchmark-sized model (timing lives in benchmarks/, not here)."""
    with torch.device("meta"):
        model = wideresnet.WideResNet(1000, 2)
    graph = trace_model(model, [(3, 32, 32)], name="wrn1000_2")
    n = (1000 - 4) // 6
    blocks = 3 * n
    # per block: bn, relu, conv, bn, relu, conv, add; 3 projections; stem, head, in, out
    assert len(graph.nodes) == 7 * blocks + 3 + 8 == 3497
    assert sum(1 for node in graph.nodes if node.kind is Kind.CONV) == 2 * blocks + 3 + 1
    assert sum(node.params for node in graph.nodes) == sum(p.numel() for p in model.parameters())
    assert graph.node("output").shape == (10,)
