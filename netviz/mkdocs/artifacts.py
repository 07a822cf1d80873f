"""The docs build's results in netviz's cache, so an unchanged site rebuilds without torch.

Two kinds of entries, beside the traces the worker makes anyway (see
[`netviz.cache`][netviz.cache]):

- ``fence``: everything one fence renders (text and downloads), keyed by its
  options, the software and the versions of torchinfo and matplotlib (tables and
  charts); valid while the model's traced source files and netviz's own are unchanged;
- ``models``: the gallery's model list, keyed by the ``netviz.models`` entry points
  (and the list of its spec pages, keyed by those specs); valid while every file
  building the models imported is unchanged.

Failures are never cached: a fence that failed renders again next time.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from netviz.cache import TraceRequest, current_cache, trace_sources
from netviz.cache.keys import digest, environment, installed_version, options_of, spec_identity
from netviz.cache.sources import SourceRecorder, merge
from netviz.cache.entries import Entry
from netviz.mkdocs.options import FenceOptions, Subject
from netviz.mkdocs.results import ModelInfo, Rendered


def fence_key(options: FenceOptions) -> str | None:
    """The cache key of a fence's results; ``None`` when a model it traces is not cacheable."""
    identities = [spec_identity(subject.model) for subject in options.subjects]
    if None in identities:
        return None
    versions = {name: installed_version(name) for name in ("torchinfo", "matplotlib")}
    key = digest("fence", environment(), versions, options_of(options))
    return digest(key, identities[1:]) if options.diff else key


def rendered_fence(
    options: FenceOptions, render: Callable[[], Rendered], trace: Callable[[Subject], object]
) -> Rendered:
    """A fence's results: cached, or ``render()`` (stored when it succeeded).

    ``trace(subject)`` traces a model of the fence (through the cache), so that its
    source files are known when the results are stored.
    """
    cache = current_cache()
    key = fence_key(options) if cache.enabled else None
    entry = cache.load("fence", key) if key is not None else None
    if entry is not None:
        hit = _rendered(entry.payload)
        if hit is not None:
            return hit
    with SourceRecorder() as recorder:
        result = render()
    if key is None or result.error:
        return result
    sources = recorder.sources()
    for subject in options.subjects:  # the model, and the one a diff compares it with
        request = TraceRequest.of(subject.model, **subject.api_options())
        model_sources = trace_sources(request)
        if model_sources is None:
            try:
                trace(subject)
            except Exception:  # noqa: BLE001 - a model that renders but does not trace
                return result
            model_sources = trace_sources(request)
        if model_sources is None or sources is None:
            return result
        sources = merge(model_sources, sources)
    if sources is not None:
        files = [[kind, _b64(data)] for kind, data in result.files]
        payload = {"text": result.text, "files": files}
        cache.save("fence", key, Entry(json.dumps(payload).encode(), sources))
    return result


def model_list(
    pattern: str | None, describe: Callable[[SourceRecorder], list[ModelInfo]]
) -> list[ModelInfo]:
    """The gallery's model list: cached, or ``describe(recorder)`` (stored when every
    model could be built); ``describe`` adds the builders and models to the recorder."""
    return _cached_infos(_models_key(pattern), describe)


def spec_list(
    specs: list[tuple[str, str]], describe: Callable[[SourceRecorder], list[ModelInfo]]
) -> list[ModelInfo]:
    """The gallery's spec pages (``(page name, spec)`` pairs) described: cached, or
    ``describe(recorder)`` (stored when every model could be built)."""
    return _cached_infos(digest("models", environment(), "specs", specs), describe)


def _cached_infos(
    key: str, describe: Callable[[SourceRecorder], list[ModelInfo]]
) -> list[ModelInfo]:
    cache = current_cache()
    entry = cache.load("models", key) if cache.enabled else None
    if entry is not None:
        try:
            return [ModelInfo(**item) for item in json.loads(entry.payload)]
        except (ValueError, TypeError):
            pass
    with SourceRecorder() as recorder:
        infos = describe(recorder)
    sources = recorder.sources() if cache.enabled else None
    if sources is not None and not any(info.error for info in infos):
        payload = json.dumps([asdict(info) for info in infos]).encode()
        cache.save("models", key, Entry(payload, sources))
    return infos


def models_cached(pattern: str | None) -> bool:
    """Whether the model list of ``pattern`` is cached and valid (the cache is warm)."""
    cache = current_cache()
    return cache.enabled and cache.load("models", _models_key(pattern)) is not None


def _models_key(pattern: str | None) -> str:
    """Keyed by the entry points too: an installed or removed plug-in changes the list."""
    from importlib.metadata import entry_points

    from netviz.registry import ENTRY_POINT_GROUP

    points = sorted((ep.name, ep.value) for ep in entry_points(group=ENTRY_POINT_GROUP))
    return digest("models", environment(), pattern, points)


def _rendered(payload: bytes) -> Rendered | None:
    try:
        data: Any = json.loads(payload)
        files = tuple((str(kind), base64.b64decode(text)) for kind, text in data["files"])
        return Rendered(text=str(data["text"]), files=files)
    except (ValueError, KeyError, TypeError):
        return None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
