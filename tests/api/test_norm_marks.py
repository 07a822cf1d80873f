"""Norms draw as marks on edges, whichever norm: RMSNorm like LayerNorm."""

from __future__ import annotations

import pytest
import torch
from torch import nn

import netviz
from netviz.ir import Kind
from netviz.renderers.glyphs import glyph_for


class Block(nn.Module):
    def __init__(self, norm: nn.Module) -> None:
        super().__init__()
        self.up = nn.Linear(16, 32)
        self.norm = norm
        self.down = nn.Linear(32, 16)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.down(self.norm(self.up(x)))


@pytest.mark.parametrize(("norm", "label"), [(nn.LayerNorm(32), "LN"), (nn.RMSNorm(32), "RMSNorm")])
def test_a_norm_between_layers_is_a_mark_on_the_edge(norm: nn.Module, label: str) -> None:
    graph = netviz.diagram(Block(norm), [(10, 16)], fold=False).graph
    assert not [n for n in graph.nodes if n.kind is Kind.NORM]  # no box of its own
    (mark,) = [e.mark for e in graph.edges if e.mark is not None]
    assert mark.kinds == (Kind.NORM,) and mark.label == label
    glyph = glyph_for(mark)
    assert glyph is not None and glyph.name == "norm"
    mermaid = netviz.diagram(Block(norm), [(10, 16)], fold=False).mermaid
    assert f'-->|"{label}"|' in mermaid
