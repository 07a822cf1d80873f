"""What the cache keeps and reports: an entry, its file format, and the folder's usage.

An entry file is a first line ``netviz-cache 1``, a JSON header (payload size and
hash, the source files it depends on, the warnings it was made with), then the
payload. Apart from the folder ([`netviz.cache.store`][netviz.cache.store]) so that a
render with the cache off, which reads and writes no entry, never imports this.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from netviz.cache.sources import Source

MAGIC = b"netviz-cache 1\n"
"""The first line of every entry file."""


@dataclass(frozen=True)
class Entry:
    """One cached result.

    Attributes:
        payload: The result's bytes.
        sources: Files the result depends on; it is valid while they are unchanged.
        notes: Warnings raised while it was made, as ``(category, message)``; the
            category is ``"module:QualName"``, replayed on a hit.
    """

    payload: bytes
    sources: tuple[Source, ...] = ()
    notes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Usage:
    """What the cache folder holds.

    Attributes:
        folder: The cache folder.
        entries: Entry count by kind (``trace``, ``notation``, ``image``, ...).
        size: Bytes used by every file in the folder.
    """

    folder: Path
    entries: dict[str, int]
    size: int


def entry_bytes(entry: Entry) -> bytes:
    """The file of ``entry``: the first line, the JSON header, the payload."""
    header = {
        "size": len(entry.payload),
        "blake2b": _hash(entry.payload),
        "sources": [source.as_list() for source in entry.sources],
        "notes": [list(note) for note in entry.notes],
    }
    return MAGIC + json.dumps(header, separators=(",", ":")).encode() + b"\n" + entry.payload


def parse_entry(data: bytes) -> Entry | None:
    """The entry in the file ``data``, or ``None`` when it is corrupt or truncated."""
    from netviz.cache.sources import Source

    if not data.startswith(MAGIC):
        return None
    end = data.find(b"\n", len(MAGIC))
    if end < 0:
        return None
    try:
        header: Any = json.loads(data[len(MAGIC) : end])
        payload = data[end + 1 :]
        if len(payload) != header["size"] or _hash(payload) != header["blake2b"]:
            return None
        sources = tuple(Source.from_list(item) for item in header["sources"])
        notes = tuple((str(category), str(message)) for category, message in header["notes"])
    except (ValueError, KeyError, TypeError):
        return None
    return Entry(payload, sources, notes)


def _hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()
