"""netviz: compact block diagrams, pseudocode and summaries of residual networks.

The public functions live in [`netviz.api`][netviz.api] and are re-exported here
lazily, so ``import netviz`` (and ``netviz --help``) never imports torch.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_API = ("load_model", "trace", "diagram", "render", "pseudocode", "summary", "plot")

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name in _API:
        from netviz import api

        return getattr(api, name)
    raise AttributeError(f"module 'netviz' has no attribute {name!r}")
