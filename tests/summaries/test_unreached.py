"""Every printed model total is ``sum(p.numel() for p in model.parameters())``.

Parameters a traced forward does not hold on any drawn op (a computation whose result
nothing reads, left out of the trace or dropped by the transforms; a module the inputs
never run) still count in the model's totals: the figure's graph, the summary (which
says how many the forward did not reach) and ``netviz diff``.
"""

from __future__ import annotations

import json
import warnings

import torch
from torch import nn

import netviz
from netviz.ir.accounting import count_params


class DeadBranch(nn.Module):
    """A linear layer and a layer norm whose results nothing reads, and a parameter
    sliced into a tensor nothing reads."""

    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Linear(8, 8)
        self.dead = nn.Linear(8, 5)
        self.norm = nn.LayerNorm(8)
        self.pos = nn.Parameter(torch.zeros(1, 16, 8))
        self.b = nn.Linear(8, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.relu(self.a(x))
        _ = self.dead(x), self.norm(x), self.pos[:, :4]
        return self.b(x)


class NeverCalled(nn.Module):
    """A second tower the input never runs (a vision tower fed text only)."""

    def __init__(self) -> None:
        super().__init__()
        self.text = nn.Linear(8, 8)
        self.vision = nn.Sequential(nn.Linear(8, 7), nn.LayerNorm(7))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.text(x)


def numel(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def test_the_figure_of_a_dead_branch_counts_its_parameters() -> None:
    model = DeadBranch()
    assert numel(model) == 72 + 45 + 16 + 128 + 27
    graph = netviz.diagram(model, [(8,)]).graph
    assert count_params(graph) == numel(model)
    # the dead linear and norm stay drawn (a computation holding weights)
    assert sum(1 for n in graph.nodes if n.params) >= 4


def test_a_module_never_run_counts_in_every_total_and_the_summary_says_so() -> None:
    model = NeverCalled()
    unreached = 8 * 7 + 7 + 2 * 7
    assert numel(model) == 72 + unreached
    assert count_params(netviz.diagram(model, [(8,)]).graph) == numel(model)
    text = str(netviz.summary(model, input_shapes=[(8,)]))
    assert f"Total params: {numel(model)}" in text
    assert f"Params the traced forward did not reach: {unreached}" in text
    document = json.loads(str(netviz.summary(model, "json", input_shapes=[(8,)])))
    assert (document["total_params"], document["unreached_params"]) == (numel(model), unreached)


def test_a_summary_says_what_was_not_reached_only_when_something_was() -> None:
    # the dead linear and norm are traced, their parameters held by drawn ops; the
    # slice of ``pos`` nothing reads is not traced: its 128 are not reached
    text = str(netviz.summary(DeadBranch(), input_shapes=[(8,)]))
    assert "Params the traced forward did not reach: 128" in text
    model = nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 3))
    assert "did not reach" not in str(netviz.summary(model, input_shapes=[(8,)]))
    assert "unreached_params" not in str(netviz.summary(model, "json", input_shapes=[(8,)]))


def test_a_diff_totals_the_whole_models_with_a_row_for_what_was_not_reached() -> None:
    a, b = NeverCalled(), DeadBranch()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        comparison = netviz.diff(a, b, [(8,)]).comparison
    assert (comparison.before.params, comparison.after.params) == (numel(a), numel(b))
    assert sum(g.before.params for g in comparison.groups) == numel(a)
    assert sum(g.after.params for g in comparison.groups) == numel(b)
