"""Choices from weights on meta: balanced routing, and masks known from the inputs.

Each model here is built on meta with ``NETVIZ_MAX_WEIGHT_BYTES=1K``: a real forward is
refused, so it draws on meta or fails.
"""

from __future__ import annotations

import warnings

import pytest
import torch
from torch import Tensor, nn

import netviz
from netviz.errors import MacsLowerBoundWarning
from netviz.tracing.choices import balanced_indices

TOKENS, WIDTH, EXPERTS, TOP_K, HIDDEN = 12, 8, 4, 2, 16


class LoopedExperts(nn.Module):
    """A router and experts called in a loop over the experts hit (``nonzero``), each
    expert index read with ``.item()``: the eager dispatch of transformers' MoE layers."""

    def __init__(self) -> None:
        super().__init__()
        self.router = nn.Linear(WIDTH, EXPERTS, bias=False)
        self.experts = nn.ModuleList(nn.Linear(WIDTH, HIDDEN, bias=False)
                                     for _ in range(EXPERTS))

    def forward(self, x: Tensor) -> Tensor:
        tokens = x.view(-1, WIDTH)
        picks = self.router(tokens).topk(TOP_K, dim=-1).indices
        mask = nn.functional.one_hot(picks, EXPERTS).permute(2, 1, 0)
        out = x.new_zeros(tokens.shape[0], HIDDEN)
        for expert in mask.sum((1, 2)).nonzero():
            index = int(expert.item())
            _, token = torch.where(mask[index])
            out = out.index_add(0, token, self.experts[index](tokens[token]))
        return out


def _trace(model: nn.Module, shape: tuple[int, ...], **options: object) -> tuple[
        netviz.Graph, list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        graph = netviz.trace(model, [shape], **options)  # type: ignore[arg-type]
    return graph, list(caught)


def test_routing_from_weights_is_balanced_on_meta(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every token through its top-k experts, spread evenly: the mult-adds are the router's
    plus ``tokens x top-k`` expert calls (the active-expert convention), every expert is
    drawn, and netviz warns that the routing was assumed."""
    monkeypatch.setenv("NETVIZ_MAX_WEIGHT_BYTES", "1K")
    with torch.device("meta"):
        model = LoopedExperts()
    graph, caught = _trace(model, (TOKENS, WIDTH))
    assert sum(n.params for n in graph.nodes) == sum(p.numel() for p in model.parameters())
    router = TOKENS * WIDTH * EXPERTS
    experts = TOKENS * TOP_K * WIDTH * HIDDEN
    assert sum(n.macs for n in graph.nodes) == router + experts
    assert any(issubclass(w.category, MacsLowerBoundWarning) and "balanced choice"
               in str(w.message) for w in caught)


@pytest.mark.parametrize("op, args, expected", [
    (torch.ops.aten.topk.default, (2,), [[0, 1], [2, 3], [4, 0], [1, 2]]),
    (torch.ops.aten.argmax.default, (1,), [0, 1, 2, 3]),
    (torch.ops.aten.argmax.default, (1, True), [[0], [1], [2], [3]]),
    (torch.ops.aten.max.dim, (1,), [0, 1, 2, 3]),
    (torch.ops.aten.sort.default, (), [[0, 1, 2, 3, 4]] * 4),
])
def test_balanced_picks_are_distinct_in_a_row_and_spread(
    op: object, args: tuple[object, ...], expected: list[object]
) -> None:
    """Row ``r`` of ``n`` candidates picks ``r·k … r·k + k - 1`` (mod ``n``)."""
    scores = torch.empty(4, 5, device="meta")
    out = op(scores, *args)  # type: ignore[operator]
    made = balanced_indices(op, (scores, *args), {}, out)
    assert made is not None
    assert made[1].tolist() == expected
    assert made[1].shape == made[0].shape


class MaskedRows(nn.Module):
    """``x[mask]`` with a mask from the token ids: which rows depends on no weight. (The
    ``if`` on the ids keeps torch.fx out, as in transformers' models: module hooks trace
    it, on meta.)"""

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(100, WIDTH)  # over 1K of weights
        self.norm = nn.LayerNorm(WIDTH)

    def forward(self, ids: Tensor) -> Tensor:
        x = self.embed(ids)
        mask = ids == 0
        if not bool(mask.any()):
            return x
        return x.masked_scatter(mask.unsqueeze(-1), self.norm(x[mask]))


def test_a_mask_known_from_the_inputs_indexes_on_meta(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETVIZ_MAX_WEIGHT_BYTES", "1K")
    with torch.device("meta"):
        model = MaskedRows()
    graph, _ = _trace(model, (TOKENS,), input_dtypes=["int64"])
    assert sum(n.params for n in graph.nodes) == sum(p.numel() for p in model.parameters())
    norm = next(n for n in graph.nodes if n.type_name == "LayerNorm")
    assert norm.shape is not None and norm.shape[-1] == WIDTH


class GatheredExperts(LoopedExperts):
    """Every token through its top-k experts by gathering their weights (transformers'
    ``batched_mm``): the picks are never read, so nothing is assumed."""

    def forward(self, x: Tensor) -> Tensor:
        tokens = x.view(-1, WIDTH)
        picks = self.router(tokens).topk(TOP_K, dim=-1).indices
        weights = torch.stack([e.weight for e in self.experts])[picks]  # tokens x k x H x D
        if not bool(torch.isfinite(x).all()):  # on the input's values: keeps torch.fx out
            return x
        return torch.einsum("td,tkhd->th", tokens, weights)


def test_picks_never_read_warn_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETVIZ_MAX_WEIGHT_BYTES", "1K")
    with torch.device("meta"):
        model = GatheredExperts()
    _, caught = _trace(model, (TOKENS, WIDTH))
    assert not any("balanced choice" in str(w.message) for w in caught)


class CountedExperts(LoopedExperts):
    """Tokens per expert counted with ``histc`` of the integer picks, which the CPU has no
    kernel for (CUDA has): that count gets no value, and the forward goes on without it."""

    def forward(self, x: Tensor) -> Tensor:
        tokens = x.view(-1, WIDTH)
        picks = self.router(tokens).topk(TOP_K, dim=-1).indices
        counts = torch.histc(picks.int(), bins=EXPERTS, min=0, max=EXPERTS - 1)
        if not bool(torch.isfinite(x).all()):  # keeps torch.fx out
            return x
        return self.experts[0](tokens) * counts.sum()


def test_an_op_the_cpu_cannot_run_on_assumed_values_leaves_them_unknown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NETVIZ_MAX_WEIGHT_BYTES", "1K")
    with torch.device("meta"):
        model = CountedExperts()
    graph, _ = _trace(model, (TOKENS, WIDTH))
    assert any(n.type_name == "Linear" for n in graph.nodes)
