"""Whether netviz can read a module class's code: the part of a
[fingerprint][netviz.tracing.fingerprints] that looks at code, not values.

A class is readable when every method it defines (outside ``torch.nn``) is plain Python
code that writes no global variable and reads no mutable one, and its ``forward`` is a
plain function: then two modules of the class with the same attributes trace alike.
"""

from __future__ import annotations

import dis
import enum
import types
from collections.abc import Iterator
from typing import Any

import torch

PLAIN = (type(None), bool, int, float, complex, str, bytes, torch.dtype, torch.device,
         torch.layout, torch.memory_format, enum.Enum, range, slice)
"""Immutable value types: compared by value in fingerprints, constant as globals."""
_CODE = (types.FunctionType, types.BuiltinFunctionType, types.ModuleType, type,
         types.MethodDescriptorType, types.WrapperDescriptorType, types.MethodWrapperType)
_WRITES_GLOBAL_OPS = tuple(dis.opmap[name] for name in ("DELETE_GLOBAL", "STORE_GLOBAL"))


READABLE: dict[type, bool] = {}
"""``readable(cls)`` of each class met, filled as they are met."""


def readable(cls: type) -> bool:
    """Whether every method ``cls`` defines (outside ``torch.nn``) is plain Python code that
    writes no global variable and reads no mutable one."""
    for klass in cls.__mro__:
        if klass.__module__.startswith("torch.nn") or klass is object:
            continue
        for value in vars(klass).values():
            function = value.__func__ if isinstance(value, (staticmethod, classmethod)) else value
            if not isinstance(function, types.FunctionType):
                continue
            if not _plain_code(function):
                return False
    forward = getattr(cls, "forward", None)
    return isinstance(forward, types.FunctionType)


def _plain_code(function: types.FunctionType) -> bool:
    if any(name != "__class__" for name in function.__code__.co_freevars):
        return False  # a closure: its cells may hold anything
    names = function.__globals__
    for code in _codes(function.__code__):
        if writes_global(code):
            return False
        for name in code.co_names:
            if name in names and not _constant_global(names[name]):
                return False
    return True


def writes_global(code: types.CodeType) -> bool:
    """Whether ``code`` (not the code nested in it) writes or deletes a global variable.

    CPython's bytecode is 2-byte code units, opcode then argument (``EXTENDED_ARG`` is a
    unit of its own, inline caches read back as ``CACHE`` units, opcode 0): the opcodes
    are ``co_code``'s even bytes, as ``dis.get_instructions`` reads them, without making
    an ``Instruction`` per unit (most of the fingerprints' first-call cost).
    ``tests/tracing/test_fingerprint_code.py`` pins that both agree.
    """
    opcodes = code.co_code[::2]
    return any(op in opcodes for op in _WRITES_GLOBAL_OPS)


def _codes(code: types.CodeType) -> Iterator[types.CodeType]:
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _codes(const)


def _constant_global(value: Any) -> bool:
    """Globals a forward may read without its trace depending on when it runs: code,
    classes, modules and immutable values."""
    if isinstance(value, _CODE) or isinstance(value, PLAIN):
        return True
    if isinstance(value, (tuple, frozenset)):
        return all(_constant_global(item) for item in value)
    return False
