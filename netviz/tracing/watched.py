"""Which attributes a block's forward reads: data descriptors watching attributes that
differ among alike blocks (see [`netviz.tracing.repeats`][netviz.tracing.repeats]).

A watched attribute stays where it was, in each instance's ``__dict__``; for the one
forward, the class holds a data descriptor of the same name (found before the instance's
``__dict__``) that gives the instance's value and, while a block is recorded in this
thread, notes the read. Every other thread and instance sees the same values as
without it. Only names no class in the MRO defines are watched (a descriptor would hide
a class attribute or property), on classes with the usual attribute lookup (no
``__getattribute__`` of their own); the others are returned as unwatchable (counted as
read). A read straight from ``__dict__`` or ``vars()`` is not seen.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
import threading
from contextvars import ContextVar
from typing import Any

from netviz.tracing.alike import Group

class Reads:
    """The watched attributes a recorded block's forward reads, and whether it writes one."""

    def __init__(self, modules: dict[int, str]) -> None:
        self.modules = modules  # id of each module of the block -> its relative path
        self.read: dict[tuple[str, str], None] = {}
        self.wrote = False

    def note(self, module: Any, name: str) -> None:
        rel = self.modules.get(id(module))
        if rel is not None:
            self.read[(rel, name)] = None


_TRACKING: ContextVar[Reads | None] = ContextVar("netviz_block_reads", default=None)


@contextmanager
def tracking(reads: Reads) -> Iterator[Reads]:
    """Note in ``reads`` the watched attributes read in this context (this thread)."""
    token = _TRACKING.set(reads)
    try:
        yield reads
    finally:
        _TRACKING.reset(token)


class Watch:
    """A data descriptor standing for a plain instance attribute (kept in the instance's
    ``__dict__`` as before) that notes the reads of the block being recorded."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            raise AttributeError(self.name)
        try:
            value = obj.__dict__[self.name]
        except KeyError:
            raise AttributeError(self.name) from None
        reads = _TRACKING.get()
        if reads is not None:
            reads.note(obj, self.name)
        return value

    def __set__(self, obj: Any, value: Any) -> None:
        reads = _TRACKING.get()
        if reads is not None:
            reads.wrote = True
        obj.__dict__[self.name] = value

    def __delete__(self, obj: Any) -> None:
        reads = _TRACKING.get()
        if reads is not None:
            reads.wrote = True
        try:
            del obj.__dict__[self.name]
        except KeyError:
            raise AttributeError(self.name) from None


_LOCK = threading.Lock()
_USERS: dict[tuple[type, str], int] = {}  # forwards using each installed descriptor


def watch(group: Group, installed: list[tuple[type, str]]) -> frozenset[tuple[str, str]]:
    """Install the descriptors of ``group``'s watched attributes (each added to
    ``installed``, for ``unwatch``); those that cannot be watched are returned. Two
    forwards at once (in two threads) share a descriptor: the last one removes it."""
    unwatchable = set()
    with _LOCK:
        for rel, name in group.watched:
            for member in group.members:
                cls = type(dict(member.modules)[rel])
                owner = next((k for k in cls.__mro__ if name in k.__dict__), None)
                if owner is None:
                    if cls.__getattribute__ is not object.__getattribute__:
                        unwatchable.add((rel, name))
                        continue
                    setattr(cls, name, Watch(name))
                    owner = cls
                elif not isinstance(owner.__dict__[name], Watch):
                    unwatchable.add((rel, name))  # a class attribute, a property
                    continue
                if (owner, name) not in installed:
                    _USERS[(owner, name)] = _USERS.get((owner, name), 0) + 1
                    installed.append((owner, name))
    return frozenset(unwatchable)


def unwatch(installed: list[tuple[type, str]]) -> None:
    """Remove the descriptors ``watch`` installed (unless another forward still uses one)."""
    with _LOCK:
        for cls, name in installed:
            users = _USERS.pop((cls, name), 1) - 1
            if users:
                _USERS[(cls, name)] = users
            elif isinstance(cls.__dict__.get(name), Watch):
                delattr(cls, name)
    installed.clear()
