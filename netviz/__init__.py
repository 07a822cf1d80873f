"""netviz: compact block diagrams, pseudocode and summaries of neural networks.

The public functions live in [`netviz.api`][netviz.api] and are re-exported here
lazily, with the [`Diagram`][netviz.diagrams.Diagram], [`Diff`][netviz.diffs.Diff] and
[`Summary`][netviz.summaries.summary.Summary] they return, so ``import netviz``
(and ``netviz --help``) never imports torch.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from netviz._version import __version__

_API = ("load_model", "trace", "diagram", "render", "diff", "pseudocode", "summary", "plot")
_CLASSES = {"Diagram": "netviz.diagrams", "Diff": "netviz.diffs",
            "Summary": "netviz.summaries.summary"}

__all__ = ["__version__", *_API, *_CLASSES]


def __getattr__(name: str) -> Any:
    if name in _API:
        from netviz import api

        return getattr(api, name)
    if name in _CLASSES:
        return getattr(import_module(_CLASSES[name]), name)
    raise AttributeError(f"module 'netviz' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The public API (what ``dir(netviz)`` and tab completion show)."""
    return sorted(__all__)
