"""``python -m netviz``."""

from netviz.cli import run

run()
