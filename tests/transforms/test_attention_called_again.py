"""A stack of attention layers called again in a loop (a recurrent "reasoning" model runs
its layers several times per step, as transformers' HRM does): each call's ops become
their own attention node, never one box for every call, which would draw a cycle."""

from __future__ import annotations

import warnings

import torch
from torch import nn

import netviz
from netviz.ir import Kind
from netviz.transforms.collapse import topological

T, D, HEADS, CALLS = 8, 16, 2, 3


class SelfAttention(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.q, self.k, self.v, self.o = (nn.Linear(D, D) for _ in range(4))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, t, _ = x.shape

        def split(y: torch.Tensor) -> torch.Tensor:
            return y.view(b, t, HEADS, -1).transpose(1, 2)

        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        a = torch.softmax(q @ k.transpose(-1, -2) / 2.0, dim=-1) @ v
        return self.o(a.transpose(1, 2).reshape(b, t, D))


class Looped(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.attn = SelfAttention()
        self.mix = nn.Linear(D, D)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for _ in range(CALLS):
            x = self.mix(x + self.attn(x))
        return x


def test_each_call_of_a_looped_attention_is_its_own_node() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        diagram = netviz.diagram(Looped(), [(T, D)], fold=False)
    graph = diagram.graph
    topological(graph)  # raises graphlib.CycleError on a cycle
    attention = [n for n in graph.nodes if n.kind is Kind.ATTENTION]
    assert len(attention) == CALLS
    model = Looped()
    assert sum(n.params for n in graph.nodes) == sum(p.numel() for p in model.parameters())
    per_call = T * D * D * 4 + 2 * HEADS * T * T * (D // HEADS)  # projections, two products
    assert sum(n.macs for n in attention) == CALLS * per_call
