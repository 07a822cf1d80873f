"""netviz's warnings point at the code that called netviz, not at netviz's own files.

A warning raised deep inside netviz (the tracer's fallback to module hooks, here) is shown
with the file and line of the user's call, whether the trace ran or came from the cache
(its warnings replayed), and through every public entry point.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
import torch
from torch import nn

import netviz


class Branchy(nn.Module):
    """A data-dependent branch: torch.fx cannot trace it, netviz falls back and warns."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if bool(x.sum() > 1e9):
            x = x * 2
        return self.fc(x)


CALLS = {
    "diagram": lambda: netviz.diagram(Branchy(), [(4,)]),
    "trace": lambda: netviz.trace(Branchy(), [(4,)]),
    "summary": lambda: netviz.summary(Branchy(), input_shapes=[(4,)]),
    "pseudocode": lambda: netviz.pseudocode(Branchy(), [(4,)]),
}


@pytest.mark.parametrize("entry", sorted(CALLS))
def test_a_fallback_warning_points_at_the_caller(entry: str) -> None:
    for _ in range(2):  # traced, then (where cached) replayed from the cache
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            CALLS[entry]()
        fallbacks = [w for w in caught if "module hooks" in str(w.message)]
        assert fallbacks, [str(w.message) for w in caught]
        assert {Path(w.filename).name for w in fallbacks} == {Path(__file__).name}


def test_the_cli_and_model_files_are_outside_netviz() -> None:
    from netviz.errors import caller_stacklevel

    def deep() -> int:
        return caller_stacklevel()

    assert deep() == 2  # called from this test (outside netviz): the caller of deep
