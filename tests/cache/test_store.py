"""The cache folder: atomic entries, corrupt ones ignored, bounded size, unwritable
folders degrade with one warning (no torch)."""

from __future__ import annotations

import os
import threading
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

from netviz.cache import Cache, current_cache, default_folder, using_cache
from netviz.cache.sources import snapshot
from netviz.cache.entries import Entry
from netviz.cache.store import disabled_by_env
from netviz.errors import NetvizWarning

KEY = "ab" * 32
OTHER = "cd" * 32


def test_a_saved_entry_loads_back_with_its_sources_and_notes(cache: Cache, tmp_path: Path) -> None:
    model = tmp_path / "model.py"
    model.write_text("x = 1\n")
    entry = Entry(b"payload \x00\xff", snapshot([str(model)]), (("netviz.errors:NetvizWarning", "hm"),))
    assert cache.load("trace", KEY) is None
    cache.save("trace", KEY, entry)
    assert cache.load("trace", KEY) == entry
    assert cache.load("trace", OTHER) is None and cache.load("image", KEY) is None
    assert cache.usage().entries == {"trace": 1}


def test_an_entry_is_out_of_date_once_a_source_changes(cache: Cache, tmp_path: Path) -> None:
    model = tmp_path / "model.py"
    model.write_text("x = 1\n")
    cache.save("trace", KEY, Entry(b"1", snapshot([str(model)])))
    model.write_text("x = 2\n")  # same size: the content decides
    assert cache.load("trace", KEY) is None
    model.unlink()
    assert cache.load("trace", KEY) is None


def _entry_file(cache: Cache) -> Path:
    (path,) = (cache.folder / "trace").iterdir()
    return path


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: data[:-1], id="one-byte-short"),
        pytest.param(lambda data: data[:-1] + bytes([data[-1] ^ 1]), id="payload-bit-flip"),
        pytest.param(lambda data: b"", id="empty"),
        pytest.param(lambda data: b"garbage\n" + data, id="garbage-first"),
        pytest.param(lambda data: data.replace(b'"size"', b'"sise"'), id="header-key"),
        pytest.param(lambda data: data.split(b"\n", 1)[0] + b"\n{not json\n", id="header-json"),
    ],
)
def test_a_corrupt_entry_is_a_miss_and_is_rewritten(
    cache: Cache, damage: Callable[[bytes], bytes]
) -> None:
    cache.save("trace", KEY, Entry(b"the payload" * 10))
    path = _entry_file(cache)
    path.write_bytes(damage(path.read_bytes()))
    assert cache.load("trace", KEY) is None
    cache.save("trace", KEY, Entry(b"the payload" * 10))
    assert cache.load("trace", KEY) == Entry(b"the payload" * 10)


def test_writers_racing_on_one_key_leave_one_whole_entry(cache: Cache) -> None:
    payloads = [bytes([i]) * 200_000 for i in range(8)]

    def write(payload: bytes) -> None:
        for _ in range(5):
            cache.save("trace", KEY, Entry(payload))

    threads = [threading.Thread(target=write, args=(p,)) for p in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    entry = cache.load("trace", KEY)
    assert entry is not None and entry.payload in payloads
    assert [p.name for p in (cache.folder / "trace").iterdir()] == [KEY]  # no temp files left


def test_the_folder_is_trimmed_least_recently_used_first(netviz_cache: Path) -> None:
    cache = Cache(netviz_cache, limit=3 * 1100)
    keys = [f"{i:02x}" * 32 for i in range(4)]
    for age, key in enumerate(keys[:3]):
        cache.save("image", key, Entry(bytes(1000)))
        os.utime(netviz_cache / "image" / key, ns=(age * 10**9, age * 10**9))
    assert cache.load("image", keys[0]) is not None  # used now: the most recent
    cache.save("image", keys[3], Entry(bytes(1000)))  # over the limit: one must go
    left = {p.name for p in (netviz_cache / "image").iterdir()}
    assert left == {keys[0], keys[2], keys[3]}
    assert cache.usage().size <= cache.limit


def test_stale_temporary_files_are_removed_young_ones_kept(netviz_cache: Path) -> None:
    cache = Cache(netviz_cache)
    folder = netviz_cache / "image"
    folder.mkdir(parents=True)
    (folder / ".tmp-old").write_bytes(b"x")
    (folder / ".tmp-young").write_bytes(b"x")
    os.utime(folder / ".tmp-old", (time.time() - 7200, time.time() - 7200))
    cache.save("image", KEY, Entry(b"1"))
    assert sorted(p.name for p in folder.iterdir()) == [".tmp-young", KEY]


def test_usage_and_clear(cache: Cache) -> None:
    cache.save("trace", KEY, Entry(b"12345"))
    cache.save("image", KEY, Entry(b"1"))
    cache.save("image", OTHER, Entry(b"1"))
    usage = cache.usage()
    assert usage.entries == {"trace": 1, "image": 2} and usage.size > 7
    assert cache.clear().entries == usage.entries
    assert cache.usage().entries == {} and cache.load("trace", KEY) is None


def test_a_disabled_cache_finds_and_writes_nothing(netviz_cache: Path) -> None:
    cache = Cache(netviz_cache, enabled=False)
    cache.save("trace", KEY, Entry(b"1"))
    assert not (netviz_cache / "trace").exists()
    Cache(netviz_cache).save("trace", KEY, Entry(b"1"))
    assert cache.load("trace", KEY) is None


def test_a_read_only_folder_warns_once_and_still_serves_hits(
    cache: Cache, read_only: Callable[[Path], None]
) -> None:
    cache.save("trace", KEY, Entry(b"old"))
    read_only(cache.folder / "trace")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for key in (OTHER, "ef" * 32, OTHER):
            cache.save("trace", key, Entry(b"new"))
    assert [str(w.message) for w in caught if issubclass(w.category, NetvizWarning)] == [
        f"cannot write to the cache folder {cache.folder} (Operation not permitted); "
        "continuing without caching"
        if os.geteuid() == 0
        else f"cannot write to the cache folder {cache.folder} (Permission denied); "
        "continuing without caching"
    ]
    assert cache.load("trace", KEY) == Entry(b"old") and cache.load("trace", OTHER) is None


def test_a_full_disk_warns_once_and_leaves_no_partial_entry(
    cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = os.replace

    def full(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("netviz.cache.store.os.replace", full)
    with pytest.warns(NetvizWarning, match="No space left on device") as caught:
        cache.save("trace", KEY, Entry(b"1"))
        cache.save("image", KEY, Entry(b"1"))
    assert len(caught) == 1
    monkeypatch.setattr("netviz.cache.store.os.replace", real)
    assert cache.usage().entries == {} and not list((cache.folder / "trace").iterdir())


def test_folder_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NETVIZ_CACHE_DIR", str(tmp_path / "mine"))
    assert default_folder() == tmp_path / "mine"
    monkeypatch.delenv("NETVIZ_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_folder() == tmp_path / "xdg" / "netviz"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")  # the XDG spec: absolute only
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_folder() == tmp_path / "home" / ".cache" / "netviz"


@pytest.mark.parametrize(("value", "off"), [("1", True), ("yes", True), ("0", False), ("", False)])
def test_netviz_no_cache(monkeypatch: pytest.MonkeyPatch, value: str, off: bool) -> None:
    monkeypatch.setenv("NETVIZ_NO_CACHE", value)
    assert disabled_by_env() is off
    assert current_cache().enabled is not off
    with using_cache(enabled=True):
        assert current_cache().enabled  # an explicit choice wins
    assert current_cache().enabled is not off


def test_using_cache_is_scoped(cache: Cache) -> None:
    with using_cache(enabled=False) as off:
        assert current_cache() is off and not off.enabled
    assert current_cache() is cache
