"""Traces and notation graphs of model specs, from netviz's cache or made (and cached).

What the public API ([`netviz.api`][netviz.api]) and the grouped summaries
([`netviz.summaries`][netviz.summaries]) both need, below both of them: neither imports
the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from netviz.ir import Graph, Shape

if TYPE_CHECKING:
    from netviz.cache import TraceRequest
    from netviz.transforms import NotationOptions


def trace_uncached(request: TraceRequest) -> tuple[Graph, Any]:
    """Load and trace the model of ``request``; returns the graph and the model."""
    from netviz.registry import load_model
    from netviz.tracing import trace_model

    loaded = load_model(request.spec, request.input_shapes, input_dtypes=request.input_dtypes)
    graph = trace_model(loaded.module, loaded.input_shapes, name=loaded.name, rebuild=loaded.build,
                        input_dtypes=loaded.input_dtypes, train=request.train)
    return graph, loaded.module


def trace(
    spec: Any, input_shapes: Sequence[Shape] | None = None, *,
    input_dtypes: Sequence[str] | None = None, train: bool = False,
) -> Graph:
    """The raw trace of a model spec (see [`netviz.api.trace`][netviz.api.trace])."""
    from netviz.cache import TraceRequest, cached_trace

    request = TraceRequest.of(spec, input_shapes, input_dtypes=input_dtypes, train=train)
    return cached_trace(request, lambda r: trace_uncached(r))


def notation(
    spec: Any, input_shapes: Sequence[Shape] | None, options: NotationOptions,
    input_dtypes: Sequence[str] | None = None, train: bool = False,
) -> Graph:
    """The notation graph of a model spec under ``options`` (cached like its trace)."""
    from netviz.cache import TraceRequest, cached_notation

    request = TraceRequest.of(spec, input_shapes, input_dtypes=input_dtypes, train=train)
    return cached_notation(request, options, lambda r: trace_uncached(r))
