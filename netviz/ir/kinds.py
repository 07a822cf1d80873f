"""The small vocabulary of op kinds every transform and renderer speaks.

Which op has which kind is said in the op table ([`netviz.ops`][netviz.ops]).
"""

from __future__ import annotations

from enum import Enum


class Kind(str, Enum):
    """What an IR node does, independent of the framework class that did it."""

    INPUT = "input"
    OUTPUT = "output"
    DATA = "data"  # a data node (double circle) inserted where a block begins
    CONV = "conv"
    NORM = "norm"
    ACT = "act"
    ADD = "add"
    MUL = "mul"
    CAT = "cat"
    POOL = "pool"
    LINEAR = "linear"
    RESHAPE = "reshape"  # shape-only or no-op: view, flatten, getitem, nn.Identity
    SPLIT = "split"  # one tensor into several: unbind, chunk, split
    ATTENTION = "attention"  # nn.MultiheadAttention, scaled dot-product attention
    UPSAMPLE = "upsample"
    DROPOUT = "dropout"
    OTHER = "other"

    def __str__(self) -> str:
        return self.value
