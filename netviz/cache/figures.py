"""Finished figures of a model: a repeat render reads its bytes, and needs neither the
transforms, nor the renderers, nor the Graphviz package, nor ``dot``.

A figure is keyed by its trace request (see [`TraceRequest`][netviz.cache.keys.TraceRequest]),
the notation options, its style and format and, for a format Graphviz draws, the
``dot`` binary (by its resolved path, size and modification time, as an image is);
it is valid while the files its notation graph depends on, and netviz's own modules
(the renderers among them, and the Graphviz package they use), are unchanged. The
warnings making it raised are raised again on every hit.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from netviz.cache.images import program_identity
from netviz.cache.keys import TraceRequest, digest, options_of
from netviz.cache.entries import Entry
from netviz.cache.store import current_cache
from netviz.cache.traces import TraceFunction, noted, notation_entry, replay
from netviz.errors import collected_warnings
from netviz.ir import Graph

if TYPE_CHECKING:
    from netviz.transforms import NotationOptions

DOT_FORMATS = ("svg", "png", "pdf", "tex", "tikz")
"""Formats drawn by (or from the layout of) the Graphviz ``dot`` binary."""


def cached_figure(
    request: TraceRequest,
    options: NotationOptions,
    style: Mapping[str, Any],
    draw: Callable[[Graph], bytes],
    trace: TraceFunction,
    drawing: Callable[[], AbstractContextManager[object]] | None = None,
) -> bytes:
    """The figure ``draw`` makes of the notation graph of ``request`` under ``options``:
    cached, or drawn (from the possibly cached notation graph) and cached.

    Args:
        request: The trace request.
        options: The notation options.
        style: Everything else the bytes depend on, as JSON values; its ``"format"``
            says whether ``dot`` draws it.
        draw: Draws the notation graph in that format and style; it must warn
            through [`netviz.errors.warn`][netviz.errors.warn] (its warnings are
            stored with the figure).
        trace: Traces the request when its graphs are not cached either.
        drawing: Entered when the figure is to be drawn (not cached), around making
            its graph and drawing it: it may prepare the drawing meanwhile (start
            ``dot``: see [`dot_started`][netviz.renderers.binary.dot_started]).
    """
    cache = current_cache()
    base = request.key() if cache.enabled else None
    key = None
    if base is not None:
        program = None
        if style.get("format") in DOT_FORMATS:
            found = shutil.which("dot")
            program = program_identity(found) if found is not None else None
        if program is not None or style.get("format") not in DOT_FORMATS:
            key = digest("figure", base, options_of(options), dict(style), program)
    if key is not None:
        entry = cache.load("figure", key)
        if entry is not None:
            replay(entry.notes)
            return entry.payload
    with drawing() if drawing is not None else contextlib.nullcontext():
        made = notation_entry(request, options, trace)
        with collected_warnings() as caught:
            data = draw(made.graph)
    if key is not None and made.sources is not None:
        from netviz.cache.sources import SourceRecorder, merge

        own = SourceRecorder().sources()  # netviz's own modules: the renderers, Graphviz's
        if own is not None:
            notes = made.notes + noted(caught)
            cache.save("figure", key, Entry(data, merge(made.sources, own), notes))
    return data
