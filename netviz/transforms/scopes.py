"""Module-path helpers shared by the transforms."""

from __future__ import annotations

from collections.abc import Iterable


def within(scope: str, path: str) -> bool:
    """Whether module path ``scope`` is ``path`` or lies below it."""
    if not path:
        return True
    return scope == path or scope.startswith(path + ".")


def parent(path: str) -> str:
    """The parent module path (``""`` for a child of the root)."""
    return path.rpartition(".")[0]


def common_scope(scopes: Iterable[str]) -> str:
    """The deepest module path containing every scope in ``scopes``."""
    paths = [s.split(".") if s else [] for s in scopes]
    if not paths:
        return ""
    common: list[str] = []
    for parts in zip(*paths):
        if any(p != parts[0] for p in parts):
            break
        common.append(parts[0])
    return ".".join(common)
