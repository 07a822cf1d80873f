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


def index_by_path(items: Iterable[S]) -> dict[str, list[S]]:
    """For every module path some item's scope lies ``within``, those items, in order.

    One walk over the items and their scopes' ancestors (the scope itself and each
    prefix ending before a ``.``): a deep model has thousands of module paths and of
    nodes, and testing every pair is quadratic. The root path ``""`` is not a key.
    """
    index: dict[str, list[S]] = {}
    lists: dict[str, list[list[S]]] = {}  # per scope, the lists of it and its ancestors
    for item in items:
        scope = item.scope
        found = lists.get(scope)
        if found is None:  # the first item of this scope: its paths, innermost first
            found = lists[scope] = []
            path = scope
            while path:
                found.append(index.setdefault(path, []))
                path = path.rpartition(".")[0]
        for listed in found:
            listed.append(item)
    return index


def by_path(items: Sequence[S], paths: Iterable[str]) -> dict[str, list[S]]:
    """For each of ``paths``, the ``items`` whose scope lies ``within`` it, in order.

    What ``[n for n in items if within(n.scope, path)]`` gives for every path, from one
    ``index_by_path`` walk.
    """
    index = index_by_path(items)
    return {path: list(items) if not path else index.get(path, []) for path in set(paths)}


def parent(path: str) -> str:
    """The parent module path (``""`` for a child of the root)."""
    return path.rpartition(".")[0]


def common_scope(scopes: Iterable[str]) -> str:
    """The deepest module path containing every scope in ``scopes``."""
    if isinstance(scopes, tuple) and len(scopes) == 2:  # a mark and one more op: often nested
        first, second = scopes
        if within(second, first):
            return first
        if within(first, second):
            return second
    paths = [s.split(".") if s else [] for s in scopes]
    if not paths:
        return ""
    common: list[str] = []
    for parts in zip(*paths):
        if any(p != parts[0] for p in parts):
            break
        common.append(parts[0])
    return ".".join(common)
