"""Which modules the tracer stamps: those fx traces through that share a
[fingerprint][netviz.tracing.fingerprints] with another, found when the tracer first asks
(see [`netviz.tracing.stamps`][netviz.tracing.stamps])."""

from __future__ import annotations

from collections.abc import Callable, Hashable

import torch.fx
from torch import nn

from netviz.tracing.walk import Fingerprints, Tree, model_fingerprints, unchanged


def stamp_keys(keys: dict[int, Hashable], root: nn.Module,
               is_leaf: Callable[[nn.Module, str], bool]) -> dict[int, Hashable]:
    """The fingerprints worth stamping: of modules fx traces through (not leaves) that
    share their fingerprint with another such module."""
    counts: dict[Hashable, int] = {}
    candidates: dict[int, Hashable] = {}
    for name, module in root.named_modules():
        key = keys.get(id(module))
        if key is None or not name or is_leaf(module, name):
            continue
        candidates[id(module)] = key
        counts[key] = counts.get(key, 0) + 1
    return {i: k for i, k in candidates.items() if counts[k] >= 2}


def _walked_keys(walk: Fingerprints, root: nn.Module,
                 is_leaf: Callable[[nn.Module, str], bool]) -> dict[int, Hashable]:
    """``stamp_keys`` from the modules ``walk`` met, without walking the model again, when
    ``is_leaf`` is fx's own (which reads only the module's class, not its path: asked once
    per group of modules of one class, or per module for those with a ``__module__`` of
    their own)."""
    keys = walk.keys
    if walk.modules is None or getattr(is_leaf, "__func__", None) is not _FX_IS_LEAF \
            or len(walk.modules) != len(keys):
        return stamp_keys(keys, root, is_leaf)
    counts: dict[Hashable, int] = {}
    candidates: dict[int, Hashable] = {}
    for _, names, members in walk.groups:
        if "__module__" in names:
            members = [module for module in members if not is_leaf(module, "")]
        elif is_leaf(members[0], ""):
            continue
        for module in members:
            key = keys.get(id(module))
            if key is None or module is root:
                continue
            candidates[id(module)] = key
            counts[key] = counts.get(key, 0) + 1
    return {i: k for i, k in candidates.items() if counts[k] >= 2}


_FX_IS_LEAF = torch.fx.Tracer.is_leaf_module


class StampKeys:
    """The fingerprints worth stamping (see ``stamp_keys``), found when first asked for:
    a trace that fails before its first module call (fx refusing the root's forward)
    never walks the module tree, and a trace made again (see
    [`netviz.tracing.leaves`][netviz.tracing.leaves]) walks it once.

    Attributes:
        root: The model.
        walk: What walking it found (``None``: not walked yet).
        tree: ``module_tree(root)`` as the caller found it before the trace (used when
            the tree is still the same: ``unchanged``), or ``None``.
    """

    def __init__(self, root: nn.Module, tree: Tree | None = None) -> None:
        self.root = root
        self.tree = tree
        self.walk: Fingerprints | None = None
        self._is_leaf: Callable[[nn.Module, str], bool] | None = None
        self._found: dict[int, Hashable] | None = None

    def bind(self, is_leaf: Callable[[nn.Module, str], bool]) -> StampKeys:
        """Use the tracer's ``is_leaf`` (this one, for the trace about to run)."""
        if self._is_leaf is not None and \
                getattr(self._is_leaf, "__func__", None) is not getattr(is_leaf, "__func__", 0):
            self._found = None  # another kind of tracer: its leaves may differ
        self._is_leaf = is_leaf
        return self

    def get(self, module_id: int) -> Hashable | None:
        """The fingerprint of the module with ``id`` ``module_id`` when worth stamping."""
        found = self._found
        if found is None:
            found = self._found = self._keys()
        return found.get(module_id)

    def _keys(self) -> dict[int, Hashable]:
        if self.walk is None:
            tree = self.tree if self.tree is not None and unchanged(self.tree) else None
            self.walk = model_fingerprints(self.root, tree)
        assert self._is_leaf is not None
        return _walked_keys(self.walk, self.root, self._is_leaf)

    def params(self) -> int | None:
        """The model's parameter count, if the walk found it."""
        return self.walk.params if self.walk is not None else None
