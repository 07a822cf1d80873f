"""The source files a cached result depends on: recorded when it is made, checked on reuse.

A trace depends on every file that building the model and running its forward
executed. [`SourceRecorder`][netviz.cache.sources.SourceRecorder] finds them
cheaply, without tracing the interpreter: the modules imported while it is
active, plus the *import closure* of root objects (the model's classes, its
builder, netviz's own modules): their modules, and every module those reach
through their globals (``import helpers``, ``from blocks import Block``). Files of
the standard library and of torch are left out (torch's version is part of every
key). Each file is stored as a [`Source`][netviz.cache.sources.Source]: path, size,
modification time and a content hash, so a check costs one ``stat`` per file and
a file that was touched but not changed is read and found unchanged.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from types import BuiltinFunctionType, FunctionType, MethodType, ModuleType
from typing import Any

HASHED_BYTES = 4 * 1024 * 1024
"""Files up to this size get a content hash; larger ones (shared libraries) are
trusted by size and modification time alone."""

RACY_NS = 2_000_000_000
"""A file modified this recently when it is recorded may change again within the same
timestamp tick, so its time is not trusted later: it is always compared by content."""


@dataclass(frozen=True)
class Source:
    """One file a cached result depends on, as it was when the result was made.

    Attributes:
        path: Absolute, resolved path.
        size: Size in bytes.
        mtime_ns: Modification time; ``-1``: not trusted, always compare the content.
        digest: BLAKE2b of the content; ``""`` for files over ``HASHED_BYTES``.
    """

    path: str
    size: int
    mtime_ns: int
    digest: str

    def is_current(self) -> bool:
        """Whether the file still has the recorded content (a ``stat``, rarely a read)."""
        try:
            stat = os.stat(self.path)
        except OSError:
            return False
        if stat.st_size != self.size:
            return False
        if stat.st_mtime_ns == self.mtime_ns:
            return True
        return bool(self.digest) and _digest(self.path) == self.digest

    def as_list(self) -> list[Any]:
        """``[path, size, mtime_ns, digest]`` for an entry's JSON header."""
        return [self.path, self.size, self.mtime_ns, self.digest]

    @classmethod
    def from_list(cls, item: Any) -> Source:
        """The inverse of [`as_list`][netviz.cache.sources.Source.as_list].

        Raises:
            ValueError: ``item`` is not such a list.
        """
        if not (isinstance(item, list) and len(item) == 4):
            raise ValueError(f"malformed source record {item!r}")
        path, size, mtime_ns, digest = item
        if not (
            isinstance(path, str)
            and isinstance(size, int)
            and isinstance(mtime_ns, int)
            and isinstance(digest, str)
        ):
            raise ValueError(f"malformed source record {item!r}")
        return cls(path, size, mtime_ns, digest)


def all_current(sources: Iterable[Source]) -> bool:
    """Whether every file still has its recorded content."""
    return all(source.is_current() for source in sources)


def merge(*groups: Iterable[Source]) -> tuple[Source, ...]:
    """The sources of several groups, each path once, sorted by path."""
    by_path = {source.path: source for group in groups for source in group}
    return tuple(by_path[path] for path in sorted(by_path))


def snapshot(paths: Iterable[str]) -> tuple[Source, ...]:
    """Record ``paths`` as they are now (files that vanished are left out)."""
    now = time.time_ns()
    found = []
    for path in sorted(set(paths)):
        try:
            stat = os.stat(path)
            digest = _digest(path) if stat.st_size <= HASHED_BYTES else ""
        except OSError:
            continue
        mtime = stat.st_mtime_ns if now - stat.st_mtime_ns > RACY_NS else -1
        found.append(Source(path, stat.st_size, mtime, digest))
    return tuple(found)


class SourceRecorder:
    """Records the files a computation depends on (a context manager).

    A module loaded before the recording began whose file was modified since this
    process started may not be what the file now says (Python does not re-import
    it); then [`sources`][netviz.cache.sources.SourceRecorder.sources] is ``None``
    and nothing should be cached.

    Examples:
        >>> with SourceRecorder() as recorder:
        ...     import json  # modules imported inside are recorded
        >>> sources = recorder.sources()
    """

    def __init__(self) -> None:
        self._before: dict[str, int] = {}
        self._fresh: set[str] = set()
        self._roots: list[Any] = []

    def __enter__(self) -> SourceRecorder:
        self._before = {name: id(module) for name, module in list(sys.modules.items())}
        return self

    def __exit__(self, *exc: object) -> None:
        before = self._before
        self._fresh = {n for n, m in list(sys.modules.items()) if before.get(n) != id(m)}

    def add(self, *objects: Any) -> None:
        """Record the modules defining ``objects`` (classes, functions, modules, or
        instances: their class and its bases) and their import closures."""
        self._roots.extend(objects)

    def sources(self) -> tuple[Source, ...] | None:
        """Every recorded file as it is now; ``None`` if a loaded module may be stale."""
        skip = _Skipped()
        modules = [sys.modules[name] for name in self._fresh if name in sys.modules]
        modules += [m for name, m in list(sys.modules.items()) if _is_netviz(name)]
        for obj in self._roots:
            modules.extend(_defining_modules(obj))
        files: dict[str, bool] = {}  # path -> loaded before the recording began
        for module in _closure(modules, skip):
            path = skip.file(module)
            if path is not None:
                files[path] = files.get(path, True) and module.__name__ not in self._fresh
        recorded = snapshot(files)
        started = process_start_ns()
        if any(files[s.path] and _modified_since(s, started) for s in recorded):
            return None
        return recorded


def process_start_ns() -> int:
    """When this process started (Linux: from ``/proc``; elsewhere: when netviz's cache
    was imported), less a second for the coarse clocks involved."""
    try:
        with open("/proc/self/stat") as handle:
            ticks = int(handle.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/stat") as handle:
            boot = next(int(line.split()[1]) for line in handle if line.startswith("btime "))
        started = boot + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        started = _IMPORTED
    return int((started - 1.0) * 1e9)


def _modified_since(source: Source, since_ns: int) -> bool:
    try:
        return os.stat(source.path).st_mtime_ns >= since_ns
    except OSError:
        return True


_IMPORTED = time.time()
"""When this module was imported: the process's start where ``/proc`` is missing."""


class _Skipped:
    """Which module files are not recorded: the standard library's and torch's."""

    def __init__(self) -> None:
        import sysconfig

        paths = sysconfig.get_paths()
        self._stdlib = _folders(paths[key] for key in ("stdlib", "platstdlib") if key in paths)
        torch_file = getattr(sys.modules.get("torch"), "__file__", None)
        self._torch = _folders([os.path.dirname(torch_file)] if torch_file else [])
        self._files: dict[str, str | None] = {}

    def file(self, module: ModuleType) -> str | None:
        """The module's resolved file, or ``None`` when it is not recorded."""
        name = module.__name__
        if name in self._files:
            return self._files[name]
        path = getattr(module, "__file__", None)
        resolved = None
        if isinstance(path, str) and not (path.startswith(self._torch) or self._in_stdlib(path)):
            resolved = os.path.realpath(path)
            if resolved.startswith(self._torch) or self._in_stdlib(resolved):
                resolved = None
        self._files[name] = resolved
        return resolved

    def _in_stdlib(self, path: str) -> bool:
        if not path.startswith(self._stdlib):
            return False
        return not any(part in path for part in ("site-packages", "dist-packages"))


def _folders(paths: Iterable[str]) -> tuple[str, ...]:
    """Each folder as written and resolved, with a trailing separator (for ``startswith``)."""
    found: list[str] = []
    for path in paths:
        for variant in (os.path.abspath(path), os.path.realpath(path)):
            found.append(os.path.join(variant, ""))
    return tuple(dict.fromkeys(found))


def _is_netviz(name: str) -> bool:
    return name == "netviz" or name.startswith("netviz.")


def _defining_modules(obj: Any) -> Iterator[ModuleType]:
    """The modules defining ``obj`` (for an instance: its class and every base)."""
    if isinstance(obj, ModuleType):
        yield obj
        return
    if isinstance(obj, (FunctionType, MethodType, BuiltinFunctionType)):
        names = [getattr(obj, "__module__", None)]
    else:
        names = [cls.__module__ for cls in (obj if isinstance(obj, type) else type(obj)).__mro__]
    for name in dict.fromkeys(names):
        module = sys.modules.get(name) if isinstance(name, str) else None
        if module is not None:
            yield module


def _closure(roots: Iterable[ModuleType], skip: _Skipped) -> list[ModuleType]:
    """``roots`` and every recorded module they reach: through module globals, and for
    the user's own modules (outside site-packages and netviz) through their import
    statements too (``from helper import WIDTH`` leaves no module in the globals)."""
    seen: dict[str, ModuleType] = {}
    todo = list(roots)
    while todo:
        module = todo.pop()
        name = getattr(module, "__name__", None)
        path = skip.file(module)
        if not isinstance(name, str) or name in seen or path is None:
            continue
        seen[name] = module
        if not (_is_netviz(name) or _in_site_packages(path)):
            package = getattr(module, "__package__", None) or ""
            todo += [sys.modules[m] for m in _imported_names(path, package) if m in sys.modules]
        for value in list(vars(module).values()):
            kind = type(value)
            if issubclass(kind, ModuleType):
                todo.append(value)
            elif issubclass(kind, (type, FunctionType)):
                owner = sys.modules.get(getattr(value, "__module__", None) or "")
                if owner is not None:
                    todo.append(owner)
    return list(seen.values())


def _in_site_packages(path: str) -> bool:
    return any(part in path for part in ("site-packages", "dist-packages"))


def _imported_names(path: str, package: str) -> tuple[str, ...]:
    """Every module name an import statement of the Python file ``path`` may bind."""
    try:
        stat = os.stat(path)
    except OSError:
        return ()
    return _parsed_imports(path, stat.st_size, stat.st_mtime_ns, package)


@functools.lru_cache(maxsize=1024)
def _parsed_imports(path: str, size: int, mtime_ns: int, package: str) -> tuple[str, ...]:
    """:func:`_imported_names` of one version of the file (memoized by size and time)."""
    if not path.endswith(".py"):
        return ()
    import ast  # only when recording: a hit needs none of it

    try:
        with open(path, "rb") as handle:
            tree = ast.parse(handle.read(), path)
    except (OSError, SyntaxError, ValueError):
        return ()
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                names += [".".join(parts[: i + 1]) for i in range(len(parts))]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            if base:
                names.append(base)
                names += [f"{base}.{alias.name}" for alias in node.names]
    return tuple(dict.fromkeys(names))


def _digest(path: str) -> str:
    with open(path, "rb") as handle:
        return hashlib.blake2b(handle.read(), digest_size=16).hexdigest()
