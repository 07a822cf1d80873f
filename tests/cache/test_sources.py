"""Source files: recorded when a result is made (imports, import closure), checked by
size and time first, by content when the time changed."""

from __future__ import annotations

import importlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from netviz.cache.sources import RACY_NS, Source, SourceRecorder, merge, snapshot
from tests.cache.files import backdate


def test_an_unchanged_file_is_current(tmp_path: Path) -> None:
    path = tmp_path / "a.py"
    path.write_text("x = 1\n")
    backdate(path)
    (source,) = snapshot([str(path)])
    assert source.mtime_ns == path.stat().st_mtime_ns and source.size == 6
    assert source.is_current()


def test_a_touched_but_unchanged_file_is_current(tmp_path: Path) -> None:
    path = tmp_path / "a.py"
    path.write_text("x = 1\n")
    backdate(path)
    (source,) = snapshot([str(path)])
    os.utime(path)  # e.g. a checkout that rewrote it
    assert source.is_current()


@pytest.mark.parametrize("new", ["x = 2\n", "x = 10\n", ""])
def test_a_changed_file_is_not(tmp_path: Path, new: str) -> None:
    path = tmp_path / "a.py"
    path.write_text("x = 1\n")
    backdate(path)
    (source,) = snapshot([str(path)])
    path.write_text(new)  # an edit: a new time, the same size for "x = 2"
    assert not source.is_current()


def test_a_recently_modified_file_is_always_compared_by_content(tmp_path: Path) -> None:
    path = tmp_path / "a.py"
    path.write_text("x = 1\n")
    (source,) = snapshot([str(path)])
    assert source.mtime_ns == -1  # within RACY_NS of now: could change in the same tick
    assert RACY_NS >= 10**9
    assert source.is_current()
    stat = path.stat()
    path.write_text("x = 2\n")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same time
    assert not source.is_current()


def test_a_deleted_file_is_not_current_and_not_recorded(tmp_path: Path) -> None:
    path = tmp_path / "a.py"
    path.write_text("x = 1\n")
    (source,) = snapshot([str(path)])
    path.unlink()
    assert not source.is_current()
    assert snapshot([str(path)]) == ()


def test_source_records_round_trip_and_bad_ones_are_refused() -> None:
    source = Source("/x.py", 3, 5, "ab")
    assert Source.from_list(json.loads(json.dumps(source.as_list()))) == source
    for bad in ([], ["/x.py", 3, 5], ["/x.py", "3", 5, "ab"], "x"):
        with pytest.raises(ValueError):
            Source.from_list(bad)


def test_merge_keeps_each_path_once() -> None:
    a, b = Source("/a", 1, 1, ""), Source("/b", 1, 1, "")
    assert merge((b, a), (a,)) == (a, b)


@pytest.fixture
def package(tmp_path: Path) -> Iterator[Path]:
    """A throwaway package ``cachepkg`` on ``sys.path``: ``model`` imports ``helper``,
    ``helper`` imports ``deep``; the top-level module ``cacheunrelated`` is imported by
    nobody."""
    root = tmp_path / "src"
    pkg = root / "cachepkg"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "deep.py").write_text("SIZE = 3\n")
    (pkg / "helper.py").write_text("from cachepkg import deep\n\ndef width():\n    return deep.SIZE\n")
    (pkg / "model.py").write_text(
        "import json\nfrom cachepkg.helper import width\n\nclass Model:\n    size = width()\n"
    )
    (root / "cacheunrelated.py").write_text("")
    for path in [*pkg.iterdir(), root / "cacheunrelated.py"]:
        backdate(path)  # written before this process started, as a project's files are
    sys.path.insert(0, str(root))
    yield pkg
    sys.path.remove(str(root))
    for name in [n for n in sys.modules if n.startswith(("cachepkg", "cacheunrelated"))]:
        del sys.modules[name]


def _recorded(recorder: SourceRecorder, pkg: Path) -> set[str]:
    sources = recorder.sources()
    assert sources is not None
    folders = (pkg.resolve(), pkg.resolve().parent)
    return {Path(s.path).name for s in sources if Path(s.path).parent in folders}


def test_modules_imported_while_recording_are_recorded(package: Path) -> None:
    with SourceRecorder() as recorder:
        importlib.import_module("cachepkg.model")
    assert _recorded(recorder, package) == {"__init__.py", "model.py", "helper.py", "deep.py"}


def test_modules_imported_earlier_are_found_through_the_import_closure(package: Path) -> None:
    model = importlib.import_module("cachepkg.model")
    importlib.import_module("cacheunrelated")
    with SourceRecorder() as recorder:
        recorder.add(model.Model())  # an instance: its class's module, then its imports
    assert _recorded(recorder, package) == {"__init__.py", "model.py", "helper.py", "deep.py"}


def test_a_constant_imported_from_a_module_reaches_that_module(package: Path) -> None:
    (package / "consts.py").write_text("WIDTH = 4\n")
    (package / "user.py").write_text("from cachepkg.consts import WIDTH\n\nclass User:\n    pass\n")
    for name in ("consts.py", "user.py"):
        backdate(package / name)
    user = importlib.import_module("cachepkg.user")
    with SourceRecorder() as recorder:
        recorder.add(user.User)  # WIDTH is an int: only the import statement names consts
    assert "consts.py" in _recorded(recorder, package)


def test_a_module_edited_after_it_was_imported_makes_the_record_unusable(package: Path) -> None:
    model = importlib.import_module("cachepkg.model")
    (package / "deep.py").write_text("SIZE = 4\n")  # the loaded module still says 3
    with SourceRecorder() as recorder:
        recorder.add(model.Model)
    assert recorder.sources() is None


def test_the_standard_library_and_torch_are_not_recorded() -> None:
    import torch
    from torch import nn

    with SourceRecorder() as recorder:
        recorder.add(nn.Conv2d, json, os.path.join)
    paths = [s.path for s in recorder.sources() or ()]
    torch_folder = str(Path(torch.__file__).resolve().parent)
    assert not [p for p in paths if p.startswith(torch_folder + os.sep)]
    assert not [p for p in paths if p == str(Path(json.__file__).resolve())]
    assert any(p.endswith(os.path.join("netviz", "cache", "sources.py")) for p in paths)
