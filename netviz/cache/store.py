"""The cache folder: one file per entry, written atomically, bounded in size.

An entry lives at ``<folder>/<kind>/<key>`` (its format: see
[`netviz.cache.entries`][netviz.cache.entries]). A file that does not parse, is short, or
whose payload does not match its hash is a miss; the next save replaces it.
Entries are written to a temporary file in the same folder and renamed into
place, so readers and concurrent writers only ever see whole entries. After a
save the folder is trimmed to [`SIZE_LIMIT`][netviz.cache.store.SIZE_LIMIT],
least recently used first (a hit refreshes an entry's modification time).
"""

from __future__ import annotations

import contextlib
import os
import re
import time
import warnings
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING

from netviz.errors import NetvizWarning, caller_stacklevel

if TYPE_CHECKING:
    from netviz.cache.entries import Entry, Usage

SIZE_LIMIT = 200 * 1024 * 1024
"""The folder is trimmed to this many bytes after each save."""

FOLDER_ENV = "NETVIZ_CACHE_DIR"
"""Environment variable naming the cache folder (default: the XDG cache folder)."""

OFF_ENV = "NETVIZ_NO_CACHE"
"""Environment variable that turns the cache off when set to anything but ``""`` or ``0``."""

_KEY = re.compile(r"[0-9a-f]{16,128}\Z")
_KIND = re.compile(r"[a-z]+\Z")
_STALE_TEMP_S = 3600
"""Temporary files older than this were left by a killed process; trimming removes them."""


def default_folder() -> Path:
    """``$NETVIZ_CACHE_DIR``, else ``$XDG_CACHE_HOME/netviz``, else ``~/.cache/netviz``."""
    chosen = os.environ.get(FOLDER_ENV)
    if chosen:
        return Path(chosen).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "netviz"


def disabled_by_env() -> bool:
    """Whether ``NETVIZ_NO_CACHE`` turns the cache off."""
    return os.environ.get(OFF_ENV, "").strip() not in ("", "0")


class Cache:
    """A cache folder, or a disabled cache that finds and keeps nothing.

    A cache that cannot write (read-only or full folder) warns once, then keeps
    reading but stops writing.
    """

    def __init__(self, folder: Path, *, enabled: bool = True, limit: int = SIZE_LIMIT) -> None:
        """Use ``folder`` (created on the first save), trimmed to ``limit`` bytes."""
        self.folder = folder
        self.enabled = enabled
        self.limit = limit
        self._unwritable = False

    @classmethod
    def from_env(cls, enabled: bool | None = None) -> Cache:
        """The default folder; ``enabled=None`` follows ``NETVIZ_NO_CACHE``."""
        return cls(default_folder(), enabled=not disabled_by_env() if enabled is None else enabled)

    def load(self, kind: str, key: str) -> Entry | None:
        """The valid entry ``kind/key``, or ``None`` (absent, corrupt or out of date)."""
        if not self.enabled:
            return None
        path = self._path(kind, key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        from netviz.cache.entries import parse_entry  # (a disabled cache needs none)
        from netviz.cache.sources import all_current

        entry = parse_entry(data)
        if entry is None or not all_current(entry.sources):
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: trimmed last
        return entry

    def save(self, kind: str, key: str, entry: Entry) -> None:
        """Store ``entry`` as ``kind/key`` atomically, then trim the folder."""
        if not self.enabled or self._unwritable:
            return
        from netviz.cache.entries import entry_bytes

        path = self._path(kind, key)
        data = entry_bytes(entry)
        import tempfile  # only when writing: a hit needs none of it

        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                os.replace(tmp, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError as exc:
            self._unwritable = True
            warnings.warn(
                f"cannot write to the cache folder {self.folder} ({exc.strerror or exc}); "
                "continuing without caching",
                NetvizWarning,
                stacklevel=caller_stacklevel(2),
            )
            return
        self._trim()

    def usage(self) -> Usage:
        """Entries by kind and bytes used."""
        from netviz.cache.entries import Usage

        entries: dict[str, int] = {}
        size = 0
        for kind, name, stat in self._files():
            size += stat.st_size
            if not name.startswith("."):
                entries[kind] = entries.get(kind, 0) + 1
        return Usage(self.folder, entries, size)

    def clear(self) -> Usage:
        """Remove every entry; returns what was removed."""
        removed = self.usage()
        kinds = set()
        for kind, name, _ in list(self._files()):
            kinds.add(kind)
            with contextlib.suppress(OSError):
                os.unlink(self.folder / kind / name)
        for kind in kinds:
            with contextlib.suppress(OSError):
                (self.folder / kind).rmdir()
        return removed

    def _path(self, kind: str, key: str) -> Path:
        if not (_KIND.match(kind) and _KEY.match(key)):
            raise ValueError(f"malformed cache entry name {kind}/{key}")
        return self.folder / kind / key

    def _files(self) -> Iterator[tuple[str, str, os.stat_result]]:
        """``(kind, file name, stat)`` of every file in the kind folders."""
        try:
            kinds = [e.name for e in os.scandir(self.folder) if e.is_dir() and _KIND.match(e.name)]
        except OSError:
            return
        for kind in kinds:
            try:
                files = list(os.scandir(self.folder / kind))
            except OSError:
                continue
            for item in files:
                try:
                    yield kind, item.name, item.stat()
                except OSError:
                    continue

    def _trim(self) -> None:
        """Remove least recently used files until the folder fits the limit."""
        files = list(self._files())
        total = sum(stat.st_size for _, _, stat in files)
        stale = time.time() - _STALE_TEMP_S
        for kind, name, stat in sorted(files, key=lambda f: f[2].st_mtime_ns):
            if name.startswith("."):  # a temporary file: only when a killed writer left it
                if stat.st_mtime >= stale:
                    continue
            elif total <= self.limit:
                continue
            with contextlib.suppress(OSError):
                os.unlink(self.folder / kind / name)
                total -= stat.st_size


_CURRENT: ContextVar[Cache | None] = ContextVar("netviz_cache", default=None)


def current_cache() -> Cache:
    """The cache of the enclosing [`using_cache`][netviz.cache.store.using_cache], else the
    default folder as the environment configures it."""
    return _CURRENT.get() or Cache.from_env()


@contextlib.contextmanager
def using_cache(cache: Cache | None = None, *, enabled: bool | None = None) -> Iterator[Cache]:
    """Use ``cache`` (default: the default folder, on or off as ``enabled`` says, else as
    ``NETVIZ_NO_CACHE`` says) for every netviz call in this context (thread or task).

    Examples:
        >>> import netviz
        >>> with using_cache(enabled=False):
        ...     svg = netviz.render("wrn28_2", "svg")  # doctest: +SKIP
    """
    chosen = cache if cache is not None else Cache.from_env(enabled)
    token = _CURRENT.set(chosen)
    try:
        yield chosen
    finally:
        _CURRENT.reset(token)
