"""Choices a meta forward cannot know, made balanced: routing to experts on meta.

A mixture-of-experts layer picks each token's experts from scores computed from
weights (``topk`` or ``argmax`` of a router's output). On the meta device those
scores have no values, so neither do the picks, and a layer that loops over the
experts hit (``nonzero``, ``.item()`` of an expert index, ``torch.where``) cannot
run. Under [`meta_values`][netviz.tracing.meta.meta_values], the indices such an
op returns from a tensor with no value get a value all the same: a *balanced*
choice, row ``r`` of ``n`` candidates taking its ``k`` picks ``r·k, r·k + 1, …``
(mod ``n``). Tokens spread evenly over the experts, each token through ``k`` of
them: the active-expert convention netviz counts mixture-of-experts layers in
(``tokens x top-k / experts`` per expert), and every expert that routing can
reach is drawn. Which token reaches which expert is assumed, not computed: the
mult-adds that follow are an estimate, and netviz says so (a
[`MacsLowerBoundWarning`][netviz.errors.MacsLowerBoundWarning]).

Sorting (``sort``, ``argsort``) gets the identity permutation by the same rule
(``k = n``). Only indices get values; the chosen scores stay without.
"""

from __future__ import annotations

import warnings
from typing import Any

import torch

from netviz.errors import MacsLowerBoundWarning

_aten = torch.ops.aten
# op -> (position of the dim argument (-1: keyword only), its default, which output
# holds the indices: None for the output itself)
_CHOICES: dict[Any, tuple[int, int | None, int | None]] = {
    _aten.topk.default: (2, -1, 1),
    _aten.argmax.default: (1, None, None),
    _aten.argmin.default: (1, None, None),
    _aten.max.dim: (1, 0, 1),
    _aten.min.dim: (1, 0, 1),
    _aten.sort.default: (1, -1, 1),
    _aten.sort.stable: (-1, -1, 1),
    _aten.argsort.default: (1, -1, None),
    _aten.argsort.stable: (-1, -1, None),
}

WARNING = ("on the meta device, {op} of values computed from weights (a router's scores) "
           "cannot be known: netviz assumed a balanced choice (tokens spread evenly, each "
           "through its top-k), so the mult-adds that follow are an estimate in the "
           "active-expert convention")


def is_choice(func: Any) -> bool:
    """Whether ``func`` returns indices chosen by values (``topk``, ``argmax``, ``sort``)."""
    return func in _CHOICES


def balanced_indices(
    func: Any, args: tuple[Any, ...], kwargs: dict[str, Any], out: Any
) -> tuple[torch.Tensor, torch.Tensor] | None:
    """The meta index tensor ``func`` returned in ``out`` and its balanced value (a CPU
    tensor of its shape), or ``None`` when ``func`` chooses nothing."""
    spec = _CHOICES.get(func)
    if spec is None:
        return None
    dim_at, default, which = spec
    source = args[0]
    dim = kwargs.get("dim", args[dim_at] if 0 <= dim_at < len(args) else default)
    indices = out if which is None else out[which]
    if not isinstance(indices, torch.Tensor) or not isinstance(source, torch.Tensor):
        return None
    if dim is None or source.dim() == 0:  # the whole tensor flattened: one pick
        return indices, torch.zeros(indices.shape, dtype=indices.dtype)
    dim = dim % source.dim()
    candidates = max(int(source.shape[dim]), 1)
    shape = list(indices.shape)
    if len(shape) < source.dim():  # the chosen dim dropped (no keepdim): one pick a row
        shape.insert(dim, 1)
    picks = shape[dim]
    rows = 1
    for index, size in enumerate(shape):
        rows *= size if index != dim else 1
    value = (torch.arange(rows).unsqueeze(1) * picks + torch.arange(picks)) % candidates
    moved = [*shape[:dim], *shape[dim + 1:], picks]
    value = value.reshape(moved).movedim(-1, dim).reshape(indices.shape)
    return indices, value.to(indices.dtype).contiguous()


def warn_assumed(func: Any) -> None:
    """Say that a balanced choice stands in for ``func``'s (see module docs)."""
    name = str(getattr(func, "__name__", func)).partition(".")[0]
    warnings.warn(WARNING.format(op=name), MacsLowerBoundWarning, stacklevel=2)
