"""What the docs build asks of netviz, run in worker processes.

The MkDocs plugin calls these functions in ``python -m netviz.mkdocs.worker``
processes (see [`netviz.mkdocs.pool`][]): torch is imported there, never in the
MkDocs process, several pages render in parallel where there are CPUs to spare,
and ``mkdocs serve`` picks up code changes on every rebuild because each build
starts new workers. Every function returns plain, picklable data; ``render``
turns failures into one-line messages instead of raising.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import pickle
import sys
import time
from collections.abc import Sequence
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

from netviz.mkdocs.fence_words import THUMBNAIL
from netviz.mkdocs.options import FenceOptions, Subject
from netviz.mkdocs.results import ModelInfo, Rendered
from netviz.vocabulary import SUMMARY_SUFFIXES

if TYPE_CHECKING:  # for annotations only: results come from the lazily imported API
    from netviz.cache.sources import SourceRecorder
    from netviz.ir import Graph
    from netviz.renderers.fit import Fitted
    from netviz.summaries.table import GroupRow, SummaryTable

CLI_COLUMNS = "100"
"""Terminal width used for ``--help`` text in the CLI reference (deterministic)."""


def init_worker() -> None:
    """Process initializer: one thread per worker (the pool is the parallelism)."""
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    os.environ["COLUMNS"] = CLI_COLUMNS
    import warnings

    warnings.simplefilter("ignore")


def warm_up(pattern: str | None = None) -> float:
    """Import the rendering stack (torch included), unless netviz's cache holds the model
    list of ``pattern`` (then the site most likely renders from the cache, without
    torch); return the seconds it took."""
    start = time.perf_counter()
    from netviz.mkdocs.artifacts import models_cached

    if models_cached(pattern):
        return time.perf_counter() - start
    import netviz.api  # noqa: F401
    import netviz.registry

    netviz.registry.list_models()
    return time.perf_counter() - start


def model_infos(pattern: str | None = None, exclude: Sequence[str] = ()) -> list[ModelInfo]:
    """Describe every registered model (built on the meta device to count parameters);
    from netviz's cache when nothing changed.

    Args:
        pattern: Shell pattern of the models to describe; ``None``: all.
        exclude: Shell patterns of models to leave out.
    """
    from netviz.mkdocs.artifacts import model_list

    infos = model_list(pattern, functools.partial(_describe_models, pattern))
    return [i for i in infos if not any(fnmatchcase(i.name, skip) for skip in exclude)]


def _describe_models(pattern: str | None, recorder: SourceRecorder) -> list[ModelInfo]:
    from netviz.registry import get_entry, list_models

    infos = []
    for name in list_models(pattern):
        entry = get_entry(name)
        recorder.add(entry.builder)
        shapes = ", ".join("x".join(str(d) for d in shape) for shape in entry.input_shapes)
        try:
            module = entry.build("meta")
            recorder.add(*{type(m) for m in module.modules()})
            params: int | None = sum(p.numel() for p in module.parameters())
            error = ""
        except Exception as exc:  # noqa: BLE001 - reported on the model's page
            params, error = None, _reason(exc)
        infos.append(ModelInfo(name, entry.description, shapes, params, error))
    return infos


def spec_infos(specs: Sequence[tuple[str, str]]) -> list[ModelInfo]:
    """Describe the gallery's spec pages, ``(page name, model spec)`` pairs (each model
    built on the meta device: its parameters counted once each, tied weights included,
    and the inputs netviz makes for it); from netviz's cache when nothing changed."""
    from netviz.mkdocs.artifacts import spec_list

    pairs = [(str(name), str(spec)) for name, spec in specs]
    return spec_list(pairs, functools.partial(_describe_specs, pairs))


def _describe_specs(specs: list[tuple[str, str]], recorder: SourceRecorder) -> list[ModelInfo]:
    from netviz.api import load_model

    infos = []
    for name, spec in specs:
        try:
            loaded = load_model(spec)
            recorder.add(*{type(m) for m in loaded.module.modules()})
            params: int | None = sum(p.numel() for p in loaded.module.parameters())
            inputs = _inputs_text(loaded.input_shapes, loaded.input_names, loaded.input_dtypes)
            info = ModelInfo(name, loaded.description, inputs, params, spec=spec)
        except Exception as exc:  # noqa: BLE001 - reported on the model's page
            info = ModelInfo(name, "", "", None, _reason(exc), spec=spec)
        infos.append(info)
    return infos


def _inputs_text(
    shapes: Sequence[tuple[int, ...]],
    names: Sequence[str | None] | None,
    dtypes: Sequence[str] | None,
) -> str:
    """The inputs of a model as ``--input`` gives them: ``input_ids=128:int64``."""
    parts = []
    for index, shape in enumerate(shapes):
        name = names[index] if names else None
        dtype = dtypes[index] if dtypes else None
        text = ",".join(str(d) for d in shape)
        text = f"{text}:{dtype}" if dtype and dtype != "float32" else text
        parts.append(f"{name}={text}" if name else text)
    return " ".join(parts)


def render_many(requests: Sequence[FenceOptions]) -> list[Rendered]:
    """Render several fences (one page's worth) in this process, sharing traces."""
    return [render(request) for request in requests]


def render(options: FenceOptions) -> Rendered:
    """Render one fence and its downloads (from netviz's cache when nothing changed);
    never raises."""
    from netviz.mkdocs.artifacts import rendered_fence

    start = time.perf_counter()
    result = rendered_fence(options, functools.partial(_render, options), _trace)
    return dataclasses.replace(result, seconds=time.perf_counter() - start)


def _render(options: FenceOptions) -> Rendered:
    try:
        text = _text(artifact(options, _shown(options)))
        files = tuple((kind, _bytes(artifact(options, kind))) for kind in options.downloads)
    except Exception as exc:  # noqa: BLE001 - the plugin logs it with the page name
        return Rendered(error=_reason(exc))
    return Rendered(text=text, files=files)


_SUMMARY_BY_SUFFIX = {s.removeprefix("."): f for s, f in SUMMARY_SUFFIXES.items()}


def _shown(options: FenceOptions) -> str:
    """The file type of what the page shows."""
    if options.show == THUMBNAIL:
        return "none"  # the gallery's index shows the image, a download
    if options.show == "diagram":
        return "svg" if options.format == "svg" else "mmd"
    if options.show == "summary":
        return options.format
    return "txt" if options.show == "pseudocode" else "svg"


def artifact(options: FenceOptions, kind: str) -> str | bytes:
    """Render what ``options`` describes as file type ``kind`` (``svg``, ``tex``, ...).

    For summaries ``kind`` may also be a summary format name (``markdown``, ``latex``, ...).
    """

    if options.show == THUMBNAIL:
        return _thumbnail(options) if kind == "png" else ""
    if options.diff:
        return _diff(options, kind)
    if options.show == "pseudocode":
        return _pseudocode(options.subject)
    if options.show == "summary":
        return _summary(options, _SUMMARY_BY_SUFFIX.get(kind, kind))
    if options.show == "chart":
        return _chart(options, kind)
    return _diagram(kind, options)


def _summary(options: FenceOptions, fmt: str) -> str:
    """A summary; the torchinfo table and its groups are collected once per model."""
    from netviz.summaries import check_options, format_table

    latex = fmt == "latex"
    caption = options.caption if latex else None
    label = options.label if latex else None
    depth = options.summary_depth
    check_options(fmt, depth=depth, by_group=options.by_group, caption=caption, label=label)
    table = _table(options.subject)
    groups = _groups(options.subject) if options.by_group else None
    return format_table(
        table, fmt, depth=depth, groups=groups, caption=caption, label=label
    )


def _chart(options: FenceOptions, fmt: str) -> bytes:
    """A chart from the same cached table and groups as the summary."""
    from netviz.summaries.plot import check_plot_options, plot_groups, plot_shapes

    check_plot_options(options.chart, fmt)
    table = _table(options.subject)
    if options.chart == "shapes":
        return plot_shapes(table, fmt)
    return plot_groups(table, _groups(options.subject), options.chart, fmt)


@functools.lru_cache(maxsize=8)
def _table(subject: Subject) -> SummaryTable:
    from netviz.summaries import collect_table

    return collect_table(subject.model, **subject.api_options())


@functools.lru_cache(maxsize=8)
def _groups(subject: Subject) -> tuple[GroupRow, ...]:
    """The summary rows of the diagram's groups, from the already traced diagram."""
    from netviz.summaries.groups import group_rows

    return group_rows(_table(subject), _notation(subject, True, False))


def _text(data: str | bytes) -> str:
    return data.decode("utf-8") if isinstance(data, bytes) else data


def _bytes(data: str | bytes) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def _diff(options: FenceOptions, kind: str) -> bytes:
    """A diff's figure or text form, from the two models' notation graphs."""
    from netviz.diffs import Diff
    from netviz.transforms.diff import compare

    a, b = (_notation(subject, options.fold, options.shapes) for subject in options.subjects)
    diff = Diff(compare(a, b), legend=options.legend,
                direction=options.direction, theme=options.theme)  # type: ignore[arg-type]
    fmt = {"markdown": "md", "text": "txt"}.get(kind, kind)
    return diff.render(fmt, dpi=options.dpi if fmt == "png" else None)


def _diagram(fmt: str, options: FenceOptions) -> bytes:
    """Render through the notation graph, traced once per (subject, fold, shapes, depth)."""
    try:
        from netviz.renderers.figure import draw_figure, draw_fitted
    except ImportError:  # renderers not importable: let the public API say why
        from netviz import api

        return api.render(
            options.model,
            fmt,
            **options.subject.api_options(),
            fold=options.fold,
            shapes=options.shapes,
            legend=options.legend,
            direction=options.direction,  # type: ignore[arg-type]
            theme=options.theme,  # type: ignore[arg-type]
            dpi=options.dpi if fmt == "png" else None,
            annotate=options.annotate,
            depth=options.depth,
            fit=options.fit or None,
        )
    dpi = options.dpi if fmt == "png" else None
    if options.fit and fmt != "mmd":
        return draw_fitted(_fitted(options), fmt, dpi=dpi)
    graph = _annotated(options, _notation(options.subject, options.fold, options.shapes,
                                          options.depth))
    return draw_figure(graph, fmt, direction=options.direction, theme=options.theme,
                       legend=options.legend, dpi=dpi)


def _thumbnail(options: FenceOptions) -> bytes:
    from netviz.renderers.figure import draw_fitted
    from netviz.renderers.fit import fit_figure, parse_box

    graph = _notation(options.subject, True, False)
    fitted = fit_figure([("", graph)], parse_box(options.fit), theme=options.theme)
    return draw_fitted(fitted, "png", dpi=options.dpi)


def _annotated(options: FenceOptions, graph: Graph) -> Graph:
    if not options.annotate:
        return graph
    from netviz.summaries.groups import cluster_counts
    from netviz.transforms.annotate import annotate

    clusters, total = cluster_counts(_table(options.subject), graph)
    return annotate(graph, clusters, total, options.annotate)


@functools.lru_cache(maxsize=8)
def _fitted(options: FenceOptions) -> Fitted:
    """The fence's figure fitted to its box (once for the page and its downloads)."""
    from netviz.renderers.fit import fit_figure, parse_box
    from netviz.transforms import NotationOptions
    from netviz.transforms.depth import detail_levels

    asked = NotationOptions(fold=options.fold, shapes=options.shapes, depth=options.depth)
    graph = _notation(options.subject, options.fold, options.shapes, options.depth)
    levels = ((name, _annotated(options, graph if not name else _notation(
        options.subject, level.fold, level.shapes, level.depth)))
        for name, level in detail_levels(graph, asked))
    return fit_figure(levels, parse_box(options.fit),
                      direction=options.direction if options.direction_given else None,
                      theme=options.theme, legend=options.legend)


# One trace per subject (model, input shapes and dtypes, mode) serves every diagram,
# listing, summary and chart of that model in this worker; what the public API would
# otherwise redo per call.


@functools.lru_cache(maxsize=16)
def _trace(subject: Subject) -> Graph:
    from netviz import api

    return api.trace(subject.model, **subject.api_options())


@functools.lru_cache(maxsize=32)
def _notation(subject: Subject, fold: bool, show: bool, depth: int | None = None) -> Graph:
    from netviz.transforms import NotationOptions, to_notation

    return to_notation(_trace(subject), NotationOptions(fold=fold, shapes=show, depth=depth))


def _pseudocode(subject: Subject) -> str:
    from netviz.renderers import render_pseudocode
    from netviz.transforms import NotationOptions, to_notation

    return render_pseudocode(to_notation(_trace(subject), NotationOptions.listing()))


def cli_reference() -> str:
    """The CLI reference page (Markdown), generated from ``netviz.cli.build_parser()``."""
    from netviz.mkdocs.cli_reference import cli_markdown

    return cli_markdown()


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    from netviz.errors import NetvizError

    if isinstance(exc, NetvizError):
        return text or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


CALLS = ("warm_up", "model_infos", "spec_infos", "render", "render_many", "cli_reference")
"""The functions a worker process runs on request."""


def main() -> int:
    """Serve pickled ``(name, args)`` calls on stdin; answer ``(status, value)`` on stdout.

    The first message is the parent's ``sys.path``. Anything the rendering code
    prints goes to stderr, so it cannot corrupt the answers.
    """
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    requests = sys.stdin.buffer
    sys.path[:] = pickle.load(requests)
    init_worker()
    while True:
        try:
            name, args = pickle.load(requests)
        except EOFError:
            return 0
        try:
            if name not in CALLS:
                raise ValueError(f"unknown worker call {name!r}")
            answer: tuple[str, object] = ("ok", globals()[name](*args))
        except Exception as exc:  # noqa: BLE001 - sent back to the plugin
            answer = ("error", _reason(exc))
        pickle.dump(answer, answers)
        answers.flush()


if __name__ == "__main__":
    # Run the imported module's main, not this __main__ copy's, so the classes in the
    # answers pickle as netviz.mkdocs.worker.* and the plugin can load them.
    from netviz.mkdocs import worker as _worker

    sys.exit(_worker.main())
