"""Reductions written out in plain ops drawn as the op they compute: an L2 norm along an
axis becomes one ``L2Norm`` (a norm mark), a gather at an argmax one ``Pool argmax token``
box. Written as model code writes them (CLIP's towers), under names netviz has never
seen, on both tracing paths; an Lp norm of another p, and an argmax whose result feeds
arithmetic, stay as they are.
"""

from __future__ import annotations

import warnings

import pytest
import torch
from torch import nn

import netviz
from netviz.ir import Graph, Kind

T, D, E = 8, 32, 16


def _l2(z: torch.Tensor, form: str) -> torch.Tensor:
    if form == "pow":  # transformers' _get_vector_norm
        return z / torch.pow(z, 2).sum(dim=-1, keepdim=True).pow(0.5)
    if form == "sqrt":
        return z / (z**2).sum(-1, keepdim=True).sqrt()
    if form == "norm":
        return z / z.norm(p=2, dim=-1, keepdim=True)
    return z / torch.pow(z, 3).sum(dim=-1, keepdim=True).pow(1 / 3)  # an L3 norm


class Tower(nn.Module):
    """Token ids → embeddings → the end-of-text token's row → projection → normalised."""

    def __init__(self, form: str = "pow", *, branch: bool = False) -> None:
        super().__init__()
        self.embed = nn.Embedding(50, D)
        self.proj = nn.Linear(D, E, bias=False)
        self.form, self.branch = form, branch

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        h = self.embed(ids)
        if self.branch and bool(h.sum() > 1e9):  # fx cannot trace this: module hooks
            h = h * 2
        end = (ids.to(torch.int) == 2).int().argmax(dim=-1)
        pooled = h[torch.arange(h.shape[0], device=h.device), end]
        return _l2(self.proj(pooled), self.form)


def drawn(model: nn.Module) -> Graph:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return netviz.diagram(model, [(T,)], input_dtypes=["int64"]).graph


def marks(graph: Graph) -> list[str]:
    return [e.mark.label for e in graph.edges if e.mark is not None]


@pytest.mark.parametrize("hooks", [False, True], ids=["fx", "hooks"])
@pytest.mark.parametrize("form", ["pow", "sqrt", "norm"])
def test_an_l2_norm_and_an_argmax_gather_are_one_op_each(hooks: bool, form: str) -> None:
    graph = drawn(Tower(form, branch=hooks))
    texts = [n.label for n in graph.nodes]
    assert marks(graph) == ["L2"]
    assert texts.count("Pool argmax token") == 1
    for code in ("Pow", "Sum", "Sqrt", "Norm", "÷", "Eq", "Int", "Argmax", "Getitem"):
        assert code not in texts
    pool = next(n for n in graph.nodes if n.label == "Pool argmax token")
    sources = {graph.node(e.src).kind for e in graph.in_edges(pool.id)}
    assert Kind.INPUT in sources  # the ids say where the token is


def test_an_l3_norm_is_not_an_l2_norm() -> None:
    graph = drawn(Tower("l3"))
    assert "L2" not in marks(graph)
    assert {"Pow", "Sum", "÷"} <= {n.label.split(" ")[0] for n in graph.nodes}


class Scores(nn.Module):
    """An argmax that feeds arithmetic, not a selection: nothing to pool."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + x.argmax(dim=-1, keepdim=True)


def test_an_argmax_feeding_arithmetic_stays() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        graph = netviz.diagram(Scores(), [(T, D)]).graph
    assert "Pool argmax token" not in [n.label for n in graph.nodes]


def test_the_numbers_stay_those_of_the_trace() -> None:
    model = Tower()
    raw = netviz.trace(model, [(T,)], input_dtypes=["int64"])
    graph = drawn(model)
    assert sum(n.macs for n in graph.nodes) == sum(n.macs for n in raw.nodes) == D * E
    assert sum(n.params for n in graph.nodes) + sum(
        e.mark.params for e in graph.edges if e.mark) == sum(p.numel() for p in model.parameters())
