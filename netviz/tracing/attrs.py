"""Hyper-parameters of layers and calls, as plain values, read as the op table says.

Values are ints, floats, strings, bools, ``None`` or tuples of those: never
torch objects, so the IR stays free of torch. A layer's attributes are read off
the module where its table entry says ([`From`][netviz.ops.record.From]); a
call's arguments are bound to its entry's parameters, tensors becoming
[`TensorArg`][netviz.ops.record.TensorArg]s, and its entry derives what it shows
from them. Pools keep exactly what the module stores (``AvgPool2d(8, stride=1)``
→ ``kernel_size=8, stride=1, padding=0``); convs keep their tuples.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import Enum
from typing import Any

import torch
from torch import nn

from netviz import ops
from netviz.ir import Attr
from netviz.ops import From, Op, TensorArg

_MISSING = object()
_SCALARS = frozenset({bool, int, float, str})
"""Exact types that are plain values as they are (subclasses such as enums go the long way)."""


def plain(value: Any) -> Any:
    """``value`` as a plain Python value, or ``_MISSING`` if it has no plain form."""
    kind = type(value)
    if value is None or kind in _SCALARS:
        return value
    if kind is tuple and all(type(v) in _SCALARS for v in value):
        return value  # the common case (conv sizes): already plain
    if isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, torch.Size):
        return tuple(int(v) for v in value)
    if isinstance(value, (torch.dtype, torch.device)):
        return str(value)
    if isinstance(value, (tuple, list)):
        items = tuple(plain(v) for v in value)
        return _MISSING if any(v is _MISSING for v in items) else items
    return _MISSING


def argument(value: Any) -> Any:
    """A call argument as a plain value: tensors as ``TensorArg``, lists of them as tuples;
    ``_MISSING`` for objects with no plain form."""
    if isinstance(value, torch.Tensor):
        return TensorArg(tuple(int(d) for d in value.shape), str(value.dtype))
    if isinstance(value, (tuple, list)) and any(isinstance(v, torch.Tensor) for v in value):
        items = tuple(argument(v) for v in value)
        return items if all(v is not _MISSING for v in items) else _MISSING
    return plain(value)


def operand_name(path: str) -> str:
    """Readable name of a parameter or constant operand (``"blocks.0.ls.gamma"`` → ``"gamma"``)."""
    name = path.rpartition(".")[2]
    return "const" if name.startswith("_tensor_constant") else name


def _shape_of(tensor: Any) -> tuple[int, ...] | None:
    try:
        return tuple(int(s) for s in tensor.shape)
    except (AttributeError, RuntimeError, ValueError, TypeError):
        return None  # absent, or a lazy (uninitialized) parameter


def _pack(pairs: Mapping[str, Any]) -> tuple[Attr, ...]:
    out = []
    for name, value in pairs.items():
        value = plain(value)
        if value is not _MISSING:
            out.append((name, value))
    return tuple(sorted(out, key=lambda kv: kv[0]))


def layer_op(module: nn.Module) -> Op | None:
    """The table entry of a layer: its class's, or that of the nearest base class it
    inherits ``forward`` from unchanged (``ParametrizedConv2d`` is a ``Conv2d``, a
    subclass with its own ``forward`` is a layer of its own)."""
    cls = type(module)
    for base in cls.__mro__:
        if base is nn.Module:
            return None
        op = ops.module_op(base.__name__, base.__module__)
        if op is not None:
            return op if getattr(cls, "forward", None) is getattr(base, "forward", None) else None
    return None


def layer_name(module: nn.Module, op: Op | None) -> str:
    """The name the IR records for a layer: its class's, or the table's name of the
    base class it is met as (``ParametrizedConv2d`` → ``Conv2d``)."""
    name = type(module).__name__
    if op is None or name in op.modules:
        return name
    for base in type(module).__mro__:
        if base.__name__ in op.modules:
            return base.__name__
    return name


def _read(module: nn.Module, source: From) -> Any:
    if source.how == "const":
        return source.value
    value: Any = module
    for part in source.path.split("."):
        value = value[int(part)] if part.isdigit() else getattr(value, part)
    if source.how == "present":
        return value is not None
    if source.how == "len":
        return len(value)
    if source.how == "shape":
        return _shape_of(value)
    return value


def _read_all(module: nn.Module, pairs: Sequence[tuple[str, From]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, source in pairs:
        try:
            value = plain(_read(module, source))
        except (AttributeError, IndexError, TypeError, KeyError):
            continue  # a layer without it (an empty stack)
        if value is not _MISSING:
            found[name] = value
    return found


def module_attrs(module: nn.Module, op: Op | None = None) -> tuple[Attr, ...]:
    """Sorted ``(name, value)`` attributes a layer shows (empty for layers the table
    does not know). ``op``: its entry, when the caller has it."""
    op = layer_op(module) if op is None else op
    if op is None or not op.layer_attrs:
        return ()
    return _pack(_read_all(module, op.layer_attrs))


def layer_rule_attrs(module: nn.Module, op: Op, shown: tuple[Attr, ...]) -> dict[str, Any]:
    """What a layer's rules read: the attributes it shows and the ones only they read."""
    found = dict(shown)
    found.update(_read_all(module, op.layer_reads))
    return found


def bound(
    op: Op, args: Sequence[Any], kwargs: Mapping[str, Any], *, layer: bool = False
) -> dict[str, Any] | None:
    """A call's arguments bound to its entry's parameters (``forward``'s for a ``layer``
    call) as plain values (tensors as ``TensorArg``); ``None`` when they do not fit, or
    one has no plain form."""
    values = [argument(a) for a in args]
    named = {k: argument(v) for k, v in kwargs.items()}
    if any(v is _MISSING for v in (*values, *named.values())):
        return None
    return op.bind(values, named, layer=layer)


def call_rule_attrs(op: Op, args: Sequence[Any], kwargs: Mapping[str, Any]) -> dict[str, Any] | None:
    """What a call's rules read: its bound arguments and what it shows; ``None`` when the
    arguments do not fit its entry."""
    found = bound(op, args, kwargs)
    if found is None:
        return None
    return {**found, **op.shown(found)}


def described_layer(
    module: nn.Module, args: Sequence[Any], kwargs: Mapping[str, Any]
) -> tuple[Op | None, tuple[Attr, ...], dict[str, Any] | None]:
    """A layer's call as the table describes it, for either tracer: the layer's entry
    (``None``: none), the attributes it shows, and what its rules read (its attributes
    and its bound ``forward`` arguments; ``None`` without an entry)."""
    op = layer_op(module)
    shown = module_attrs(module, op)
    if op is None:
        return None, shown, None
    rule_attrs = layer_rule_attrs(module, op, shown)
    rule_attrs.update((bound(op, args, kwargs, layer=True) or {}) if op.forward else {})
    return op, shown, rule_attrs


def described_call(
    name: str, args: Sequence[Any], kwargs: Mapping[str, Any]
) -> tuple[Op | None, dict[str, Any] | None, tuple[Attr, ...]]:
    """A call of the function or method ``name`` as the table describes it, for either
    tracer: its entry (``None``: none), what its rules read (``None``: no entry, or
    arguments that do not fit it) and the attributes it shows."""
    op = ops.lookup(name)
    rule_attrs = call_rule_attrs(op, args, kwargs) if op is not None else None
    shown = shown_attrs(op, rule_attrs) if op is not None and rule_attrs is not None else ()
    return op, rule_attrs, shown


def call_attrs(name: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> tuple[Attr, ...]:
    """Attributes of a functional call ``name(*args, **kwargs)`` on concrete values.

    ``name`` is the canonical name (``"avg_pool2d"``); for methods ``args[0]``
    is the tensor itself. Unknown names, and calls that do not fit their entry's
    parameters, give no attributes.
    """
    op = ops.lookup(name)
    if op is None:
        return ()
    found = bound(op, args, kwargs)
    if found is None:
        return ()
    return shown_attrs(op, found)


def shown_attrs(op: Op, found: Mapping[str, Any]) -> tuple[Attr, ...]:
    """The attributes a call with bound arguments ``found`` shows, packed for the IR."""
    return _pack({k: v for k, v in op.shown(found).items() if not isinstance(v, TensorArg)})
