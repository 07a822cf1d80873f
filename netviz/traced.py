"""Traces and notation graphs of model specs, from netviz's cache or made (and cached).

What the public API ([`netviz.api`][netviz.api]) and the grouped summaries
([`netviz.summaries`][netviz.summaries]) both need, below both of them: neither imports
the other. With the cache off (``NETVIZ_NO_CACHE=1``, ``--no-cache``), they are made
here as a cache miss makes them, without importing what keys, reads or writes entries.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any

from netviz.errors import collected_warnings
from netviz.ir import Graph, Shape

if TYPE_CHECKING:
    from netviz.cache import TraceRequest
    from netviz.transforms import NotationOptions


def trace_uncached(request: TraceRequest) -> tuple[Graph, Any]:
    """Load and trace the model of ``request``; returns the graph and the model."""
    from netviz.registry import load_model
    from netviz.tracing import trace_model

    loaded = load_model(request.spec, request.input_shapes, input_dtypes=request.input_dtypes,
                        inputs=request.inputs, trust_remote_code=request.trust_remote_code)
    graph = trace_model(loaded.module, loaded.input_shapes, name=loaded.name, rebuild=loaded.build,
                        input_dtypes=loaded.input_dtypes, input_names=loaded.input_names,
                        train=request.train, input_fills=loaded.input_fills)
    return graph, loaded.module


def trace(
    spec: Any, input_shapes: Sequence[Shape] | None = None, *,
    input_dtypes: Sequence[str] | None = None, train: bool = False, inputs: Any = None,
    trust_remote_code: bool = False,
) -> Graph:
    """The raw trace of a model spec (see [`netviz.api.trace`][netviz.api.trace])."""
    from netviz.cache import TraceRequest, current_cache

    request = TraceRequest.of(spec, input_shapes, input_dtypes=input_dtypes, train=train,
                              inputs=inputs, trust_remote_code=trust_remote_code)
    if not current_cache().enabled:
        return _trace_made(request)
    from netviz.cache import cached_trace

    return cached_trace(request, lambda r: trace_uncached(r))


def notation(
    spec: Any, input_shapes: Sequence[Shape] | None, options: NotationOptions,
    input_dtypes: Sequence[str] | None = None, train: bool = False, inputs: Any = None,
    trust_remote_code: bool = False,
) -> Graph:
    """The notation graph of a model spec under ``options`` (cached like its trace;
    ``inputs`` and ``trust_remote_code`` as for [`netviz.api.trace`][netviz.api.trace])."""
    from netviz.cache import TraceRequest, current_cache

    request = TraceRequest.of(spec, input_shapes, input_dtypes=input_dtypes, train=train,
                              inputs=inputs, trust_remote_code=trust_remote_code)
    if not current_cache().enabled:
        return _notation_made(request, options)
    from netviz.cache import cached_notation

    return cached_notation(request, options, lambda r: trace_uncached(r))


def figure(
    spec: Any, input_shapes: Sequence[Shape] | None, options: NotationOptions,
    style: Mapping[str, Any], draw: Callable[[Graph], bytes],
    input_dtypes: Sequence[str] | None = None, train: bool = False, inputs: Any = None,
    trust_remote_code: bool = False,
    drawing: Callable[[], AbstractContextManager[object]] | None = None,
) -> bytes:
    """The figure ``draw`` makes of the notation graph of a model spec (cached, with
    ``style`` in its key; ``drawing`` is entered around making a figure that is not
    cached: see [`cached_figure`][netviz.cache.figures.cached_figure])."""
    from netviz.cache import TraceRequest, current_cache

    request = TraceRequest.of(spec, input_shapes, input_dtypes=input_dtypes, train=train,
                              inputs=inputs, trust_remote_code=trust_remote_code)
    if not current_cache().enabled:
        with drawing() if drawing is not None else nullcontext():
            graph = _notation_made(request, options)
            with collected_warnings():
                return draw(graph)
    from netviz.cache import cached_figure

    return cached_figure(request, options, style, draw, lambda r: trace_uncached(r), drawing)


def _trace_made(request: TraceRequest) -> Graph:
    """The raw graph of ``request``, traced as a cache miss traces it (its netviz warnings
    noted in a context of their own: see [`collected_warnings`][netviz.errors.collected_warnings])."""
    with collected_warnings():
        graph, _ = trace_uncached(request)
    return graph


def _notation_made(request: TraceRequest, options: NotationOptions) -> Graph:
    """The notation graph of ``request`` under ``options``, made as a cache miss makes it."""
    from netviz.transforms import to_notation

    return to_notation(_trace_made(request), options)
