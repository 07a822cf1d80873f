"""Traces and notation graphs of model specs, from netviz's cache or made (and cached).

What the public API ([`netviz.api`][netviz.api]) and the grouped summaries
([`netviz.summaries`][netviz.summaries]) both need, below both of them: neither imports
the other. With the cache off (``NETVIZ_NO_CACHE=1``, ``--no-cache``), they are made
here as a cache miss makes them, without importing what keys, reads or writes entries
(from the same canonical arguments a [`TraceRequest`][netviz.cache.keys.TraceRequest] holds).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any

from netviz.cache.arguments import Arguments, canonical_arguments
from netviz.errors import collected_warnings
from netviz.ir import Graph, Shape

if TYPE_CHECKING:
    from netviz.cache import TraceRequest
    from netviz.inputs import NamedInput
    from netviz.transforms import NotationOptions


def trace_uncached(request: TraceRequest) -> tuple[Graph, Any]:
    """Load and trace the model of ``request``; returns the graph and the model."""
    return load_and_trace(request.spec, request.input_shapes, request.input_dtypes,
                           request.train, request.inputs, request.trust_remote_code)


def load_and_trace(
    spec: Any, input_shapes: Any, input_dtypes: tuple[str, ...] | None, train: bool,
    inputs: tuple[NamedInput, ...] | None, trust_remote_code: bool,
) -> tuple[Graph, Any]:
    """Load and trace a model from canonical arguments (see
    [`canonical_arguments`][netviz.cache.arguments.canonical_arguments])."""
    from netviz.registry import load_model
    from netviz.tracing import trace_model

    loaded = load_model(spec, input_shapes, input_dtypes=input_dtypes, inputs=inputs,
                        trust_remote_code=trust_remote_code)
    graph = trace_model(loaded.module, loaded.input_shapes, name=loaded.name, rebuild=loaded.build,
                        input_dtypes=loaded.input_dtypes, input_names=loaded.input_names,
                        train=train, input_fills=loaded.input_fills)
    return graph, loaded.module


def trace(
    spec: Any, input_shapes: Sequence[Shape] | None = None, *,
    input_dtypes: Sequence[str] | None = None, train: bool = False, inputs: Any = None,
    trust_remote_code: bool = False,
) -> Graph:
    """The raw trace of a model spec (see [`netviz.api.trace`][netviz.api.trace])."""
    arguments = canonical_arguments(spec, input_shapes, input_dtypes=input_dtypes, train=train,
                                    inputs=inputs, trust_remote_code=trust_remote_code)
    request = _cached_request(arguments)
    if request is None:
        return _trace_made(arguments)
    from netviz.cache import cached_trace

    return cached_trace(request, lambda r: trace_uncached(r))


def notation(
    spec: Any, input_shapes: Sequence[Shape] | None, options: NotationOptions,
    input_dtypes: Sequence[str] | None = None, train: bool = False, inputs: Any = None,
    trust_remote_code: bool = False,
) -> Graph:
    """The notation graph of a model spec under ``options`` (cached like its trace;
    ``inputs`` and ``trust_remote_code`` as for [`netviz.api.trace`][netviz.api.trace])."""
    arguments = canonical_arguments(spec, input_shapes, input_dtypes=input_dtypes, train=train,
                                    inputs=inputs, trust_remote_code=trust_remote_code)
    request = _cached_request(arguments)
    if request is None:
        return _notation_made(arguments, options)
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
    arguments = canonical_arguments(spec, input_shapes, input_dtypes=input_dtypes, train=train,
                                    inputs=inputs, trust_remote_code=trust_remote_code)
    request = _cached_request(arguments)
    if request is None:
        with drawing() if drawing is not None else nullcontext():
            graph = _notation_made(arguments, options)
            with collected_warnings():
                return draw(graph)
    from netviz.cache import cached_figure

    return cached_figure(request, options, style, draw, lambda r: trace_uncached(r), drawing)


def _cached_request(arguments: Arguments) -> TraceRequest | None:
    """The request to look ``arguments`` up in the cache; ``None`` when the cache is off
    (then what keys, reads or writes entries is not imported)."""
    from netviz.cache import current_cache

    if not current_cache().enabled:
        return None
    from netviz.cache import TraceRequest

    return TraceRequest(*arguments)


def _trace_made(arguments: Arguments) -> Graph:
    """The raw graph of a trace's canonical ``arguments``, traced as a cache miss traces it
    (its netviz warnings noted in a context of their own: see
    [`collected_warnings`][netviz.errors.collected_warnings])."""
    with collected_warnings():
        graph, _ = load_and_trace(*arguments)
    return graph


def _notation_made(arguments: Arguments, options: NotationOptions) -> Graph:
    """The notation graph of a trace's canonical ``arguments`` under ``options``, made as a
    cache miss makes it."""
    from netviz.transforms import to_notation

    return to_notation(_trace_made(arguments), options)
