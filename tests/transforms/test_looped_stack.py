"""A stack of layers run again in a loop (a recurrent "reasoning" model, transformers'
HRM: two stacks called in turn, several times per step): with every call's ops the
figure is far over a page; each call of a layer becomes a box of its own, never one
box for every call (which would draw a cycle), and the figure fits the page."""

from __future__ import annotations

import warnings

import torch
from torch import nn

import netviz
from netviz.transforms.collapse import COLLAPSED_TYPE, PAGE, topological

T, D, LAYERS, CYCLES = 4, 8, 4, 3


class Layer(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.up, self.down = nn.Linear(D, 2 * D), nn.Linear(2 * D, D)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.down(torch.relu(self.up(x)))


class Stack(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.layers = nn.ModuleList(Layer() for _ in range(LAYERS))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.layers:
            x = layer(x)
        return x


class Reasoner(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.low, self.high = Stack(), Stack()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        low, high = x, x
        for _ in range(CYCLES):
            low = self.low(low + high)
            high = self.high(high + low)
        return high


def test_each_call_of_a_looped_layer_is_a_box_of_its_own() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        graph = netviz.diagram(Reasoner(), [(T, D)]).graph
    topological(graph)  # raises graphlib.CycleError on a cycle
    assert len(graph.nodes) <= PAGE
    boxes = [n for n in graph.nodes if n.type_name == COLLAPSED_TYPE]
    layers = [f"{stack}.layers.{i}" for stack in ("high", "low") for i in range(LAYERS)]
    assert sorted(n.scope for n in boxes) == sorted(layers * CYCLES)  # a box per call
    model = Reasoner()
    assert sum(n.params for n in graph.nodes) == sum(p.numel() for p in model.parameters())
    per_layer = T * D * 2 * D * 2  # its up and down projections
    assert [n.macs for n in boxes] == [per_layer] * len(boxes)
