"""Module-path helpers shared by the transforms."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar


class _Scoped(Protocol):
    @property
    def scope(self) -> str: ...


S = TypeVar("S", bound=_Scoped)


def within(scope: str, path: str) -> bool:
    """Whether module path ``scope`` is ``path`` or lies below it."""
    if not path:
        return True
    return scope == path or scope.startswith(path + ".")


def by_path(items: Sequence[S], paths: Iterable[str]) -> dict[str, list[S]]:
    """For each of ``paths``, the ``items`` whose scope lies ``within`` it, in order.

    What ``[n for n in items if within(n.scope, path)]`` gives for every path, built in
    one walk over the items and their scopes' ancestors (a deep model has thousands of
    module paths and of nodes: testing every pair is quadratic).
    """
    wanted = set(paths)
    found: dict[str, list[S]] = {path: [] for path in wanted}
    every = found.get("")
    for item in items:
        scope = item.scope
        while scope:
            bucket = found.get(scope)
            if bucket is not None:
                bucket.append(item)
            scope = scope.rpartition(".")[0]
        if every is not None:
            every.append(item)
    return found


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
