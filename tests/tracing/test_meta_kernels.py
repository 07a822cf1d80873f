"""Ops whose meta kernel is stricter than the CPU's, or missing: a meta forward still draws
the model (netviz.tracing.meta), with the mult-adds an independent count gives.

Each model here is built on meta with ``NETVIZ_MAX_WEIGHT_BYTES`` below its weights' size:
a real forward is refused, so it draws on meta or fails.
"""

from __future__ import annotations

import warnings

import pytest
import torch
from torch import Tensor, nn

import netviz

TOKENS, WIDTH, EXPERTS, HIDDEN = 16, 8, 4, 16


class GroupedExperts(nn.Module):
    """Experts applied with one grouped product (``torch._grouped_mm``) in float32, as
    transformers' ``grouped_mm`` experts do: the CPU runs it, torch's meta kernel wants
    bfloat16. Its group sizes are read as a number (``int``), which torch.fx cannot trace:
    it is drawn from a forward with module hooks, as transformers' models are."""

    def __init__(self) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.empty(EXPERTS, WIDTH, HIDDEN))

    def forward(self, x: Tensor) -> Tensor:
        tokens = x.view(-1, WIDTH)
        per_group = int(tokens.shape[0]) // EXPERTS
        offs = torch.arange(1, EXPERTS + 1, device=x.device, dtype=torch.int32) * per_group
        return torch._grouped_mm(tokens, self.weight, offs=offs)


def test_grouped_products_in_float32_draw_on_meta(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every token through one expert: ``tokens x width x hidden`` mult-adds (an analytic
    count), the output in float32, and no real forward."""
    with torch.device("meta"):
        model = GroupedExperts()
    cpu = GroupedExperts()
    nn.init.normal_(cpu.weight)
    assert cpu(torch.randn(TOKENS, WIDTH)).dtype == torch.float32  # the CPU runs it
    monkeypatch.setenv("NETVIZ_MAX_WEIGHT_BYTES", "1K")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        graph = netviz.trace(model, [(TOKENS, WIDTH)])
    assert sum(n.params for n in graph.nodes) == EXPERTS * WIDTH * HIDDEN
    assert sum(n.macs for n in graph.nodes) == TOKENS * WIDTH * HIDDEN
    assert graph.nodes[-1].shape == (HIDDEN,)  # tokens x hidden, the first dim as the batch


def test_a_meta_kernel_refusing_every_dtype_still_fails() -> None:
    """Half precision is tried only as a stand-in for a meta kernel's dtype rule: a product
    of shapes that do not fit fails on meta as on the CPU."""
    from netviz.tracing.meta import meta_values

    with torch.device("meta"):
        a, b = torch.empty(4, 8), torch.empty(6, 4)
    with meta_values(), pytest.raises(RuntimeError):
        torch.mm(a, b)


class PackedMask(nn.Module):
    """Features computed from weights packed beside a mask known from the inputs, split
    apart again, and the mask used to pick rows (``x[:, keep]``: a data-dependent shape),
    as transformers' sparse-attention indexers do. Drawn with module hooks (``int`` of a
    size: torch.fx cannot trace it), as transformers' models are."""

    def __init__(self) -> None:
        super().__init__()
        self.keys = nn.Linear(WIDTH, WIDTH)
        self.project = nn.Linear(WIDTH, HIDDEN)

    def forward(self, x: Tensor) -> Tensor:
        valid = (torch.arange(int(x.shape[1]), device=x.device) < TOKENS - 4)[None, :, None]
        packed = torch.cat([self.keys(x), valid.to(x.dtype)], dim=-1)
        keys, mask = torch.split(packed, [WIDTH, 1], dim=-1)
        keep = mask.bool().squeeze(-1).any(0)
        last = packed[..., -1].bool().any(0)  # a select of the same part
        return self.project(keys[:, keep & last])


def test_a_part_of_a_concatenation_keeps_its_value(monkeypatch: pytest.MonkeyPatch) -> None:
    """The mask split back out of the packed tensor has its value again: the rows it keeps
    are known on meta (``TOKENS - 4`` of them), and so are the mult-adds."""
    with torch.device("meta"):
        model = PackedMask()
    monkeypatch.setenv("NETVIZ_MAX_WEIGHT_BYTES", "100")  # below its 864 bytes
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        graph = netviz.trace(model, [(TOKENS, WIDTH)])
    assert sum(n.params for n in graph.nodes) == sum(p.numel() for p in model.parameters())
    kept = TOKENS - 4
    assert sum(n.macs for n in graph.nodes) == TOKENS * WIDTH * WIDTH + kept * WIDTH * HIDDEN
    assert graph.nodes[-1].shape == (kept, HIDDEN)
