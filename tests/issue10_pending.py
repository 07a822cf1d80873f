"""Registered zoo models some generic tests cannot pass before issue 10 lands.

Tests that run over every registered model take their names from
``registered_models``: these are marked ``xfail(strict=True)``, so each fails the
suite as soon as it passes (then delete its entry here). ``tests/api/test_zoo_numbers.py``
states what issue 10 must make true of them.
"""

from __future__ import annotations

from typing import Any

import pytest

from netviz.registry import list_models

PENDING = {
    "regnet_mini": "builds only on the CPU (its widths come from .tolist()): needs the "
    "meta→CPU build fallback",
    "transformer_lm_mini": "reads int64 token ids: needs input dtypes",
    "lstm_tagger_mini": "reads int64 token ids: needs input dtypes",
}
"""Zoo models that cannot be traced at all yet, and why."""


def registered_models(**more: str) -> list[Any]:
    """``list_models()`` as pytest parameters; pending models (and ``more``) xfail strictly.

    Args:
        **more: Further ``name=reason`` pairs this test cannot pass yet.
    """
    pending = {**PENDING, **more}
    marks = {name: pytest.mark.xfail(strict=True, reason=f"issue 10: {reason}")
             for name, reason in pending.items()}
    return [pytest.param(name, marks=marks[name]) if name in marks else name
            for name in list_models()]
