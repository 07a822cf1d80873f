"""The module-hooks fallback for models torch.fx cannot trace."""

from __future__ import annotations

import warnings

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from netviz.api import load_model
from netviz.errors import InputShapeError, TraceFallbackWarning
from netviz.ir import Graph, Kind
from netviz.renderers import render_dot, render_pseudocode
from netviz.tracing import trace_model
from netviz.tracing.forwards import hooks_forward
from netviz.transforms import NotationOptions, to_notation
from tests.tracing import zoo


def fallback(model: nn.Module, *shapes: tuple[int, ...], name: str = "m", **kw: object) -> Graph:
    with pytest.warns(TraceFallbackWarning) as record:
        graph = trace_model(model, list(shapes), name=name, **kw)
    assert len(record) == 1
    return graph


def test_warns_once_with_one_clear_line() -> None:
    with pytest.warns(TraceFallbackWarning) as record:
        trace_model(zoo.DataDependent(), [(3, 8, 8)], name="dd")
    message = str(record[0].message)
    assert "\n" not in message
    assert message == (
        "torch.fx could not trace dd (symbolically traced variables cannot be used as "
        "inputs to control flow); used module hooks on one real forward instead: the "
        "figure shows the branches this input took"
    )


def test_yields_the_layers_and_functional_ops_with_shapes_and_params() -> None:
    model = zoo.DataDependent()
    graph = fallback(model, (3, 8, 8))
    # isfinite/all decide the branch and feed nothing else: they are not drawn
    assert [(n.id, n.kind, n.shape) for n in graph.nodes] == [
        ("x", Kind.INPUT, (3, 8, 8)),
        ("c1", Kind.CONV, (4, 8, 8)),
        ("relu()", Kind.ACT, (4, 8, 8)),
        ("c2", Kind.CONV, (4, 8, 8)),
        ("c3", Kind.CONV, (4, 8, 8)),
        ("add()", Kind.ADD, (4, 8, 8)),
        ("output", Kind.OUTPUT, (4, 8, 8)),
    ]
    assert graph.node("c2").scope == "c2" and graph.node("c2").type_name == "Conv2d"
    assert dict(graph.node("c3").attrs)["kernel_size"] == (1, 1)
    assert sum(n.params for n in graph.nodes) == sum(p.numel() for p in model.parameters())
    assert graph.meta == (("input_shapes", ((3, 8, 8),)),)


def test_edges_follow_tensors_through_functional_ops() -> None:
    graph = fallback(zoo.DataDependent(), (3, 8, 8))
    # c1 → relu (functional) → c2; c3(y) + y → output
    assert [(e.src, e.dst) for e in graph.edges] == [
        ("x", "c1"), ("c1", "relu()"), ("relu()", "c2"), ("c2", "c3"),
        ("c3", "add()"), ("c2", "add()"), ("add()", "output"),
    ]


def test_repeated_calls_get_numbered_ids_and_params_once() -> None:
    model = zoo.DataDependentShared()
    graph = fallback(model, (4, 6, 6))
    assert [n.id for n in graph.nodes] == [
        "x", "conv", "conv#2", "mean()", "drop", "head", "output"
    ]
    assert graph.node("conv").params == 4 * 4 * 9 + 4
    assert graph.node("conv#2").params == 0 and graph.node("conv#2").scope == "conv"
    assert ("conv", "conv#2") in [(e.src, e.dst) for e in graph.edges]


def test_meta_model_runs_on_a_rebuilt_cpu_copy() -> None:
    calls: list[str] = []

    def rebuild(device: str) -> nn.Module:
        calls.append(device)
        with torch.device(device):
            return zoo.DataDependent()

    with torch.device("meta"):
        model = zoo.DataDependent()
    graph = fallback(model, (3, 8, 8), rebuild=rebuild)
    assert calls == ["cpu"]
    assert graph.node("c3").shape == (4, 8, 8)
    assert all(p.is_meta for p in model.parameters())  # the user's model is untouched


def test_meta_model_without_rebuild_is_materialised_on_a_copy() -> None:
    with torch.device("meta"):
        model = zoo.DataDependent()
    graph = fallback(model, (3, 8, 8))
    assert [n.id for n in graph.nodes] == ["x", "c1", "relu()", "c2", "c3", "add()", "output"]
    assert all(p.is_meta for p in model.parameters())


def test_deterministic() -> None:
    assert fallback(zoo.DataDependentShared(), (4, 6, 6)) == fallback(
        zoo.DataDependentShared(), (4, 6, 6)
    )


def global_hooks() -> tuple[int, int]:
    from torch.nn.modules import module as module_mod

    return len(module_mod._global_forward_hooks), len(module_mod._global_forward_pre_hooks)


def test_hooks_removed_and_modes_restored() -> None:
    model = zoo.DataDependentShared()
    model.train()
    before = global_hooks()
    fallback(model, (4, 6, 6))
    assert global_hooks() == before
    assert model.training and model.drop.training
    for module in model.modules():
        assert not module._forward_hooks and not module._forward_pre_hooks


def test_hooks_removed_when_the_forward_fails() -> None:
    model = zoo.DataDependent()
    before = global_hooks()
    with pytest.raises(InputShapeError) as exc:
        trace_model(model, [(2, 8, 8)], name="dd")
    assert "'c1' (Conv2d)" in str(exc.value) and "\n" not in str(exc.value)
    assert global_hooks() == before


def test_multiple_outputs_link_each_tensor() -> None:
    class Branchy(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.a = nn.Linear(3, 2)
            self.b = nn.Linear(3, 4)

        def forward(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, ...]:
            if x.sum() > 1e9:
                x = -x
            return self.a(x), self.b(y)

    graph = fallback(Branchy(), (3,), (3,))
    assert [n.id for n in graph.nodes if n.kind is Kind.INPUT] == ["x", "y"]
    assert [(e.src, e.dst) for e in graph.edges] == [
        ("x", "a"), ("y", "b"), ("a", "output.0"), ("b", "output.1"),
    ]
    assert graph.node("output.1").shape == (4,)
    assert not graph.has_node("output")


def test_no_warning_when_fx_works() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        trace_model(zoo.SharedTwice(), [(4, 6, 6)], name="ok")


def test_provenance_keeps_no_tensor_alive() -> None:
    from netviz.tracing.hooks import _Provenance

    provenance = _Provenance()
    x = torch.zeros(2)
    provenance.set([x, torch.ones(1)], ("conv",))
    assert provenance.of(x) == ("conv",)
    assert len(provenance._entries) == 1  # the temporary tensor is already gone
    del x
    assert not provenance._entries
    assert provenance.of(torch.zeros(2)) == ()


def test_layers_in_a_plain_list_are_still_drawn() -> None:
    model = zoo.PlainList()
    with pytest.warns(TraceFallbackWarning, match="not installed as a submodule"):
        graph = trace_model(model, [(3, 8, 8)], name="plain")
    assert [n.id for n in graph.nodes] == ["x", "stem", "layers.0", "layers.1", "output"]
    assert [(e.src, e.dst) for e in graph.edges] == [
        ("x", "stem"), ("stem", "layers.0"), ("layers.0", "layers.1"), ("layers.1", "output"),
    ]
    listed = sum(p.numel() for layer in model.layers for p in layer.parameters())
    assert sum(n.params for n in graph.nodes) == listed + sum(
        p.numel() for p in model.parameters()
    )


def test_rebuild_that_returns_a_meta_instance_is_materialised() -> None:
    with torch.device("meta"):
        model = zoo.DataDependent()
    graph = fallback(model, (3, 8, 8), rebuild=lambda device: model)
    assert graph.node("c3").shape == (4, 8, 8)
    assert all(p.is_meta for p in model.parameters())


def drawn(graph: Graph) -> tuple[str, str]:
    """What a user gets from a trace: the folded DOT and the pseudocode listing."""
    return (
        render_dot(to_notation(graph)),
        render_pseudocode(to_notation(graph, NotationOptions.listing())),
    )


@pytest.mark.parametrize(
    "spec", ["wrn28_2", "resnet18", "mdnc_bottleneck2d_ex1", "mdnc_bottleneck2d_ex2"]
)
def test_hooks_draw_what_fx_draws(spec: str) -> None:
    """The fallback sees functional ops too: on a model fx can trace, both tracers give
    the same figure and listing, byte for byte."""
    loaded = load_model(spec)
    by_fx = trace_model(loaded.module, loaded.input_shapes, name=spec, rebuild=loaded.build)
    by_hooks, _ = hooks_forward(
        loaded.module, loaded.input_shapes, name=spec, reason="test", rebuild=loaded.build
    )
    assert any(n.kind is Kind.ADD for n in by_hooks.nodes)
    assert drawn(by_hooks) == drawn(by_fx)


def test_a_layer_reading_no_input_gets_no_invented_edge() -> None:
    class Constant(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.main = nn.Linear(3, 2)
            self.bias_net = nn.Linear(4, 2)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            if x.sum() > 1e9:
                x = -x
            return self.main(x) + self.bias_net(torch.ones(1, 4))

    graph = fallback(Constant(), (3,))
    assert [(e.src, e.dst) for e in graph.edges] == [
        ("x", "main"), ("main", "add()"), ("bias_net", "add()"), ("add()", "output"),
    ]


def test_a_model_of_raw_parameters_is_looked_into() -> None:
    """A custom layer (own weights, no submodules) is one node, but not the model itself."""

    class Functional(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.w1 = nn.Parameter(torch.randn(4, 3, 3, 3))
            self.w2 = nn.Parameter(torch.randn(4, 4, 1, 1))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            if x.sum() > 1e9:
                x = -x
            y = F.relu(F.conv2d(x, self.w1, padding=1))
            return F.conv2d(y, self.w2) + y

    graph = fallback(Functional(), (3, 8, 8))
    assert [(n.id, n.kind) for n in graph.nodes] == [
        ("x", Kind.INPUT), ("conv2d()", Kind.CONV), ("relu()", Kind.ACT),
        ("conv2d()#2", Kind.CONV), ("add()", Kind.ADD), ("output", Kind.OUTPUT),
    ]
    assert graph.node("conv2d()").params == 4 * 3 * 9
    assert graph.node("conv2d()#2").params == 16
    assert dict(graph.node("conv2d()").attrs)["kernel_size"] == (3, 3)


class _Pausing(nn.Module):
    """Untraceable (a branch on a value); its forward waits while another thread runs a model."""

    def __init__(self, started: object, resume: object) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.started, self.resume = started, resume

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.sum() > -1e9:
            self.started.set()  # type: ignore[attr-defined]
            self.resume.wait(30)  # type: ignore[attr-defined]
        return F.relu(self.conv(x))


def test_a_model_another_thread_runs_meanwhile_is_not_recorded() -> None:
    import threading

    quiet = threading.Event()
    quiet.set()
    alone = fallback(_Pausing(quiet, quiet), (3, 8, 8))
    started, resume = threading.Event(), threading.Event()
    others: list[torch.Tensor] = []

    def plain_torch_user() -> None:
        started.wait(30)
        others.append(nn.Sequential(nn.Linear(5, 5), nn.ReLU())(torch.ones(2, 5)))
        resume.set()

    thread = threading.Thread(target=plain_torch_user)
    thread.start()
    meanwhile = fallback(_Pausing(started, resume), (3, 8, 8))
    thread.join(30)
    assert len(others) == 1
    assert meanwhile == alone
