"""Rendered SVG/PNG/PDF bytes, keyed by the DOT text and the ``dot`` that draws it.

``dot`` is identified by its resolved path, size and modification time: a new
Graphviz installs a new binary, and reading its version would cost a process.
A hit skips drawing with ``dot`` (a ``dot`` started early for the figure, see
[`dot_started`][netviz.renderers.binary.dot_started], is stopped unused).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from netviz.cache.store import current_cache


def cached_image(argv: Sequence[str], dot_source: str, draw: Callable[[], bytes]) -> bytes:
    """The bytes ``argv`` (``[dot, -Tsvg, ...]``) makes of ``dot_source``: cached, or
    ``draw()`` (then cached)."""
    cache = current_cache()
    key = _key(argv, dot_source) if cache.enabled else None
    if key is not None:
        entry = cache.load("image", key)
        if entry is not None:
            return entry.payload
    data = draw()
    if key is not None:
        from netviz.cache.entries import Entry  # (a disabled cache keeps nothing)

        cache.save("image", key, Entry(data))
    return data


def _key(argv: Sequence[str], dot_source: str) -> str | None:
    from netviz.cache.keys import digest, netviz_identity

    program = program_identity(argv[0]) if argv else None
    if program is None:
        return None
    return digest("image", netviz_identity(), program, list(argv[1:]), dot_source)


def program_identity(path: str) -> list[object] | None:
    """A program as a key knows it: its resolved path, size and modification time
    (``None``: it cannot be found)."""
    try:
        exe = os.path.realpath(path)
        stat = os.stat(exe)
    except OSError:
        return None
    return [exe, stat.st_size, stat.st_mtime_ns]
