"""A cache of each test's own, switched on whatever the environment says."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from netviz.cache import Cache, using_cache


@pytest.fixture
def cache(netviz_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cache]:
    """The test's (empty) cache folder, on, as every netviz call in the test sees it."""
    monkeypatch.delenv("NETVIZ_NO_CACHE", raising=False)
    with using_cache(Cache(netviz_cache, enabled=True)) as chosen:
        yield chosen


@pytest.fixture
def read_only() -> Iterator[Callable[[Path], None]]:
    """Makes a folder read-only for the test: mode 0555, or (root ignores modes) immutable."""
    undo: list[Callable[[], object]] = []

    def make(folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() != 0:
            folder.chmod(0o555)
            undo.append(lambda: folder.chmod(0o755))
            return
        chattr = shutil.which("chattr")
        made = chattr is not None and not subprocess.run(
            [chattr, "+i", str(folder)], check=False, capture_output=True
        ).returncode
        if not made:
            pytest.skip("running as root without 'chattr +i' here: a read-only folder cannot be made")
        undo.append(lambda: subprocess.run([chattr, "-i", str(folder)], check=True))

    yield make
    for step in reversed(undo):
        step()
