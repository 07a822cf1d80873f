"""Experts written as a list of identical modules, each run on the rows routed to it (a
``ModuleList`` looped over with ``nonzero``: SwitchTransformers, NLLB-MoE, eager loops),
are one MoE box with the router, saying the experts traced and an expert's width; a list of
identical layers run one after another (a stack) is no mixture."""

from __future__ import annotations

import warnings

import pytest
import torch
from torch import nn

import netviz

T, D, F, E = 16, 32, 48, 4


class Expert(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.up, self.down = nn.Linear(D, F), nn.Linear(F, D)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.down(torch.relu(self.up(x)))


class Sparse(nn.Module):
    """Top-2 routing, then a loop over the experts the tokens picked."""

    def __init__(self, container: str) -> None:
        super().__init__()
        self.router = nn.Linear(D, E, bias=False)
        experts = [Expert() for _ in range(E)]
        self.experts = (nn.ModuleList(experts) if container == "list" else
                        nn.ModuleDict({f"expert_{i}": e for i, e in enumerate(experts)}))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        flat = x.reshape(-1, D)
        weights, picked = torch.topk(torch.softmax(self.router(flat), dim=-1), 2, dim=-1)
        out = torch.zeros_like(flat)
        experts = list(self.experts.values() if isinstance(self.experts, nn.ModuleDict)
                       else self.experts)
        for index, expert in enumerate(experts):
            rows, slot = (picked == index).nonzero(as_tuple=True)
            if rows.numel():
                out = out.index_add(0, rows, expert(flat[rows]) * weights[rows, slot, None])
        return out.reshape(x.shape)


class Block(nn.Module):
    def __init__(self, container: str) -> None:
        super().__init__()
        self.norm, self.moe = nn.LayerNorm(D), Sparse(container)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.moe(self.norm(x))


def labels(model: nn.Module) -> list[str]:
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return [n.label for n in netviz.diagram(model, [(T, D)]).graph.nodes]


@pytest.mark.parametrize("container", ["list", "dict"])
def test_a_list_of_experts_is_one_box(container: str) -> None:
    texts = labels(Block(container))
    assert texts.count(f"MoE {E} experts, {F}D") == 1, texts
    assert not {"Linear 48D", "Linear 4D", "Topk", "Nonzero", "Index_add"} & set(texts)


def test_the_numbers_stay_those_of_the_trace() -> None:
    torch.manual_seed(0)
    model = Block("list")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw = netviz.trace(model, [(T, D)])
        graph = netviz.diagram(model, [(T, D)]).graph
    assert sum(n.macs for n in graph.nodes) == sum(n.macs for n in raw.nodes)


class Stack(nn.Module):
    """Identical layers one after another: a stack, not a mixture."""

    def __init__(self) -> None:
        super().__init__()
        self.layers = nn.ModuleList(Expert() for _ in range(3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if bool((x > 1e9).nonzero().numel()):  # a data-dependent op beside the list
            x = x * 2
        for layer in self.layers:
            x = x + layer(x)
        return x


def test_a_stack_of_identical_layers_is_no_mixture() -> None:
    assert not any(text.startswith("MoE") for text in labels(Stack()))
