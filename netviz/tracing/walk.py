"""The [fingerprints][netviz.tracing.fingerprints] of a model's modules, in one pass.

[`model_fingerprints`][netviz.tracing.walk.model_fingerprints] lists the module tree
once (each module once, noting those met again: shared), then reads the modules group by
group, a group being the modules of one class with the same ``__dict__`` keys: their
attributes and the layouts of their parameters and buffers are read a column at a time
([`attribute_rows`][netviz.tracing.fingerprints.attribute_rows],
[`layout_rows`][netviz.tracing.fingerprints.layout_rows]), so that a deep model pays a
few calls per group and attribute rather than several per module. Then each description
gets its number: a childless module's group by group, the others' from their children's
numbers, innermost first, so that a deep block's description is hashed once, not again
in every enclosing one's. The parameters are counted on the way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
import operator
from itertools import chain, repeat
from operator import attrgetter
from typing import NamedTuple

from torch import nn

from netviz.tracing.fingerprints import (
    READABLE, Fingerprint, Numbers, Unsafe, attribute_rows, layout_rows, plan, readable,
)


def fingerprints(root: nn.Module) -> dict[int, Fingerprint]:
    """The fingerprint of every submodule of ``root`` that has one, by ``id`` of the module.

    Global module hooks (``nn.modules.module.register_module_forward_hook``) make every
    module unsafe: the result is then empty.
    """
    return model_fingerprints(root).keys


class Fingerprints:
    """What one walk of a model's module tree found.

    Attributes:
        keys: The fingerprint of every submodule that has one, by ``id`` of the module.
        modules: The modules ``keys`` holds, in the order of ``keys``, each once;
            ``None`` when a module or tensor is reachable by two paths.
        params: ``sum(p.numel() for p in root.parameters())``, found on the way;
            ``None`` when not (a module or tensor reachable by two paths, global hooks,
            a parameter of another type than ``nn.Parameter``).
        groups: The modules by class and ``__dict__`` keys (in order), all of them.
    """

    __slots__ = ("keys", "modules", "params", "groups")

    def __init__(self, keys: dict[int, Fingerprint], modules: list[nn.Module] | None,
                 params: int | None = None, groups: list[Group] | None = None) -> None:
        self.keys = keys
        self.modules = modules
        self.params = params
        self.groups = groups or []


class Group(NamedTuple):
    """Modules of one class whose ``__dict__``s have the same keys, in the same order."""

    cls: type
    names: tuple[str, ...]
    members: list[nn.Module]


def model_fingerprints(root: nn.Module, tree: Tree | None = None) -> Fingerprints:
    """The fingerprints of ``root``'s submodules (see ``fingerprints``) and its parameter
    count. ``tree``: ``module_tree(root)``, when the caller has it."""
    if global_hooks():
        return Fingerprints({}, [])
    order, inner, twice, classes, _, _ = tree or module_tree(root)
    groups = [group for cls, members in classes.items() for group in _groups(cls, members)]
    entries, layouts, attributes, numbers = Numbers(), Numbers(), Numbers(), Numbers()
    seen: set[int] = set()
    read = 0
    params: int | None = 0
    parts: list[tuple[type, list[nn.Module], list[int], list[int | None]]] = []
    for cls, _, members in groups:
        found = layout_rows(members, seen, entries)
        read += found.read
        params = None if params is None or found.params is None else params + found.params
        parts.append((cls, members, list(map(layouts.__getitem__, found.rows)),
                      _attribute_numbers(cls, members, attributes)))
    shared = len(seen) != read  # a tensor held twice: the modules holding it have none
    if shared:
        _refuse_holders(_tensors_held_twice(order), parts)
    keys: dict[int, Fingerprint] = {}
    listed: list[nn.Module] = []
    held = _number_leaves(parts, set(map(id, inner)), numbers, keys, listed)
    for module in reversed(inner):  # innermost first
        part = held.get(id(module))
        if part is not None:
            key = _inner_key(module, part, twice, numbers, keys)
            if key is not None:
                keys[id(module)] = key
                listed.append(module)
    if twice or shared:
        return Fingerprints(keys, None, None, groups)
    return Fingerprints(keys, listed, params, groups)


def _groups(cls: type, members: list[nn.Module]) -> list[Group]:
    """The modules of one class by ``__dict__`` keys (in order): usually one group."""
    first = tuple(members[0].__dict__)
    if all(map(first.__eq__, map(tuple, map(_DICT, members)))):  # none held: no memory
        return [Group(cls, first, members)]
    found: dict[tuple[str, ...], list[nn.Module]] = {}
    for module in members:
        found.setdefault(tuple(module.__dict__), []).append(module)
    return [Group(cls, keys, group) for keys, group in found.items()]


Part = tuple[type, int, int]
"""A module's class and the numbers of its layout and of its attributes: its
description but for its children."""


def _attribute_numbers(cls: type, members: list[nn.Module], numbers: Numbers,
                       ) -> list[int | None]:
    """The numbers of a group's attribute rows (``None``: a module without a fingerprint):
    none when netviz cannot read the class's code or the modules have a forward of their
    own."""
    plain = READABLE.get(cls)
    if plain is None:
        plain = READABLE[cls] = readable(cls)
    dicts = list(map(_DICT, members))
    try:
        if plain:
            rows, refused = attribute_rows(dicts, plan(dicts[0]))
            found: list[int | None] = list(map(numbers.__getitem__, rows))
            for i in refused:
                found[i] = None
            return found
    except Unsafe:
        pass
    return [None] * len(members)


def _tensors_held_twice(order: list[nn.Module]) -> set[int]:
    """``id``s of the tensors held by two of the modules (or twice by one)."""
    held = Counter(id(tensor) for module in order
                   for table in (module._parameters, module._buffers)
                   for tensor in table.values() if tensor is not None)
    return {i for i, count in held.items() if count > 1}


def _refuse_holders(shared: set[int], parts: list) -> None:
    """No attributes (so no fingerprint) for the modules holding a tensor of ``shared``."""
    for _, members, _, attrs in parts:
        for i, module in enumerate(members):
            held = (*module._parameters.values(), *module._buffers.values())
            if not shared.isdisjoint(map(id, held)):
                attrs[i] = None


def _number_leaves(parts: list, inner: set[int], numbers: Numbers,
                   keys: dict[int, Fingerprint], listed: list[nn.Module]) -> dict[int, Part]:
    """Number the childless modules of each group (their fingerprints put in ``keys``,
    themselves in ``listed``); the parts of the others, by ``id``."""
    held: dict[int, Part] = {}
    for cls, members, layouts, attrs in parts:
        if (inner and not inner.isdisjoint(map(id, members))) or None in attrs:
            leaves = []
            for module, layout, row in zip(members, layouts, attrs):
                if row is None:
                    continue
                if id(module) in inner:
                    held[id(module)] = (cls, layout, row)
                else:
                    leaves.append((module, layout, row))
            members = [module for module, _, _ in leaves]
            layouts = [layout for _, layout, _ in leaves]
            attrs = [row for _, _, row in leaves]
        found = list(map(numbers.__getitem__, zip(repeat(cls), repeat(()), layouts, attrs)))
        keys.update(zip(map(id, members), found))
        listed += members
    return held


def _inner_key(module: nn.Module, part: Part, twice: set[int], numbers: Numbers,
               keys: dict[int, Fingerprint]) -> Fingerprint | None:
    """The fingerprint of a module with children, all numbered before (``None``: one
    has none, or is reachable by two paths)."""
    cls, layout, row = part
    children = module._modules
    kids = list(children.values())
    found = list(map(keys.get, map(id, kids)))
    if None in found:
        if any(kid is not None and keys.get(id(kid)) is None for kid in kids):
            return None
        found = [None if kid is None else key for kid, key in zip(kids, found)]
    if twice and not twice.isdisjoint(id(kid) for kid in kids if kid is not None):
        return None
    return numbers[(cls, tuple(zip(children, found)), layout, row)]


_DICT = attrgetter("__dict__")


class Tree(NamedTuple):
    """A model's module tree, each module once (see ``module_tree``).

    Attributes:
        order: The modules, a module before its children.
        inner: Those with children, in the same order.
        twice: ``id``s of the modules reachable by two paths (held twice).
        classes: The modules by class, each class's in the order of ``order``.
        leaves: Those without children, in the same order.
        held: The children of each of ``inner`` (``None`` entries too), as met.
    """

    order: list[nn.Module]
    inner: list[nn.Module]
    twice: set[int]
    classes: dict[type, list[nn.Module]]
    leaves: list[nn.Module]
    held: list[tuple[nn.Module | None, ...]]


def module_tree(root: nn.Module) -> Tree:
    """``root`` and its submodules, each once (a module held twice: where first met)."""
    order: list[nn.Module] = []
    inner: list[nn.Module] = []
    leaves: list[nn.Module] = []
    held: list[tuple[nn.Module | None, ...]] = []
    twice: set[int] = set()
    classes: dict[type, list[nn.Module]] = {}
    seen = {id(root)}
    todo = [root]
    while todo:
        module = todo.pop()
        order.append(module)
        cls = type(module)
        same = classes.get(cls)
        if same is None:
            classes[cls] = [module]
        else:
            same.append(module)
        children = module._modules
        if not children:
            leaves.append(module)
            continue
        inner.append(module)
        values = tuple(children.values())
        held.append(values)
        kids = [child for child in values if child is not None]
        ids = list(map(id, kids))
        size = len(seen)
        if seen.isdisjoint(ids):
            seen.update(ids)
            if len(seen) == size + len(ids):  # each one once
                todo += reversed(kids)
                continue
            seen.difference_update(ids)
        for kid, i in zip(kids[::-1], ids[::-1]):
            if i in seen:
                twice.add(i)
            else:
                seen.add(i)
                todo.append(kid)
    return Tree(order, inner, twice, classes, leaves, held)


def unchanged(tree: Tree) -> bool:
    """Whether the module tree is still ``tree``: every module without children still
    has none, every other one holds the very same children (by identity, in order)."""
    if any(map(len, map(_MODULES, tree.leaves))):
        return False
    now = list(map(tuple, map(dict.values, map(_MODULES, tree.inner))))
    if list(map(len, now)) != list(map(len, tree.held)):
        return False
    return all(map(operator.is_, chain.from_iterable(now), chain.from_iterable(tree.held)))


_MODULES = attrgetter("_modules")


def global_hooks() -> bool:
    """Whether module hooks are registered for every module (another tool's): then no
    module's trace or recorded forward is shared. torch's private tables, pinned in
    tests/tracing/test_repeats.py."""
    from torch.nn.modules import module as torch_module

    names = ("_global_forward_hooks", "_global_forward_pre_hooks", "_global_backward_hooks",
             "_global_backward_pre_hooks")
    return any(getattr(torch_module, name, None) for name in names)
