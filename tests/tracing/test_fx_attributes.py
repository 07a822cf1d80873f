"""netviz's fx tracer finds the parameters and buffers a forward reads by a table made
once, not fx's walk over the whole model per read; the graphs stay fx's own (pins
``torch.fx.Tracer.getattr``, which torch marks as not backward compatible)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from netviz.tracing.fx import _Tracer


class NormAct(nn.BatchNorm2d):
    """timm's BatchNormAct2d: a batch norm whose forward reads its own tensors."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(F.batch_norm(x, self.running_mean, self.running_var, self.weight,
                                   self.bias, False, 0.1, self.eps))


class Shared(nn.Module):
    """Reads one parameter under two names (tied), a buffer, and a plain tensor."""

    def __init__(self) -> None:
        super().__init__()
        self.blocks = nn.ModuleList(NormAct(4) for _ in range(3))
        self.scale = nn.Parameter(torch.ones(4, 1, 1))
        self.tied = self.blocks[1]
        self.register_buffer("offset", torch.zeros(4, 1, 1))
        self.plain = torch.ones(1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for block in self.blocks:
            x = block(x) * self.scale + self.offset
        return self.tied(x) * self.scale * self.plain


def test_the_graph_is_fxs_own() -> None:
    model = Shared()
    ours = _Tracer().trace(model)
    theirs = torch.fx.Tracer().trace(model)
    assert str(ours) == str(theirs)
    reads = [n.target for n in ours.nodes if n.op == "get_attr"]
    assert "blocks.1.weight" in reads and "scale" in reads and "offset" in reads


def test_shape_constant_parameters_go_to_fx() -> None:
    tracer = _Tracer()
    tracer.param_shapes_constant = True
    reference = torch.fx.Tracer(param_shapes_constant=True)
    assert str(tracer.trace(Shared())) == str(reference.trace(Shared()))
