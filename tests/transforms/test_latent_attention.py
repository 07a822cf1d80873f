"""Latent attention (queries, keys or values made through a low-rank bottleneck: a
projection reading another's narrower output) is drawn ``MLA``; attention whose heads are
narrower than the model (a projection down to the heads and one back up, around the core)
is not. Hand-written modules, both tracing paths."""

from __future__ import annotations

import warnings

import pytest
import torch
from torch import nn

import netviz

T, D = 8, 32


class Attention(nn.Module):
    def __init__(self, *, rank: int | None, inner: int = D, branch: bool = False) -> None:
        super().__init__()
        self.heads, self.inner, self.branch = 4, inner, branch
        if rank is None:
            self.q = nn.Linear(D, inner)
        else:  # down to the rank, a norm, back up
            self.q = nn.Sequential(nn.Linear(D, rank), nn.LayerNorm(rank), nn.Linear(rank, inner))
        self.k, self.v = nn.Linear(D, inner), nn.Linear(D, inner)
        self.o = nn.Linear(inner, D)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.branch and bool(x.sum() > 1e9):  # fx cannot trace this: module hooks
            x = x * 2
        b, t, _ = x.shape

        def split(y: torch.Tensor) -> torch.Tensor:
            return y.view(b, t, self.heads, -1).transpose(1, 2)

        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        a = torch.softmax(q @ k.transpose(-1, -2) / 4.0, dim=-1) @ v
        return self.o(a.transpose(1, 2).reshape(b, t, self.inner))


class Block(nn.Module):
    """The attention module inside a residual block, as models hold it."""

    def __init__(self, attention: Attention) -> None:
        super().__init__()
        self.norm, self.attention = nn.LayerNorm(D), attention

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.attention(self.norm(x))


def attention_labels(model: nn.Module) -> list[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        graph = netviz.diagram(Block(model), [(T, D)]).graph
    return [n.label for n in graph.nodes if n.kind.value == "attention"]


@pytest.mark.parametrize("hooks", [False, True], ids=["fx", "hooks"])
def test_queries_through_a_low_rank_are_latent_attention(hooks: bool) -> None:
    assert attention_labels(Attention(rank=8, branch=hooks)) == ["MLA 4h 32D"]


@pytest.mark.parametrize("inner", [D, 16])
def test_heads_narrower_than_the_model_are_no_latent_attention(inner: int) -> None:
    (label,) = attention_labels(Attention(rank=None, inner=inner))
    assert not label.startswith("MLA")
