"""Tiny configurations of transformers classes as specs: the graph netviz traces and the
reference parameter count (``sum(p.numel() for p in model.parameters())``)."""

from __future__ import annotations

import warnings

import torch

import netviz
from netviz.ir import Graph


def spec(name: str, values: dict[str, object]) -> str:
    """``hf:Name(key=value, ...)``: class ``name`` built from a configuration of ``values``."""
    return f"hf:{name}({', '.join(f'{k}={v!r}' for k, v in values.items())})"


def reference(name: str, values: dict[str, object]) -> int:
    """The parameters of that model, counted by the model itself (built on meta)."""
    import transformers

    cls = getattr(transformers, name)
    with torch.device("meta"):
        model = cls(cls.config_class(**values))
    return sum(p.numel() for p in model.parameters())


def traced(name: str, values: dict[str, object]) -> Graph:
    """netviz's graph of that model, with no input flags (its warnings silenced)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return netviz.trace(spec(name, values))
