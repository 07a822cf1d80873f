"""netviz's cache of traced models and rendered images, so a repeat render needs no torch.

Four kinds of entries live in the cache folder (``$NETVIZ_CACHE_DIR``, else
``$XDG_CACHE_HOME/netviz``, else ``~/.cache/netviz``):

- ``trace``: the raw IR graph of a model spec, keyed by netviz's and torch's
  versions, the IR schema, the spec (a file spec by its resolved path), the input
  shapes and every trace option ([`TraceRequest`][netviz.cache.keys.TraceRequest]);
  valid while every source file the model's construction and forward ran is unchanged;
- ``notation``: the notation graph made from a trace under given transform options;
- ``figure``: a finished figure (any format ``render`` draws), keyed by its trace request,
  notation options, style and the ``dot`` binary, so a repeat render needs neither the
  renderers nor Graphviz (see [`cached_figure`][netviz.cache.figures.cached_figure]);
- ``image``: SVG/PNG/PDF bytes, keyed by the DOT text and the ``dot`` binary.

``NETVIZ_NO_CACHE=1``, the CLI's ``--no-cache`` or
[`using_cache(enabled=False)`][netviz.cache.store.using_cache] turn it off. A
spec that is an ``nn.Module`` instance is never cached.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from netviz.cache.figures import cached_figure
    from netviz.cache.images import cached_image
    from netviz.cache.keys import TraceRequest
    from netviz.cache.entries import Usage
    from netviz.cache.store import Cache, current_cache, default_folder, using_cache
    from netviz.cache.traces import cached_notation, cached_trace, trace_sources

_HOMES = {
    "cached_figure": "figures", "cached_image": "images", "TraceRequest": "keys",
    "Cache": "store", "Usage": "entries", "current_cache": "store", "default_folder": "store",
    "using_cache": "store", "cached_notation": "traces", "cached_trace": "traces",
    "trace_sources": "traces",
}
"""The module of each public name, imported when the name is first used (a render with
the cache off never imports what keys, reads or writes entries)."""

__all__ = [
    "Cache",
    "TraceRequest",
    "Usage",
    "cached_figure",
    "cached_image",
    "cached_notation",
    "cached_trace",
    "current_cache",
    "default_folder",
    "trace_sources",
    "using_cache",
]


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(f"netviz.cache.{_HOMES[name]}"), name)
    raise AttributeError(f"module 'netviz.cache' has no attribute {name!r}")
