"""Test files that look like a project's: written before the test process started."""

from __future__ import annotations

import os
import time
from pathlib import Path


def backdate(*paths: Path) -> None:
    """Date ``paths`` a day back. netviz does not cache a trace that used a module whose
    file changed after the process started (it may be stale), so files a test writes
    and then imports must look older than the process."""
    past = time.time() - 86_400
    for path in paths:
        os.utime(path, (past, past))
