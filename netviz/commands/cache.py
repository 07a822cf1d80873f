"""``netviz cache``: where the cache of traced models and rendered images is, and clearing it."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from netviz.cache import Cache

ABOUT = (
    "netviz keeps the traced IR of every model it draws, the notation graphs made from it "
    "and the SVG/PNG/PDF drawn by Graphviz, so drawing an unchanged model again takes a "
    "fraction of a second and never imports torch. An entry is used only while the model's "
    "source files (and those they import) are unchanged and netviz, torch and the options "
    "are the same. The folder is $NETVIZ_CACHE_DIR, else $XDG_CACHE_HOME/netviz, else "
    "~/.cache/netviz; it is kept under 200 MB, least recently used first. --no-cache or "
    "NETVIZ_NO_CACHE=1 turn the cache off."
)


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the ``cache`` sub-command with ``info`` and ``clear``."""
    parser = subparsers.add_parser(
        "cache",
        parents=[common],
        help="show or clear the cache of traced models and rendered images",
        description=ABOUT,
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    info = actions.add_parser(
        "info", parents=[common], help="print the cache folder, its entries and their size"
    )
    info.set_defaults(run=run_info)
    clear = actions.add_parser("clear", parents=[common], help="remove every entry")
    clear.set_defaults(run=run_clear)


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def run_info(args: argparse.Namespace) -> int:
    """Print the folder, whether the cache is on, the entries by kind and the size."""
    from netviz.cache import current_cache

    cache = current_cache()
    usage = cache.usage()
    kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(usage.entries.items()))
    total = sum(usage.entries.values())
    print(f"folder:  {usage.folder}")
    print(f"status:  {_status(cache)}")
    print(f"entries: {total}" + (f" ({kinds})" if kinds else ""))
    print(f"size:    {_megabytes(usage.size)} (limit {_megabytes(cache.limit)})")
    return 0


def run_clear(args: argparse.Namespace) -> int:
    """Remove every entry and say how many."""
    from netviz.cache import current_cache

    removed = current_cache().clear()
    count = sum(removed.entries.values())
    print(f"removed {count} entries ({_megabytes(removed.size)}) from {removed.folder}")
    return 0


def _status(cache: Cache) -> str:
    if cache.enabled:
        return "on"
    return "off (--no-cache or NETVIZ_NO_CACHE)"
