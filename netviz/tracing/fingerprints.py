"""Which submodules of a model give the same graph when traced: their fingerprints.

Two modules share a fingerprint when they are of the same class (so the same forward
code), hold the same non-tensor attributes (everything in their ``__dict__`` that is not
a submodule, parameter or buffer: widths, flags, a drop rate, a padding mode), the same
parameters and buffers by name, shape, dtype and device, and children that share
fingerprints under the same names, recursively. The tracer traces one module of each
fingerprint (for each way it is called) and stamps the others from it
([`netviz.tracing.stamps`][netviz.tracing.stamps]).

A module has no fingerprint (it is always traced for itself) when sharing would be
unsafe: hooks registered on it, a forward that is not plain Python code netviz can read
(an instance-level ``forward``, a wrapped or closure-holding method: see
[`netviz.tracing.readable`][netviz.tracing.readable]), code that writes
global variables or reads mutable ones, a tensor or unregistered module kept as a plain
attribute, a parameter, buffer or submodule it shares with another part of the model,
an attribute netviz cannot compare, or a child without a fingerprint.

[`model_fingerprints`][netviz.tracing.fingerprints.model_fingerprints] finds them in one
walk of the module tree, noting every module and tensor met: when one is met twice
(shared), it walks again knowing which (``shared_ids``). The walk counts the model's
parameters on the way.
"""

from __future__ import annotations

import operator
import types
from collections.abc import Callable, Hashable, Set as AbstractSet
from typing import Any

import torch
from torch import nn

from netviz.tracing.readable import PLAIN, READABLE, readable

STRUCTURE = frozenset({"_parameters", "_buffers", "_modules"})
"""``__dict__`` entries compared through the structure (shapes, children), not as values."""
HOOKS = frozenset({
    "_forward_hooks", "_forward_hooks_with_kwargs", "_forward_hooks_always_called",
    "_forward_pre_hooks", "_forward_pre_hooks_with_kwargs", "_backward_hooks",
    "_backward_pre_hooks",
})
"""Hook registries: a module with any hook in them is never stamped."""
IGNORED = frozenset({
    "_state_dict_hooks", "_state_dict_pre_hooks", "_load_state_dict_pre_hooks",
    "_load_state_dict_post_hooks", "_is_full_backward_hook",
})
"""Bookkeeping a forward never reads (saving and loading weights)."""
SKIPPED = STRUCTURE | IGNORED
SIMPLE = frozenset({type(None), bool, int, str})
DEPTH = 6  # nesting depth of attribute values compared (deeper: not compared, unsafe)


class Unsafe(Exception):
    """Sharing this module's trace (or its recorded forward) could differ from tracing it."""


Fingerprint = Hashable


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
        modules: The modules ``keys`` holds, in the order they were fingerprinted (the
            order of ``keys``), each once; ``None`` when a module is reachable by two
            paths.
        params: ``sum(p.numel() for p in root.parameters())``, found on the way;
            ``None`` when not (a module or tensor reachable by two paths, global hooks,
            a parameter of another type than ``nn.Parameter``).
    """

    __slots__ = ("keys", "modules", "params")

    def __init__(self, keys: dict[int, Fingerprint], modules: list[nn.Module] | None,
                 params: int | None = None) -> None:
        self.keys = keys
        self.modules = modules
        self.params = params


class _SeenTwice(Exception):
    """A module or tensor is reachable by two paths: walk again knowing which."""


def model_fingerprints(root: nn.Module) -> Fingerprints:
    """The fingerprints of ``root``'s submodules (see ``fingerprints``), and its parameter
    count, in one walk when no module or tensor is reachable by two paths (the usual
    case: found on the way); else in two, the first finding ``shared_ids``."""
    if _global_hooks():
        return Fingerprints({}, [])
    found: dict[int, Fingerprint] = {}
    modules: list[nn.Module] = []
    walk = _Walk(frozenset(), found, modules, set())
    try:
        walk.visit(root)
        return Fingerprints(found, modules, walk.params)
    except _SeenTwice:
        pass
    found = {}
    _Walk(shared_ids(root), found, [], None).visit(root)
    return Fingerprints(found, None)


def _global_hooks() -> bool:
    from torch.nn.modules import module as torch_module

    names = ("_global_forward_hooks", "_global_forward_pre_hooks", "_global_backward_hooks",
             "_global_backward_pre_hooks")
    return any(getattr(torch_module, name, None) for name in names)


def shared_ids(root: nn.Module) -> set[int]:
    """``id``s of modules, parameters and buffers reachable from ``root`` by two paths."""
    seen: set[int] = set()
    twice: set[int] = set()
    todo = [root]
    while todo:  # each module once: a shared one is met again below its second parent
        module = todo.pop()
        for child in module._modules.values():
            if child is None:
                continue
            if id(child) in seen:
                twice.add(id(child))
            else:
                seen.add(id(child))
                todo.append(child)
        for table in (module._parameters, module._buffers):
            for tensor in table.values():
                if tensor is not None:
                    (twice if id(tensor) in seen else seen).add(id(tensor))
    return twice


class _Walk:
    """One walk giving fingerprints. A fingerprint is a small number: the same number for
    the same description (class, children's numbers, tensors, attributes), given through
    ``numbers``, so that a deep block's description is hashed once, not again in every
    enclosing one's.

    Given ``seen`` (a first walk, ``shared`` empty), it notes the ``id`` of every module
    and tensor met, raises ``_SeenTwice`` at one met again, and counts parameters."""

    def __init__(self, shared: AbstractSet[int], found: dict[int, Fingerprint],
                 modules: list[nn.Module], seen: set[int] | None) -> None:
        self.shared = shared
        self.found = found
        self.modules = modules
        self.seen = seen
        self.numbers: dict[Hashable, int] = {}
        self.params: int | None = 0

    def visit(self, module: nn.Module) -> Fingerprint | None:
        """The fingerprint of ``module`` (``None``: none), those of its submodules put in
        ``found``."""
        seen, shared = self.seen, self.shared
        layout = self._noted_layout(module, seen) if seen is not None else None
        children: list[tuple[str, Fingerprint | None]] = []
        safe = True
        for name, child in module._modules.items():
            if child is None:
                children.append((name, None))
                continue
            if seen is not None:
                if id(child) in seen:
                    raise _SeenTwice
                seen.add(id(child))
            key = self.visit(child)
            safe = safe and key is not None and id(child) not in shared
            children.append((name, key))
        if not safe:
            return None
        cls = type(module)
        plain = READABLE.get(cls)
        if plain is None:
            plain = READABLE[cls] = readable(cls)
        if not plain:
            return None
        try:
            if layout is None:
                layout = tensor_layout(module, shared)
            description = (cls, tuple(children), layout, _attributes(module))
        except Unsafe:
            return None
        numbers = self.numbers
        key = numbers.setdefault(description, len(numbers))
        self.found[id(module)] = key
        self.modules.append(module)
        return key

    def _noted_layout(self, module: nn.Module, seen: set[int]) -> tuple[Hashable, ...]:
        """``tensor_layout`` of ``module`` (nothing being shared), its parameters and
        buffers noted as seen, its parameters counted."""
        params, buffers = module._parameters, module._buffers
        if not params and not buffers:
            return ()
        out: list[Hashable] = []
        append = out.append
        for kind, table in (("p", params), ("b", buffers)):
            if not table:
                continue
            for name, tensor in table.items():
                if tensor is None:
                    append((kind, name, None))
                    continue
                if id(tensor) in seen:
                    raise _SeenTwice
                seen.add(id(tensor))
                cls = type(tensor)
                if kind == "p" and self.params is not None:
                    if cls is nn.Parameter:
                        self.params += tensor.numel()
                    else:  # a lazy layer's, a subclass: left to _param_count
                        self.params = None
                # _entry, inline
                append((kind, name, cls, tensor.shape, tensor.dtype, tensor.device,
                        tensor.requires_grad))
        return tuple(out)


def tensor_layout(module: nn.Module, shared: AbstractSet[int]) -> tuple[Hashable, ...]:
    """The layout of ``module``'s own parameters and buffers, by name: type, shape, dtype,
    device, gradient flag.

    Raises:
        Unsafe: One of them is in ``shared`` (reachable by two paths).
    """
    out: list[Hashable] = []
    for kind, table in (("p", module._parameters), ("b", module._buffers)):
        if not table:
            continue
        for name, tensor in table.items():
            if tensor is None:
                out.append((kind, name, None))
                continue
            if id(tensor) in shared:
                raise Unsafe(name)
            out.append(_entry(kind, name, tensor))
    return tuple(out)


def _entry(kind: str, name: str, tensor: torch.Tensor) -> tuple[Hashable, ...]:
    """One parameter's (``kind`` ``"p"``) or buffer's (``"b"``) part of a layout."""
    return (kind, name, type(tensor), tensor.shape, tensor.dtype, tensor.device,
            tensor.requires_grad)


def _attributes(module: nn.Module) -> tuple[Hashable, ...]:
    """``module``'s plain attributes (not its structure nor bookkeeping): their names,
    then each one's type and value (``SIMPLE`` types) or its frozen value.

    Raises:
        Unsafe: A hook registered on it, an instance-level ``forward``, an attribute
            ``_frozen`` refuses.
    """
    found = module.__dict__
    keys = tuple(found)
    plan = _PLANS.get(keys)
    if plan is None:
        if "forward" in found:
            raise Unsafe("instance-level forward")
        names = tuple(k for k in keys if k not in SKIPPED and k not in HOOKS)
        plan = _PLANS[keys] = (_getter(tuple(k for k in keys if k in HOOKS)), names,
                               _getter(names))
    hooks, names, values = plan
    if any(hooks(found)):
        raise Unsafe("a hook")
    out: list[Any] = [names]
    append = out.append
    for value in values(found):
        kind = type(value)
        if kind in SIMPLE:  # most of them: widths, flags, names
            append(kind)
            append(value)
        elif kind is tuple and _INTS.issuperset(map(type, value)):  # as _frozen gives them
            append((kind, value))  # a kernel size, a stride
        elif kind is float:
            append((kind, repr(value)))
        elif kind is set and not value:  # nn.Module's _non_persistent_buffers_set
            append((kind, frozenset()))
        elif kind is list and _INTS.issuperset(map(type, value)):  # a conv's padding
            append((kind, tuple([(int, item) for item in value])))
        else:
            append(_frozen(value, DEPTH))
    return tuple(out)


def _getter(names: tuple[str, ...]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """A function giving the values of a dict at ``names``, as a tuple."""
    if len(names) >= 2:
        return operator.itemgetter(*names)
    if names:
        name = names[0]
        return lambda found: (found[name],)
    return lambda found: ()


_Getter = Callable[[dict[str, Any]], tuple[Any, ...]]
_PLANS: dict[tuple[str, ...], tuple[_Getter, tuple[str, ...], _Getter]] = {}
"""Per set of ``__dict__`` keys (in order): a getter of the hook registries among them,
the attributes compared and a getter of their values, filled as modules are met."""
_INTS = frozenset({int})


def _frozen(value: Any, depth: int) -> Hashable:
    """A hashable stand-in for an attribute value, equal for values the forward cannot
    tell apart (plain values by value, code and shared objects by identity)."""
    kind = type(value)
    if kind in SIMPLE:
        return (kind, value)
    if kind is tuple and _INTS.issuperset(map(type, value)):
        return (kind, value)
    if kind is float:
        return (kind, repr(value))  # nan equal to itself, -0.0 apart from 0.0
    if isinstance(value, PLAIN):
        return (kind, value)
    if isinstance(value, (torch.Tensor, nn.Module)):
        raise Unsafe("a tensor or module kept as a plain attribute")
    if depth <= 0:
        raise Unsafe("attribute nested too deep")
    if kind in (tuple, list, torch.Size) or isinstance(value, tuple):
        return (kind, tuple(_frozen(item, depth - 1) for item in value))
    if isinstance(value, (set, frozenset)):
        return (kind, frozenset(_frozen(item, depth - 1) for item in value))
    if isinstance(value, dict):
        return (kind, tuple((_frozen(k, depth - 1), _frozen(v, depth - 1))
                            for k, v in value.items()))
    if isinstance(value, types.MethodType):
        raise Unsafe("a bound method kept as an attribute")
    return (kind, "id", id(value))  # code, classes, a shared configuration object
