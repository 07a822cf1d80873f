"""Test files that look like a project's: written before the test process started."""

from __future__ import annotations

import os
import textwrap
import time
from pathlib import Path


def backdate(*paths: Path) -> None:
    """Date ``paths`` a day back. netviz does not cache a trace that used a module whose
    file changed after the process started (it may be stale), so files a test writes
    and then imports must look older than the process."""
    past = time.time() - 86_400
    for path in paths:
        os.utime(path, (past, past))


NET = textwrap.dedent(
    """
    from torch import nn
    from helper import WIDTH


    class Net(nn.Module):
        input_shape = (3, 8, 8)

        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, WIDTH, 3, padding=1)
            self.bn = nn.BatchNorm2d(WIDTH)

        def forward(self, x):
            return self.bn(self.conv(x)).relu()
    """
)
"""A model file reading its width from a second file, ``helper.py`` (``WIDTH = ...``)."""
