"""Modules of any class drawn as the op they compute (and attention's heads, KV heads, RoPE).

Each module here is written the way model libraries write theirs (an RMS norm with its own
weight, GELU's tanh form, QuickGELU, a projection that calls ``addmm`` on a transposed
weight, a layer norm written out) under a class name netviz has never seen. Both tracing
paths are checked: torch.fx (the module's ops under its path) and module hooks (a layer
with weights is one node; the tracer notes the ops its forward ran).
"""

from __future__ import annotations

import math
import warnings

import pytest
import torch
from torch import nn

import netviz
from netviz import ops
from netviz.ir import Graph, Kind

T, D = 8, 32


class Scaled(nn.Module):
    """An RMS norm (as Llama's): x rsqrt(mean(x²) + ε) w."""

    def __init__(self) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(D))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        variance = x.to(torch.float32).pow(2).mean(-1, keepdim=True)
        return self.weight * (x * torch.rsqrt(variance + 1e-6))


class Centered(nn.Module):
    """A layer norm written out: (x - mean) / sqrt(var + ε) w + b."""

    def __init__(self) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(D))
        self.bias = nn.Parameter(torch.zeros(D))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mean = x.mean(-1, keepdim=True)
        var = (x - mean).pow(2).mean(-1, keepdim=True)
        return (x - mean) / torch.sqrt(var + 1e-5) * self.weight + self.bias


class Smooth(nn.Module):
    """GELU's tanh approximation, written out (GPT-2's NewGELUActivation)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        inner = math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))
        return 0.5 * x * (1.0 + torch.tanh(inner))


class Quick(nn.Module):
    """x sigmoid(1.702 x) (CLIP's QuickGELUActivation)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.sigmoid(1.702 * x)


class Swish(nn.Module):
    """x sigmoid(x)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.sigmoid(x)


class Projection(nn.Module):
    """GPT-2's Conv1D: addmm on a (in, out) weight."""

    def __init__(self, n_in: int, n_out: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(n_in, n_out))
        self.bias = nn.Parameter(torch.zeros(n_out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        size = x.size()[:-1] + (self.weight.shape[-1],)
        return torch.addmm(self.bias, x.view(-1, x.size(-1)), self.weight).view(size)


class Stack(nn.Module):
    """norm → projection up → activation → projection down, with a residual."""

    def __init__(self, norm: nn.Module, act: nn.Module, *, branch: bool = False) -> None:
        super().__init__()
        self.norm, self.act = norm, act
        self.up, self.down = Projection(D, 48), Projection(48, D)
        self.branch = branch

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.branch and bool(x.sum() > 1e9):  # fx cannot trace this: module hooks
            x = x * 2
        return x + self.down(self.act(self.up(self.norm(x))))


def drawn(model: nn.Module) -> Graph:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return netviz.diagram(model, [(T, D)], fold=False).graph


def marks(graph: Graph) -> list[str]:
    return [e.mark.label for e in graph.edges if e.mark is not None]


@pytest.mark.parametrize("hooks", [False, True], ids=["fx", "hooks"])
@pytest.mark.parametrize(("norm", "mark"), [(Scaled, "RMSNorm"), (Centered, "LN")])
@pytest.mark.parametrize(("act", "name"), [(Smooth, "GELU"), (Quick, "QuickGELU"),
                                           (Swish, "SiLU")])
def test_norms_activations_and_projections_are_drawn_as_what_they_compute(
    hooks: bool, norm: type[nn.Module], mark: str, act: type[nn.Module], name: str
) -> None:
    graph = drawn(Stack(norm(), act(), branch=hooks))
    assert marks(graph) == [mark, name]
    texts = [n.label for n in graph.nodes]
    assert "Linear 48D" in texts and "Linear 32D" in texts
    assert not [n for n in graph.nodes if n.kind is Kind.OTHER]  # no Pow, Tanh, Projection...


def test_the_numbers_stay_those_of_the_trace() -> None:
    model = Stack(Scaled(), Smooth())
    raw = netviz.trace(model, [(T, D)])
    graph = drawn(model)
    assert sum(n.params for n in graph.nodes) + sum(
        e.mark.params for e in graph.edges if e.mark) == sum(p.numel() for p in model.parameters())
    assert sum(n.macs for n in graph.nodes) == sum(n.macs for n in raw.nodes) == 2 * T * D * 48


def test_other_computations_stay_as_they_are() -> None:
    """A module that computes something else than an op of the table keeps its ops."""

    class Shifted(nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return torch.tanh(x) - x.mean(-1, keepdim=True)

    graph = drawn(Stack(nn.Identity(), Shifted()))
    assert {"Tanh", "Mean"} <= {n.type_name.capitalize() for n in graph.nodes} | set(marks(graph))


def test_signatures() -> None:
    assert ops.recognize(["to", "pow", "mean", "add", "rsqrt", "mul"]).key == "rms_norm"
    assert ops.recognize(["mean", "sub", "pow", "add", "sqrt", "div", "mul"]).key == "layer_norm"
    assert ops.recognize(["addmm", "view"]).key == "linear"
    assert ops.recognize(["mul", "sigmoid"], True).key == "quick_gelu"
    assert ops.recognize(["mul", "sigmoid"], False).key == "silu"
    assert ops.recognize(["mul", "sigmoid"]) is None  # unknown scalar: neither
    assert ops.recognize(["tanh"]) is None and ops.recognize(["conv2d", "relu"]) is None
    assert ops.recognize(["neg", "cat", "mul", "add", "matmul"], only=False,
                         trait="rotary").key == "rotary_embedding"


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class Attention(nn.Module):
    """Grouped-query attention, as Llama writes it: ``heads`` query heads, ``kv`` key/value
    heads (separate projections, or one fused), optionally with rotary embeddings."""

    def __init__(self, heads: int, kv: int, *, fused: bool = False, rotary: bool = False):
        super().__init__()
        self.heads, self.kv, self.dim = heads, kv, D // heads
        self.fused, self.rotary = fused, rotary
        if fused:
            self.qkv = nn.Linear(D, (heads + 2 * kv) * self.dim)
        else:
            self.q = nn.Linear(D, heads * self.dim)
            self.k = nn.Linear(D, kv * self.dim)
            self.v = nn.Linear(D, kv * self.dim)
        self.o = nn.Linear(D, D)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, t, _ = x.shape
        if self.fused:
            q, k, v = self.qkv(x).split(
                [self.heads * self.dim, self.kv * self.dim, self.kv * self.dim], dim=-1)
        else:
            q, k, v = self.q(x), self.k(x), self.v(x)
        q = q.view(b, t, self.heads, self.dim).transpose(1, 2)
        k = k.view(b, t, self.kv, self.dim).transpose(1, 2)
        v = v.view(b, t, self.kv, self.dim).transpose(1, 2)
        if self.rotary:
            angles = torch.arange(t, dtype=x.dtype).unsqueeze(-1) * torch.ones(self.dim)
            cos, sin = angles.cos(), angles.sin()
            q = q * cos + rotate_half(q) * sin
            k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(self.heads // self.kv, dim=1)
        v = v.repeat_interleave(self.heads // self.kv, dim=1)
        scores = (q @ k.transpose(-2, -1) / math.sqrt(self.dim)).softmax(-1)
        return self.o((scores @ v).transpose(1, 2).reshape(b, t, D))


class Layer(nn.Module):
    def __init__(self, attention: nn.Module) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(D)
        self.attention = attention

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.attention(self.norm(x))


@pytest.mark.parametrize(("attention", "label"), [
    (Attention(4, 4), "Attention 4h 32D"),
    (Attention(4, 2), "GQA 4h/2kv 32D"),
    (Attention(4, 1), "MQA 4h/1kv 32D"),
    (Attention(4, 2, fused=True), "GQA 4h/2kv 32D"),
    (Attention(4, 2, rotary=True), "GQA 4h/2kv 32D RoPE"),
    (Attention(4, 4, rotary=True), "Attention 4h 32D RoPE"),
])
def test_attention_says_heads_kv_heads_and_rope(attention: nn.Module, label: str) -> None:
    graph = drawn(Layer(attention))
    boxes = [n.label for n in graph.nodes if n.kind is Kind.ATTENTION]
    assert boxes == [label]
    assert not {"Neg", "Concat", "Cos", "Sin"} & {n.label for n in graph.nodes}


def test_a_stable_softmax_shift_stays_inside_the_attention_core() -> None:
    """``s - s.max()`` before the softmax (attention with sink logits writes it) reads the
    scores twice; the core is still found."""

    class Stable(Attention):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            b, t, _ = x.shape
            q = self.q(x).view(b, t, self.heads, self.dim).transpose(1, 2)
            k = self.k(x).view(b, t, self.kv, self.dim).transpose(1, 2)
            v = self.v(x).view(b, t, self.kv, self.dim).transpose(1, 2)
            scores = q @ k.transpose(-2, -1)
            scores = scores - scores.amax(-1, keepdim=True)
            return self.o((scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, D))

    graph = drawn(Layer(Stable(4, 4)))
    assert [n.label for n in graph.nodes if n.kind is Kind.ATTENTION] == ["Attention 4h 32D"]
    assert "Softmax" not in {n.label for n in graph.nodes}


class Lookup(nn.Embedding):
    """A scaled table lookup with a forward of its own (Gemma's)."""

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return super().forward(ids) * 8.0


def test_a_scaled_embedding_of_its_own_class_is_an_embedding() -> None:
    class Model(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embed = Lookup(100, D)
            self.head = nn.Linear(D, 100)

        def forward(self, ids: torch.Tensor) -> torch.Tensor:
            if bool(ids.sum() > 1e9):  # module hooks
                ids = ids * 0
            return self.head(self.embed(ids))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        graph = netviz.diagram(Model(), [(T,)], input_dtypes=["int64"]).graph
    assert "Embedding 32D" in [n.label for n in graph.nodes]


@pytest.mark.parametrize("hooks", [False, True], ids=["fx", "hooks"])
def test_a_module_called_twice_is_recognised_at_each_call(hooks: bool) -> None:
    """ALBERT shares its layers: one written-out GELU module runs twice, two GELU marks."""

    class Shared(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.act = Smooth()
            self.first, self.second = nn.Linear(D, D), nn.Linear(D, D)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            if hooks and bool(x.sum() > 1e9):
                x = x * 2
            return self.second(self.act(self.first(self.act(x))))

    graph = drawn(Shared())
    assert marks(graph) == ["GELU", "GELU"]
    assert [n.label for n in graph.nodes if n.kind is not Kind.INPUT
            and n.kind is not Kind.OUTPUT] == ["Linear 32D", "Linear 32D"]
