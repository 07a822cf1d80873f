"""The operand names of a model's parameters and buffers read from one module walk
(netviz.tracing.modules.operand_names) are those ``named_parameters()`` and
``named_buffers()`` give: each tensor under its first name, tied weights once."""

from __future__ import annotations

from collections.abc import Iterator

import torch
from torch import nn

from netviz.tracing.attrs import operand_name
from netviz.tracing.modules import operand_names


def _walked(root: nn.Module) -> dict[int, str]:
    return {id(t): operand_name(path)
            for path, t in (*root.named_parameters(), *root.named_buffers())}


class Tied(nn.Module):
    """Tied weights (one tensor under two modules), a layer without bias, buffers, a
    shared submodule and a constant named as the tracer names them."""

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(10, 4)
        self.head = nn.Linear(4, 10, bias=False)
        self.head.weight = self.embed.weight
        self.proj = nn.Module()
        self.proj.kernel = self.embed.weight  # first named embed.weight: "weight"
        self.norm = nn.BatchNorm1d(4)
        self.again = self.norm
        self.register_buffer("_tensor_constant0", torch.ones(2))
        self.scale = nn.Parameter(torch.ones(4))


class OwnWalk(Tied):
    """A model listing its parameters its own way (only the scale)."""

    def named_parameters(self, *args: object, **kwargs: object
                         ) -> Iterator[tuple[str, nn.Parameter]]:
        yield "gain", self.scale


def test_operand_names_are_the_named_walks() -> None:
    for model in (Tied(), nn.Sequential(Tied(), nn.Linear(4, 4)), OwnWalk()):
        assert operand_names(model, list(model.named_modules())) == _walked(model)
    tied = Tied()
    names = operand_names(tied, list(tied.named_modules()))
    assert sorted(names.values()) == sorted([  # the tied weight once, the shared norm once
        "weight", "weight", "bias", "running_mean", "running_var", "num_batches_tracked",
        "const", "scale"])
    own = OwnWalk()
    assert operand_names(own, list(own.named_modules()))[id(own.scale)] == "gain"
