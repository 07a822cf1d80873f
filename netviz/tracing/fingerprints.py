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

[`model_fingerprints`][netviz.tracing.walk.model_fingerprints] finds them in one walk
of the module tree, reading the modules a group at a time: the modules of one class
with the same ``__dict__`` keys, their attributes
([`attribute_rows`][netviz.tracing.fingerprints.attribute_rows]) and parameter and
buffer layouts ([`layout_rows`][netviz.tracing.fingerprints.layout_rows]) a column at
a time. The one-module form of a layout (``tensor_layout``) says the same.
"""

from __future__ import annotations

import operator
import types
from collections.abc import Callable, Hashable, Iterable, Sequence, Set as AbstractSet
from itertools import chain, repeat
from typing import Any, NamedTuple

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
CALLED_HOOKS = frozenset({
    "_forward_hooks", "_forward_pre_hooks", "_backward_hooks", "_backward_pre_hooks",
})
"""The registries ``nn.Module.__call__`` runs hooks from (its check for hooks; the others
only say how to call those): a module has a hook when one of them holds one.
``tests/tracing/test_fingerprint_code.py`` pins it."""
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


def plan(found: dict[str, Any]) -> Plan:
    """How to read the attributes of a module whose ``__dict__`` is ``found``: made once
    per set of keys (in order), kept in ``_PLANS``.

    Raises:
        Unsafe: An instance-level ``forward``.
    """
    keys = tuple(found)
    made = _PLANS.get(keys)
    if made is None:
        if "forward" in found:
            raise Unsafe("instance-level forward")
        names = tuple(k for k in keys if k not in SKIPPED and k not in HOOKS)
        made = _PLANS[keys] = (_getter(tuple(k for k in keys if k in CALLED_HOOKS)), names,
                               _getter(names))
    return made


def attribute_rows(dicts: list[dict[str, Any]], made: Plan,
                   ) -> tuple[Iterable[tuple[Hashable, ...]], set[int]]:
    """The plain attributes of modules whose ``__dict__``s are ``dicts`` (all with the
    keys ``made`` was planned for), read column by column: one attribute of every module
    at once, its values' types checked together.

    A module's row holds the attributes' names, what the column of each says of every
    module (its values' type; a float column without zeros or nans; an empty-set column),
    then the values themselves where that makes them compare as ``_frozen`` ones do (plain
    values of one type, tuples of ints), else their ``_frozen`` form. Two rows are equal
    when the two modules' attributes ``_frozen`` equally; rows are made when iterated,
    so that a deep model's are not all held at once.

    Returns:
        The rows, in the order of ``dicts``, and the places of the modules refused (a
        hook, an attribute ``_frozen`` refuses): their rows are to be ignored.
    """
    hooks, names, values = made
    count = len(dicts)
    refused: set[int] = set()
    if any(map(any, map(hooks, dicts))):
        refused.update(i for i, found in enumerate(dicts) if any(hooks(found)))
    rows = list(map(values, dicts))
    said: list[Hashable] = []  # per column, what it says of every module
    kept: list[int] = []  # the columns whose values are kept as they are
    frozen: list[Iterable[Hashable]] = []  # the other columns, in another form
    for place, column in enumerate(zip(*rows)):
        kinds = set(map(type, column))
        kind = kinds.pop() if len(kinds) == 1 else None
        if kind is float and 0.0 not in column and not any(map(operator.ne, column, column)):
            said.append(kind)  # no -0.0 to tell from 0.0, no nan unequal to itself
        elif kind in SIMPLE or (kind is tuple and _INTS.issuperset(
                map(type, chain.from_iterable(column)))):
            said.append(kind)  # widths, flags, names; kernel sizes, strides
        elif kind is set and not any(column):  # nn.Module's _non_persistent_buffers_set
            said.append(_EMPTY_SETS)
            continue
        elif kind is list and _INTS.issuperset(map(type, chain.from_iterable(column))):
            said.append(kind)  # a conv's padding
            frozen.append(map(tuple, column))
            continue
        else:
            said.append(None)
            frozen.append(_frozen_column(column, refused))
            continue
        kept.append(place)
    head = (names, tuple(said))
    if len(kept) == len(said):
        return zip(repeat(head), rows), refused
    return zip(repeat(head), map(_getter(kept), rows), *frozen), refused


_EMPTY_SETS = "empty sets"
"""What an attribute column says when every module holds an empty set there."""


def _frozen_column(column: tuple[Any, ...], refused: set[int]) -> list[Hashable]:
    """``_frozen`` of each value, the places of those it refuses added to ``refused``."""
    out: list[Hashable] = []
    for i, value in enumerate(column):
        try:
            out.append(_frozen(value, DEPTH))
        except Unsafe:
            out.append(None)
            refused.add(i)
    return out


def layout_rows(modules: list[nn.Module], seen: set[int],
                numbers: dict[Hashable, int] | None = None) -> Layouts:
    """The layouts of ``modules``' own parameters and buffers, read slot by slot (one
    parameter or buffer name of every module at once); the ``id``s of the tensors read
    added to ``seen``.

    A module's row holds the names of its parameters and buffers, then per slot the
    number (in ``numbers``, a ``Numbers``) of what it holds there: a tensor's type, shape,
    dtype, device and gradient flag, or ``None``. Two rows are equal when the two
    ``tensor_layout``s are. Each tensor is read once, what it is numbered at once (not
    held: a deep model's would take fresh memory, whose page faults cost more than
    reading them).
    """
    numbers = Numbers() if numbers is None else numbers
    params = list(map(_PARAMETERS, modules))
    buffers = list(map(_BUFFERS, modules))
    slots = list(zip(map(tuple, params), map(tuple, buffers)))
    first = slots[0]
    count = len(modules)
    if slots.count(first) != count:  # modules with other names: each kind apart
        return _split_layouts(modules, slots, seen, numbers)
    if first == ((), ()):
        return Layouts(repeat((), count), 0, 0)
    columns: list[list[int | None]] = []
    read = 0
    total: int | None = 0
    number = numbers.__getitem__
    for names, tables, counted in ((first[0], params, True), (first[1], buffers, False)):
        for name in names:
            tensors = list(map(operator.itemgetter(name), tables))
            kinds: list[type] = list(map(type, tensors))
            if kinds.count(kinds[0]) == count and kinds[0] is not _NONE:
                columns.append(list(map(number, map(_ENTRY, tensors))))
            else:  # some hold no tensor there, or another type
                columns.append([None if tensor is None else number(_ENTRY(tensor))
                                for tensor in tensors])
                tensors = [tensor for tensor in tensors if tensor is not None]
                kinds = list(map(type, tensors))
            seen.update(map(id, tensors))
            read += len(tensors)
            if counted and total is not None:
                total = total + sum(map(torch.Tensor.numel, tensors)) \
                    if kinds.count(nn.Parameter) == len(kinds) else None
    return Layouts(zip(repeat(first, count), *columns), read, total)


class Numbers(dict[Hashable, int]):
    """A number per description, the next one for a description not met before."""

    def __missing__(self, description: Hashable) -> int:
        number = self[description] = len(self)
        return number


def _split_layouts(modules: list[nn.Module], slots: Sequence[Hashable], seen: set[int],
                   numbers: dict[Hashable, int]) -> Layouts:
    """``layout_rows`` of modules whose parameter or buffer names differ: read for each
    set of names apart."""
    places: dict[Hashable, list[int]] = {}
    for i, names in enumerate(slots):
        places.setdefault(names, []).append(i)
    rows: list[tuple[Hashable, ...]] = [()] * len(modules)
    read = 0
    total: int | None = 0
    for where in places.values():
        part = layout_rows([modules[i] for i in where], seen, numbers)
        for i, row in zip(where, part.rows):
            rows[i] = row
        read += part.read
        total = None if total is None or part.params is None else total + part.params
    return Layouts(rows, read, total)


class Layouts(NamedTuple):
    """What ``layout_rows`` read.

    Attributes:
        rows: Each module's layout, in order.
        read: How many tensors were read (their ``id``s added to ``seen``: fewer new
            ones means a tensor held twice).
        params: The number of elements of the parameters; ``None`` when one is not an
            ``nn.Parameter`` (a lazy layer's, a subclass).
    """

    rows: Iterable[tuple[Hashable, ...]]
    read: int
    params: int | None


def _getter(keys: Sequence[Any]) -> Callable[[Any], tuple[Any, ...]]:
    """A function giving the items of a dict or tuple at ``keys``, as a tuple (what
    ``operator.itemgetter`` gives for two keys or more)."""
    if len(keys) >= 2:
        return operator.itemgetter(*keys)
    if keys:
        key = keys[0]
        return lambda found: (found[key],)
    return lambda found: ()


_Getter = Callable[[dict[str, Any]], tuple[Any, ...]]
Plan = tuple[_Getter, tuple[str, ...], _Getter]
"""A getter of the hook registries among a ``__dict__``'s keys, the attributes compared
and a getter of their values."""
_PLANS: dict[tuple[str, ...], Plan] = {}
"""The plan of each set of ``__dict__`` keys (in order), filled as modules are met."""
_INTS = frozenset({int})
_NONE = type(None)
_PARAMETERS = operator.attrgetter("_parameters")
_BUFFERS = operator.attrgetter("_buffers")
_ENTRY = operator.attrgetter("__class__", "shape", "dtype", "device", "requires_grad")


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
