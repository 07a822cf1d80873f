"""MACs of calls the op table has no rule for, counted at the dispatch level.

Each model here is small and its MACs are written out by hand: a ``torch.fx.wrap``-ped
function, a projection module that calls ``torch.addmm`` itself (as GPT-2's ``Conv1D``
does), ``F.scaled_dot_product_attention``, ``einsum``, ``torch._grouped_mm`` (the
experts of a mixture of experts), a weight-normed conv, a router's ``F.linear`` on a
bare parameter, and a model of functional ops only. Both tracing paths count them
(torch.fx, and module hooks for models fx cannot trace), on meta and on CPU.
"""

from __future__ import annotations

import json
import warnings
from typing import Any

import pytest
import torch
import torch.fx
import torch.nn.functional as F
from torch import nn

import netviz
from netviz.errors import MacsLowerBoundWarning
from netviz.ir import Graph
from netviz.ir.accounting import data_dependent
from netviz.tracing import trace_model
from netviz.tracing.forwards import hooks_forward

T, D, H, E, FF = 8, 32, 4, 4, 48  # tokens, width, heads, experts, expert width


def projected(x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """``x @ weight.t()``, a leaf for torch.fx (as torchvision's shifted window attention)."""
    return x @ weight.t()


torch.fx.wrap("projected")


class Projection(nn.Module):
    """GPT-2's ``Conv1D``: an ``addmm`` on its own weight, no child layers."""

    def __init__(self, n_in: int, n_out: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(n_in, n_out))
        self.bias = nn.Parameter(torch.zeros(n_out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        size = x.size()[:-1] + (self.weight.shape[-1],)
        return torch.addmm(self.bias, x.view(-1, x.size(-1)), self.weight).view(size)


class Mixed(nn.Module):
    """Attention written with SDPA and einsum, a wrapped projection and grouped experts."""

    def __init__(self) -> None:
        super().__init__()
        self.qkv = Projection(D, 3 * D)
        self.out = nn.Parameter(torch.zeros(D, D))
        self.experts = nn.Parameter(torch.zeros(E, D, FF, dtype=torch.bfloat16))
        self.register_buffer("offs", torch.tensor([2, 4, 6, T], dtype=torch.int32))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        qkv = self.qkv(x).view(1, T, 3, H, D // H).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attended = F.scaled_dot_product_attention(q, k, v)
        scores = torch.einsum("bhqd,bhkd->bhqk", q, k)
        mixed = attended + scores.softmax(-1) @ v
        y = projected(mixed.transpose(1, 2).reshape(1, T, D), self.out)
        routed = torch._grouped_mm(y.view(T, D).to(torch.bfloat16), self.experts, offs=self.offs)
        return routed.float()


MIXED_MACS = {
    "qkv": T * D * 3 * D,  # addmm: every token through a D x 3D matrix
    "sdpa": H * T * T * (D // H + D // H),  # QK^T and A.V per head
    "einsum": H * T * T * (D // H),  # the scores
    "matmul": H * T * T * (D // H),  # softmax(scores) @ v
    "projected": T * D * D,  # x @ W^T inside the wrapped function
    "experts": T * D * FF,  # every token through its expert's D x FF matrix
}


def _built(cls: type[nn.Module], device: str) -> nn.Module:
    with torch.device(device):
        return cls()


def _total(graph: Graph) -> int:
    return sum(node.macs for node in graph.nodes)


@pytest.mark.parametrize("device", ["meta", "cpu"])
def test_calls_without_a_rule_are_counted_at_the_dispatch_level(device: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # traced by torch.fx, no fallback
        graph = trace_model(_built(Mixed, device), [(T, D)], name="mixed")
    assert _total(graph) == sum(MIXED_MACS.values())
    by_name = {node.type_name: node.macs for node in graph.nodes}
    assert by_name["projected"] == MIXED_MACS["projected"]  # the wrapped call's own node
    assert by_name["_grouped_mm"] == MIXED_MACS["experts"]
    assert by_name["scaled_dot_product_attention"] == MIXED_MACS["sdpa"]


@pytest.mark.parametrize("device", ["meta", "cpu"])
def test_module_hooks_count_the_same(device: str) -> None:
    graph = hooks_forward(_built(Mixed, device), [(T, D)], name="mixed", reason="test")[0]
    assert _total(graph) == sum(MIXED_MACS.values())
    projection = next(node for node in graph.nodes if node.id == "qkv")  # a leaf layer
    assert projection.macs == MIXED_MACS["qkv"]


def test_the_summary_gives_the_projection_its_own_macs() -> None:
    table = json.loads(netviz.summary(_built(Mixed, "cpu"), "json", input_shapes=[(T, D)]))
    assert table["mult_adds"] == sum(MIXED_MACS.values())
    rows = {row["path"]: row for row in table["rows"]}
    assert rows["qkv"]["mult_adds"] == MIXED_MACS["qkv"]


class OnlyAttention(nn.Module):
    """A model made of one functional op: no layers, no parameters."""

    def forward(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        return F.scaled_dot_product_attention(q, k, v)


def test_a_model_of_functional_ops_only_is_summarised_with_its_macs() -> None:
    shapes = [(2, 10, 16), (2, 12, 16), (2, 12, 8)]
    table = json.loads(netviz.summary(OnlyAttention(), "json", input_shapes=shapes))
    assert table["total_params"] == 0
    assert table["mult_adds"] == 2 * 10 * 12 * (16 + 8)
    text = netviz.summary(OnlyAttention(), "text", input_shapes=shapes)
    assert "Total mult-adds: 5,760 (0.01 M)" in text


class WeightNormed(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.utils.parametrizations.weight_norm(nn.Conv2d(3, 8, 3, padding=1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x)


@pytest.mark.parametrize("device", ["meta", "cpu"])
def test_a_weight_normed_conv_counts_as_the_conv_it_is(device: str) -> None:
    graph = trace_model(_built(WeightNormed, device), [(3, 6, 6)], name="wn")
    (conv,) = [node for node in graph.nodes if node.id == "conv"]
    assert (conv.type_name, conv.kind.value) == ("Conv2d", "conv")
    assert conv.macs == 8 * 6 * 6 * 3 * 3 * 3
    assert conv.params == 8 + 8 + 8 * 3 * 3 * 3  # g and v of the parametrization, the bias


class Router(nn.Module):
    """A mixture-of-experts router: ``F.linear`` on a bare parameter, no child layers."""

    def __init__(self) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(E, D))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.weight).softmax(-1)


class Routed(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.router = Router()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.router(x)


@pytest.mark.parametrize("path", ["fx", "hooks"])
def test_a_routers_linear_on_a_bare_parameter_counts(path: str) -> None:
    model = Routed()
    graph = (trace_model(model, [(T, D)], name="routed") if path == "fx"
             else hooks_forward(model, [(T, D)], name="routed", reason="test")[0])
    assert _total(graph) == T * D * E


class TableBias(nn.Module):
    """A bias computed from weights and constants only (Swin V2's position-bias MLP)."""

    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("table", torch.zeros(T, 2))
        self.w1 = nn.Parameter(torch.zeros(2, 16))
        self.w2 = nn.Parameter(torch.zeros(16, 1))
        self.proj = nn.Linear(D, D)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        bias = torch.relu(self.table @ self.w1) @ self.w2  # (T, 1), whatever x is
        return self.proj(x) + bias


@pytest.mark.parametrize("path", ["fx", "hooks"])
def test_work_on_weights_and_constants_only_counts_too(path: str) -> None:
    model = TableBias()
    graph = (trace_model(model, [(T, D)], name="bias") if path == "fx"
             else hooks_forward(model, [(T, D)], name="bias", reason="test")[0])
    assert _total(graph) == T * D * D + T * 2 * 16 + T * 16 * 1


class Gathered(nn.Module):
    """Which tokens go on is decided by their values (``x[mask]``)."""

    def __init__(self) -> None:
        super().__init__()
        self.proj = nn.Linear(D, D)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        kept = x[x.sum(-1) >= 0]
        return self.proj(kept)


def test_data_dependent_ops_make_the_total_a_lower_bound_said_once() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        graph = trace_model(_built(Gathered, "meta"), [(T, D)], name="gathered")
    assert data_dependent(graph) == ("index",)
    lower = [w for w in caught if issubclass(w.category, MacsLowerBoundWarning)]
    assert len(lower) == 1 and "\n" not in str(lower[0].message)
    assert "index" in str(lower[0].message) and "lower bound" in str(lower[0].message)
    assert _total(graph) == T * D * D  # zeros keep every token: the count of this input
    with pytest.warns(MacsLowerBoundWarning, match="lower bound"):  # the API says it too
        table: Any = json.loads(netviz.summary(Gathered(), "json", input_shapes=[(T, D)]))
    assert table["mult_adds_lower_bound"] is True and table["data_dependent"] == ["index"]
    with pytest.warns(MacsLowerBoundWarning, match="lower bound"):
        text = netviz.summary(Gathered(), "text", input_shapes=[(T, D)])
    assert "Total mult-adds: ≥ 8,192 (0.01 M), a lower bound (data-dependent: index)" in text
