"""``ParamLedger`` counts each tensor once: ``claim`` takes a group only when none of it
was taken, ``unseen`` says whether none was, ``take`` counts the new ones; held to a
plain reference (a list of the tensors taken, compared by identity) on random groups
with repeated and shared tensors."""

from __future__ import annotations

import torch
from hypothesis import given
from hypothesis import strategies as st

from netviz.tracing.params import ParamLedger
from tests.properties import steady

TENSORS: list[torch.Tensor] = [torch.nn.Parameter(torch.zeros(i + 1)) for i in range(6)]
_GROUP = st.lists(st.integers(0, 5), max_size=4)


@steady(100)
@given(st.lists(st.tuples(st.sampled_from(["claim", "unseen", "take"]), _GROUP), max_size=12))
def test_ledger_is_a_set_of_tensors_taken(steps: list[tuple[str, list[int]]]) -> None:
    ledger = ParamLedger()
    taken: list[torch.Tensor] = []

    def new(group: list[torch.Tensor]) -> bool:
        return not any(any(t is p for t in taken) for p in group)

    for what, picks in steps:
        group = [TENSORS[i] for i in picks]
        if what == "claim":
            expected = new(group)
            assert ledger.claim(group) == expected
            if expected:
                taken += group
        elif what == "unseen":
            assert ledger.unseen(group) == new(group)
        else:
            fresh: list[torch.Tensor] = []
            for p in group:
                if new([p]) and not any(p is f for f in fresh):
                    fresh.append(p)
            assert ledger.take(group) == sum(p.numel() for p in fresh)
            taken += fresh
        assert all(ledger.is_taken(t) for t in taken)
        assert [ledger.is_taken(t) for t in TENSORS] == [not new([t]) for t in TENSORS]
