"""Which blocks of a model a module-hooks forward may record once: alike submodules.

Two submodules are *alike* when they are of the same class, hold the same parameters and
buffers by name, type, shape, dtype, device and gradient flag, attributes of the same
names, and children alike under the same names, recursively. Unlike a
[fingerprint][netviz.tracing.fingerprints], their attributes' values may differ (a
decoder layer's ``layer_idx``, a sliding window on every other layer): each attribute
whose value is not the same in every member of a group is *watched*, and
[`netviz.tracing.repeats`][netviz.tracing.repeats] lets a block stand for another only
when its forward read none of the watched attributes in which they differ.

A module belongs to no group when sharing would be unsafe: a parameter, buffer or
submodule it shares with another part of the model, a tensor or a module kept as a plain
attribute, an instance-level ``forward``, a hook registered on it, an attribute netviz
cannot compare.
"""

from __future__ import annotations

import functools
import operator
import types
from collections.abc import Callable, Hashable
from typing import Any

import torch
from torch import nn

from netviz.tracing.fingerprints import (
    DEPTH, HOOKS, PLAIN, SIMPLE, SKIPPED, Unsafe, shared_ids, tensor_layout,
)

_SKIPPED = SKIPPED | {"_non_persistent_buffers_set"}  # saving weights only


def frozen(value: Any, depth: int = DEPTH, owner: Any = None) -> Hashable:
    """A hashable stand-in for an attribute value of ``owner``, equal for values a forward
    cannot tell apart: plain values by value, a ``functools.partial`` by what it calls
    with what, a method bound to ``owner`` by its function, any other object by identity.

    Raises:
        Unsafe: A tensor or module, or a value nested too deep.
    """
    kind = type(value)
    if kind is float:
        return (kind, repr(value))  # nan equal to itself, -0.0 apart from 0.0
    # by the type (issubclass): isinstance would ask an object with a __getattribute__ of
    # its own (a transformers configuration) for its __class__, slowly
    if issubclass(kind, PLAIN):
        return (kind, value)
    if issubclass(kind, (torch.Tensor, nn.Module)):
        raise Unsafe("a tensor or module kept as a plain attribute")
    if depth <= 0:
        raise Unsafe("attribute nested too deep")
    if issubclass(kind, (tuple, list, torch.Size)):
        return (kind, tuple(frozen(item, depth - 1) for item in value))
    if issubclass(kind, (set, frozenset)):
        return (kind, frozenset(frozen(item, depth - 1) for item in value))
    if issubclass(kind, dict):
        return (kind, tuple((frozen(k, depth - 1), frozen(v, depth - 1))
                            for k, v in value.items()))
    if kind is functools.partial:
        return (kind, frozen(value.func, depth - 1), frozen(value.args, depth - 1),
                frozen(value.keywords, depth - 1), frozen(value.__dict__, depth - 1))
    if kind is types.MethodType:
        bound = "owner" if value.__self__ is owner and owner is not None else id(value.__self__)
        return (kind, id(value.__func__), bound)
    return (kind, "id", id(value))  # code, classes, a shared configuration object


def attributes(module: nn.Module, wrapper: Any = None) -> dict[str, Hashable]:
    """``module``'s plain attributes (not its parameters, buffers, children), frozen;
    an instance-level ``forward`` that is ``wrapper`` is left out.

    Raises:
        Unsafe: A hook registered on it, an instance-level ``forward``, an attribute
            that cannot be compared.
    """
    found: dict[str, Hashable] = {}
    for name, value in module.__dict__.items():
        kind = type(value)
        if kind in SIMPLE:  # most of them: widths, flags
            found[name] = (kind, value)
            continue
        if name in _SKIPPED:
            continue
        if name in HOOKS:
            if value:
                raise Unsafe(name)
            continue
        if name == "forward":
            if value is wrapper:
                continue
            raise Unsafe("instance-level forward")
        found[name] = frozen(value, DEPTH, module)
    return found


class Member:
    """One block of a group: its modules by path relative to it (``""``: itself, in
    ``named_modules`` order) and their attributes, frozen; ``table``: its modules by
    relative path. (A plain class, as ``Group``: a dataclass costs a cold run its
    making, at import.)"""

    __slots__ = ("path", "module", "modules", "attributes", "snapshot", "table")

    def __init__(
        self, path: str, module: nn.Module, modules: list[tuple[str, nn.Module]],
        attributes: dict[str, dict[str, Hashable]],
        snapshot: list[tuple[dict[str, Any], tuple[str, ...], tuple[Any, ...]]] | None = None,
    ) -> None:
        self.path = path
        self.module = module
        self.modules = modules
        self.attributes = attributes
        self.snapshot = [] if snapshot is None else snapshot
        self.table: dict[str, nn.Module] = dict(modules)

    def unchanged(self, wrapper: Any = None) -> bool:
        """Whether no attribute was set since ``attributes`` were taken (each module's
        ``__dict__`` holds the same objects under the same names; ``wrapper``, an
        instance-level ``forward`` set since, left out)."""
        for table, names, values in self.snapshot:
            if wrapper is not None and table.get("forward") is wrapper:
                table = {k: v for k, v in table.items() if k != "forward"}
            if tuple(table) != names or not all(map(operator.is_, table.values(), values)):
                return False
        return True


class Group:
    """Alike blocks, and the attributes (relative module path, name) that differ
    among them."""

    __slots__ = ("members", "watched")

    def __init__(self) -> None:
        self.members: list[Member] = []
        self.watched: set[tuple[str, str]] = set()


def alike_groups(root: nn.Module, is_layer: Callable[[nn.Module], bool]) -> list[Group]:
    """The groups of at least two alike blocks of ``root``, outermost blocks only (a block
    inside a member of a group is in none), in the order of ``named_modules``; blocks
    ``is_layer`` draws as one node are not grouped."""
    shared = shared_ids(root)
    keys: dict[int, Hashable] = {}
    numbers: dict[Hashable, int] = {}
    found: dict[int, dict[str, Hashable]] = {}  # attributes of each keyed module
    _visit(root, shared, keys, numbers, found)
    counts: dict[Hashable, int] = {}
    for key in keys.values():
        counts[key] = counts.get(key, 0) + 1
    groups: dict[Hashable, Group] = {}
    todo: list[tuple[str, nn.Module]] = [(name, child) for name, child in
                                         reversed(list(root._modules.items()))
                                         if child is not None]
    while todo:  # depth first, in named_modules order
        path, module = todo.pop()
        key = keys.get(id(module))
        if key is not None and counts[key] > 1 and not is_layer(module):
            members = groups.setdefault(key, Group()).members
            members.append(_member(path, module, found))
            continue
        todo.extend((f"{path}.{name}", child) for name, child in
                    reversed(list(module._modules.items())) if child is not None)
    alike = []
    for group in groups.values():
        if len(group.members) < 2:
            continue
        first = group.members[0].attributes
        for member in group.members[1:]:
            for rel, attrs in member.attributes.items():
                group.watched.update((rel, name) for name, value in attrs.items()
                                     if first[rel][name] != value)
        alike.append(group)
    return alike


def _member(path: str, module: nn.Module, found: dict[int, dict[str, Hashable]]) -> Member:
    modules = _named_modules(module)
    return Member(path, module, modules, {rel: found[id(sub)] for rel, sub in modules},
                  [(sub.__dict__, tuple(sub.__dict__), tuple(sub.__dict__.values()))
                   for _, sub in modules])


def _visit(module: nn.Module, shared: set[int], keys: dict[int, Hashable],
           numbers: dict[Hashable, int], found: dict[int, dict[str, Hashable]],
           ) -> Hashable | None:
    """The key of ``module`` (``None``: unsafe), those of its submodules put in ``keys``;
    a small number per description, so a deep block is hashed once."""
    children: list[tuple[str, Hashable | None]] = []
    safe = True
    for name, child in module._modules.items():
        if child is None:
            children.append((name, None))
            continue
        key = _visit(child, shared, keys, numbers, found)
        safe = safe and key is not None and id(child) not in shared
        children.append((name, key))
    if not safe:
        return None
    try:
        layout = tensor_layout(module, shared)
        attrs = attributes(module)
    except Unsafe:
        return None
    found[id(module)] = attrs
    names = tuple(attrs)
    description = (type(module), tuple(children), layout, names)
    key = numbers.setdefault(description, len(numbers))
    keys[id(module)] = key
    return key


def _named_modules(module: nn.Module) -> list[tuple[str, nn.Module]]:
    """``list(module.named_modules())`` of a keyed module, walked with a stack instead of
    nested generators: no module in it is reachable by two paths (``_visit`` keys none
    that holds a shared one), so there is none for ``named_modules``' memo to skip. A
    class with a ``named_modules`` of its own is asked."""
    found: list[tuple[str, nn.Module]] = []
    todo: list[tuple[str, nn.Module]] = [("", module)]
    while todo:
        rel, sub = todo.pop()
        if type(sub).named_modules is not _NAMED_MODULES:
            return list(module.named_modules())
        found.append((rel, sub))
        prefix = rel + "." if rel else ""
        todo += [(prefix + name, child) for name, child in reversed(sub._modules.items())
                 if child is not None]
    return found


_NAMED_MODULES = nn.Module.named_modules
