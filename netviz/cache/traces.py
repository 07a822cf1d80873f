"""Raw traces and notation graphs: from the cache when still valid, else made and stored.

The lookup needs no torch: the key is built from the request and versions, and the
entry's source files are checked by ``stat``. Only on a miss does the trace
function run (importing torch and the model); what it imported and the model's
classes are then recorded as the entry's sources. netviz's warnings raised while
tracing (a ``TraceFallbackWarning``, say) are stored and raised again on every hit;
they are noted through [`netviz.errors.collected_warnings`][netviz.errors.collected_warnings],
which (unlike ``warnings.catch_warnings``) leaves the process's warning filters alone,
so traces can run on several threads.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from netviz.cache.keys import TraceRequest, digest, options_of, spec_identity
from netviz.cache.entries import Entry
from netviz.cache.store import Cache, current_cache
from netviz.errors import NetvizError, NetvizWarning, caller_stacklevel, collected_warnings
from netviz.ir import Graph

if TYPE_CHECKING:
    from netviz.cache.sources import Source
    from netviz.transforms import NotationOptions

TraceFunction = Callable[[TraceRequest], "tuple[Graph, Any]"]
"""Traces a request without the cache: returns the raw graph and the model it traced."""

Note = tuple[str, str]


@dataclass(frozen=True)
class Made:
    """A graph, cached or made, and what caching it needs.

    Attributes:
        graph: The raw or notation graph.
        sources: The files it depends on; ``None``: it is not cacheable.
        notes: The netviz warnings making it raised, as ``(category, message)``.
    """

    graph: Graph
    sources: tuple[Source, ...] | None
    notes: tuple[Note, ...]


def cached_trace(request: TraceRequest, trace: TraceFunction) -> Graph:
    """The raw graph of ``request``: cached, or ``trace(request)`` (then cached)."""
    cache = current_cache()
    return _traced(request, request.key() if cache.enabled else None, trace, cache).graph


def cached_notation(request: TraceRequest, options: NotationOptions, trace: TraceFunction) -> Graph:
    """The notation graph of ``request`` under ``options``: cached, or made from the
    (possibly cached) raw graph and cached."""
    return notation_entry(request, options, trace).graph


def notation_entry(request: TraceRequest, options: NotationOptions, trace: TraceFunction) -> Made:
    """[`cached_notation`][netviz.cache.traces.cached_notation], with the files the graph
    depends on (``None``: not cacheable) and the warnings it raised (raised again here)."""
    cache = current_cache()
    base = request.key() if cache.enabled else None
    key = digest("notation", base, options_of(options)) if base else None
    if key is not None:
        entry = cache.load("notation", key)
        hit = _graph(entry)
        if entry is not None and hit is not None:
            replay(entry.notes)
            return Made(hit, entry.sources, entry.notes)
    traced = _traced(request, base, trace, cache)
    from netviz.transforms import to_notation

    graph = to_notation(traced.graph, options)
    sources = None
    if key is not None and traced.sources is not None:
        from netviz.cache.sources import SourceRecorder, merge

        own = SourceRecorder().sources()  # netviz's own modules, the transforms among them
        if own is not None:
            sources = merge(traced.sources, own)
            _save_graph(cache, "notation", key, graph, sources, traced.notes)
    return Made(graph, sources, traced.notes)


def trace_sources(request: TraceRequest) -> tuple[Source, ...] | None:
    """The source files of ``request``'s valid cached trace, or ``None`` (none cached)."""
    cache = current_cache()
    key = request.key() if cache.enabled else None
    entry = cache.load("trace", key) if key is not None else None
    return entry.sources if entry is not None else None


def _traced(request: TraceRequest, key: str | None, trace: TraceFunction, cache: Cache) -> Made:
    if key is not None:
        entry = cache.load("trace", key)
        graph = _graph(entry)
        if entry is not None and graph is not None:
            replay(entry.notes)
            return Made(graph, entry.sources, entry.notes)
    if key is None:  # not cached: no files to record
        with collected_warnings() as caught:
            graph, _ = trace(request)
        return Made(graph, None, noted(caught))
    from netviz.cache.sources import SourceRecorder  # what a cached trace depends on

    recorder = SourceRecorder()
    with collected_warnings() as caught, recorder:
        graph, model = trace(request)
        recorder.add(*_roots(request, model))
    notes = noted(caught)
    sources = recorder.sources()
    if sources is not None:
        _save_graph(cache, "trace", key, graph, sources, notes)
    return Made(graph, sources, notes)


def _roots(request: TraceRequest, model: Any) -> list[Any]:
    """Objects whose modules (and their imports) the trace ran: the model's classes,
    and what the spec names (registered builder, module or file)."""
    modules = getattr(model, "modules", None)
    roots: list[Any] = list({type(m) for m in modules()} if callable(modules) else {type(model)})
    identity = spec_identity(request.spec) or {}
    if "name" in identity:
        from netviz.registry import get_entry

        with contextlib.suppress(NetvizError):
            roots.append(get_entry(identity["name"]).builder)
    elif "module" in identity and identity["module"] in sys.modules:
        roots.append(sys.modules[identity["module"]])
    elif "file" in identity:
        path = identity["file"]
        roots += [m for m in list(sys.modules.values()) if getattr(m, "__file__", None) == path]
    return roots


def _graph(entry: Entry | None) -> Graph | None:
    from netviz.ir.serialize import loads

    if entry is None:
        return None
    try:
        graph = loads(entry.payload)
    except ValueError:
        return None
    return graph if isinstance(graph, Graph) else None


def _save_graph(
    cache: Cache,
    kind: str,
    key: str,
    graph: Graph,
    sources: tuple[Source, ...],
    notes: tuple[Note, ...],
) -> None:
    from netviz.ir.serialize import dumps

    try:
        payload = dumps(graph)
    except TypeError:  # a value the IR does not know (from a custom tracer): not cached
        return
    cache.save(kind, key, Entry(payload, sources, notes))


def noted(caught: Iterable[tuple[type, str]]) -> tuple[Note, ...]:
    """The netviz warnings of ``caught`` (see [`collected_warnings`][netviz.errors.collected_warnings])
    as stored notes: ``("module:QualName", message)``."""
    return tuple(
        (f"{category.__module__}:{category.__qualname__}", message)
        for category, message in caught
        if issubclass(category, NetvizWarning)
    )


def replay(notes: tuple[Note, ...]) -> None:
    """Raise the stored netviz warnings again."""
    for category, message in notes:
        module, _, name = category.partition(":")
        if not (module == "netviz" or module.startswith("netviz.")):
            continue
        try:
            cls = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            cls = NetvizWarning
        if not (isinstance(cls, type) and issubclass(cls, Warning)):
            cls = NetvizWarning
        warnings.warn(message, cls, stacklevel=caller_stacklevel(2))
