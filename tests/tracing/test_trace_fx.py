"""trace_model on small models through torch.fx: nodes, edges, attrs, shapes, params."""

from __future__ import annotations

import warnings

import pytest
import torch
from torch import nn

from netviz.ir import Graph, Kind
from netviz.tracing import trace_model
from tests.tracing import zoo


def trace(model: nn.Module, *shapes: tuple[int, ...], name: str = "m") -> Graph:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no fallback expected here
        return trace_model(model, list(shapes), name=name)


def edges(graph: Graph) -> list[tuple[str, str]]:
    return [(e.src, e.dst) for e in graph.edges]


def n_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


@pytest.fixture(scope="module")
def tiny() -> Graph:
    return trace(zoo.TinyResNet(), (3, 16, 16), name="tiny")


def test_tiny_resnet_nodes_in_execution_order(tiny: Graph) -> None:
    assert [n.id for n in tiny.nodes] == [
        "x", "conv", "bn", "relu",
        "layer_0_conv1", "layer_0_bn1", "relu_1", "layer_0_conv2", "layer_0_bn2", "add",
        "relu_2",
        "layer_1_conv1", "layer_1_bn1", "relu_3", "layer_1_conv2", "layer_1_bn2",
        "layer_1_down_0", "layer_1_down_1", "add_1", "relu_4",
        "pool", "view", "fc", "output",
    ]
    kinds = {n.id: n.kind for n in tiny.nodes}
    assert kinds["x"] is Kind.INPUT and kinds["output"] is Kind.OUTPUT
    assert kinds["layer_1_down_0"] is Kind.CONV and kinds["layer_0_bn1"] is Kind.NORM
    assert kinds["relu_1"] is Kind.ACT and kinds["add_1"] is Kind.ADD
    assert kinds["pool"] is Kind.POOL and kinds["view"] is Kind.RESHAPE
    assert kinds["fc"] is Kind.LINEAR


def test_tiny_resnet_type_names_and_scopes(tiny: Graph) -> None:
    node = tiny.node
    assert node("x").type_name == "input" and node("output").type_name == "output"
    assert node("conv").type_name == "Conv2d" and node("conv").scope == "conv"
    assert node("layer_1_down_0").scope == "layer.1.down.0"
    # functions get the deepest module they were called in
    assert (node("relu_1").type_name, node("relu_1").scope) == ("relu", "layer.0")
    assert (node("add_1").type_name, node("add_1").scope) == ("add", "layer.1")
    assert (node("view").type_name, node("view").scope) == ("view", "")
    assert node("pool").type_name == "AvgPool2d"


def test_tiny_resnet_edges(tiny: Graph) -> None:
    e = edges(tiny)
    assert ("x", "conv") in e and ("fc", "output") in e
    assert [s for s, d in e if d == "add"] == ["layer_0_bn2", "relu"]  # argument order
    assert [s for s, d in e if d == "add_1"] == ["layer_1_bn2", "layer_1_down_1"]
    assert ("relu_2", "layer_1_down_0") in e and ("relu_2", "layer_1_conv1") in e
    assert [s for s, d in e if d == "view"] == ["pool"]  # x.size(0) is not a node
    assert len(e) == len(set(e))


def test_tiny_resnet_shapes_without_batch(tiny: Graph) -> None:
    shape = {n.id: n.shape for n in tiny.nodes}
    assert shape["x"] == (3, 16, 16)
    assert shape["conv"] == (8, 16, 16)
    assert shape["add"] == (8, 16, 16)
    assert shape["layer_1_conv1"] == (16, 8, 8)
    assert shape["layer_1_down_0"] == (16, 8, 8)
    assert shape["pool"] == (16, 1, 1)
    assert shape["view"] == (16,)
    assert shape["fc"] == (10,)
    assert shape["output"] == (10,)


def test_tiny_resnet_attrs(tiny: Graph) -> None:
    conv = tiny.node("layer_1_conv1")
    assert dict(conv.attrs) == {
        "kernel_size": (3, 3), "stride": (2, 2), "padding": (1, 1), "dilation": (1, 1),
        "groups": 1, "in_channels": 8, "out_channels": 16, "weight_shape": (16, 8, 3, 3),
        "bias": False, "transposed": False, "padding_mode": "zeros",
    }
    assert [k for k, _ in conv.attrs] == sorted(k for k, _ in conv.attrs)
    assert dict(tiny.node("pool").attrs) == {
        "kernel_size": 8, "stride": 1, "padding": 0, "ceil_mode": False,
    }
    assert dict(tiny.node("bn").attrs) == {"num_features": 8, "affine": True}
    assert dict(tiny.node("fc").attrs) == {
        "in_features": 16, "out_features": 10, "weight_shape": (10, 16), "bias": True,
    }
    assert tiny.node("add").attrs == ()


def test_tiny_resnet_params_and_meta(tiny: Graph) -> None:
    assert sum(n.params for n in tiny.nodes) == n_params(zoo.TinyResNet())
    assert tiny.node("conv").params == 8 * 3 * 9
    assert tiny.node("bn").params == 16
    assert tiny.node("add").params == 0
    assert tiny.meta == (("input_shapes", ((3, 16, 16),)),)
    assert tiny.name == "tiny" and tiny.clusters == ()
    assert all(n.label == "" and n.code == "" for n in tiny.nodes)
    assert all(e.mark is None for e in tiny.edges)


def test_every_spelling_of_add_and_relu_is_canonical() -> None:
    graph = trace(zoo.Functional(), (4, 8, 8))
    types = [n.type_name for n in graph.nodes]
    assert types == [
        "input", "Conv2d", "add", "add", "add", "add", "relu", "relu", "relu",
        "avg_pool2d", "interpolate", "cat", "flatten", "output",
    ]
    kinds = [n.kind for n in graph.nodes]
    assert kinds.count(Kind.ADD) == 4 and kinds.count(Kind.ACT) == 3
    by_type = {n.type_name: n for n in graph.nodes}
    assert dict(by_type["avg_pool2d"].attrs) == {
        "kernel_size": 2, "stride": 2, "padding": 0, "ceil_mode": False,
    }
    assert dict(by_type["interpolate"].attrs) == {
        "size": None, "scale_factor": 2.0, "mode": "nearest",
    }
    assert dict(by_type["cat"].attrs) == {"dim": 1}
    assert dict(by_type["flatten"].attrs) == {"start_dim": 1, "end_dim": -1}
    assert by_type["avg_pool2d"].shape == (4, 4, 4)
    assert by_type["interpolate"].shape == (4, 8, 8)
    assert by_type["cat"].shape == (8, 8, 8)
    assert by_type["flatten"].shape == (512,)


def test_module_called_twice_counts_params_once() -> None:
    model = zoo.SharedTwice()
    graph = trace(model, (4, 8, 8))
    convs = [n for n in graph.nodes if n.kind is Kind.CONV]
    assert [(n.id, n.scope, n.params) for n in convs] == [
        ("conv", "conv", n_params(model)), ("conv_1", "conv", 0),
    ]


def test_tied_parameters_count_once() -> None:
    model = zoo.Tied()
    graph = trace(model, (6,))
    assert sum(n.params for n in graph.nodes) == n_params(model) == 36 + 6 + 6
    assert graph.node("enc").params == 42 and graph.node("dec").params == 6


def test_get_attr_parameters_count_at_first_use() -> None:
    model = zoo.RawWeight()
    graph = trace(model, (3, 8, 8))
    convs = [n for n in graph.nodes if n.type_name == "conv2d"]
    assert [n.params for n in convs] == [4 * 3 * 9, 0]
    assert graph.node("mul").params == 1
    assert sum(n.params for n in graph.nodes) == n_params(model)
    assert not any(n.id in ("weight", "scale") for n in graph.nodes)  # weights are not nodes
    assert dict(convs[0].attrs)["weight_shape"] == (4, 3, 3, 3)
    assert dict(convs[0].attrs)["out_channels"] == 4
    assert convs[0].shape == (4, 8, 8)


def test_two_inputs_and_tuple_output() -> None:
    graph = trace(zoo.TwoInTwoOut(), (3, 8, 8), (5,))
    assert [n.id for n in graph.nodes if n.kind is Kind.INPUT] == ["img", "vec"]
    assert graph.node("vec").shape == (5,)
    outputs = [n for n in graph.nodes if n.kind is Kind.OUTPUT]
    assert [n.id for n in outputs] == ["output.0", "output.1"]
    assert [dict(n.attrs)["key"] for n in outputs] == ["0", "1"]
    assert [[e.src for e in graph.in_edges(n.id)] for n in outputs] == [["mean"], ["add"]]
    assert graph.node("output.1").shape == graph.node("add").shape
    assert graph.meta == (("input_shapes", ((3, 8, 8), (5,))),)
    assert not any(n.type_name in ("size", "getattr") for n in graph.nodes)


def test_dict_output_has_one_output_node_per_key() -> None:
    graph = trace(zoo.DictOut(), (3,))
    assert [e.src for e in graph.in_edges("output.a")] == ["a"]
    assert [e.src for e in graph.in_edges("output.b")] == ["b"]
    assert not graph.has_node("output")
    assert graph.node("a").shape == (2,) and graph.node("b").shape == (5,)


def test_tracing_is_deterministic_and_device_independent() -> None:
    torch.manual_seed(0)
    cpu = trace(zoo.TinyResNet(), (3, 16, 16))
    again = trace(zoo.TinyResNet(), (3, 16, 16))
    with torch.device("meta"):
        meta_model = zoo.TinyResNet()
    meta = trace(meta_model, (3, 16, 16))
    assert cpu == again == meta


def test_tensor_constants_do_not_stay_on_the_model() -> None:
    for device in ("cpu", "meta"):
        with torch.device(device):
            model = zoo.WithConstant()
        before = set(vars(model))
        graph = trace(model, (3,))
        assert set(vars(model)) == before
        assert graph.node("mul").shape == (3,)
        assert [n.id for n in graph.nodes] == ["x", "lin", "mul", "output"]


def test_shapes_propagate_through_ops_without_closed_form() -> None:
    model = nn.Sequential(nn.Conv2d(3, 6, 3), nn.Softmax(dim=1), nn.PixelShuffle(1))
    graph = trace(model, (3, 10, 12))
    assert [n.shape for n in graph.nodes] == [(3, 10, 12), (6, 8, 10), (6, 8, 10),
                                              (6, 8, 10), (6, 8, 10)]
    assert [n.type_name for n in graph.nodes][1:4] == ["Conv2d", "Softmax", "PixelShuffle"]


def test_inputs_left_at_a_non_tensor_default_are_not_nodes() -> None:
    class Scaled(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lin = nn.Linear(3, 3)

        def forward(self, x: torch.Tensor, scale: float = 2.0) -> torch.Tensor:
            return self.lin(x) * scale

    graph = trace(Scaled(), (3,))
    assert [n.id for n in graph.nodes] == ["x", "lin", "mul", "output"]
    assert edges(graph) == [("x", "lin"), ("lin", "mul"), ("mul", "output")]


def test_optional_inputs_keep_their_defaults() -> None:
    graph = trace(zoo.OptionalMask(), (3, 8, 8))
    assert [n.id for n in graph.nodes] == ["x", "conv", "mul", "output"]
    both = trace(zoo.OptionalMask(), (3, 8, 8), (4, 8, 8))
    assert [n.id for n in both.nodes] == ["x", "mask", "conv", "mul", "mul_1", "output"]
    assert [e.src for e in both.in_edges("mul_1")] == ["mul", "mask"]


def test_the_subpackage_stays_callable_as_the_public_function() -> None:
    import netviz
    import netviz.tracing

    graph = netviz.trace(zoo.SharedTwice(), [(4, 6, 6)])
    assert graph == netviz.trace(zoo.SharedTwice(), [(4, 6, 6)])
    assert [n.type_name for n in graph.nodes].count("Conv2d") == 2
    assert netviz.tracing.trace_model is trace_model


@pytest.mark.parametrize("spec", ["resnet18", "vit_mini_qkv", "swin_mini", "lstm_tagger_mini"])
def test_netvizs_proxies_record_what_torch_fx_records(spec: str) -> None:
    """netviz's fx proxies route calls without torch.overrides' catch_warnings; they record
    the same graph as torch.fx's own (pins the fx behaviour they reproduce)."""
    from netviz.registry import load_model
    from netviz.tracing.fx import symbolic_graph

    ours = symbolic_graph(load_model(spec).module, 1)
    theirs = torch.fx.Tracer().trace(load_model(spec).module)
    assert ours.python_code("self").src == theirs.python_code("self").src
    checks = [torch.add, torch.Tensor.add, torch.Tensor.view, torch.roll, torch.Tensor.shape.__get__,
              torch.nn.functional.relu]
    from netviz.tracing.fx import _TENSOR_METHODS

    for func in checks:
        ours_says = func in _TENSOR_METHODS or getattr(func, "__name__", "") == "__get__"
        assert ours_says == torch.overrides.is_tensor_method_or_property(func), func
