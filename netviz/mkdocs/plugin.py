"""``NetvizPlugin``: the ``netviz`` MkDocs plugin (entry point ``mkdocs.plugins``).

List it in ``mkdocs.yml`` and the ```` ```netviz ```` fence works in every page,
and in every docstring that mkdocstrings shows::

    plugins:
      - search
      - netviz

Optionally it also generates pages (each off unless configured):

- ``gallery: gallery``: one page per registered model plus an index (``models``
  and ``exclude`` choose the models by shell patterns), and one page per entry of
  ``specs`` (page name → model spec: ``bert: hf:BertModel``, models that need no
  registration);
- ``cli_reference: reference/cli.md``: the CLI reference from the parser;
- ``api_reference: api``: one mkdocstrings page per public module of ``api_packages``.

Generated pages are appended to the nav section that lists their index page
(``gallery/index.md``, ``api/index.md``). Rendering happens in a pool of fresh
worker processes (see [`netviz.mkdocs.worker`][]), started early in each build
so diagrams render while MkDocs works on the other pages: every fence of the
site, docstrings included (see [`netviz.mkdocs.prefetch`][]), is sent to them
as soon as the files are collected.
"""

from __future__ import annotations

import logging
import os
import time
from concurrent.futures import Future
from functools import partial
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from netviz.mkdocs import fence, worker
from netviz.mkdocs.apiref import api_pages
from netviz.mkdocs.gallery import (
    Thumbnail,
    index_page,
    model_page,
    png_size,
    thumbnail_options,
)
from netviz.mkdocs.options import FenceError, FenceOptions, parse_fence
from netviz.mkdocs.pool import WorkerPool
from netviz.mkdocs.prefetch import documented_files, fence_bodies
from netviz.mkdocs.style import CSS, STYLESHEET
from netviz.mkdocs.results import ModelInfo, Rendered

log = logging.getLogger("mkdocs.plugins.netviz")


class NetvizConfig(base.Config):
    """Options of the ``netviz`` plugin."""

    render = c.Type(bool, default=True)
    """``False``: fences become placeholders (a fast build of the same pages)."""
    gallery = c.Optional(c.Type(str))
    """Docs folder of the generated gallery, e.g. ``gallery``; unset: no gallery."""
    models = c.Optional(c.Type(str))
    """Shell pattern of the models the gallery shows; unset: all registered."""
    exclude = c.ListOfItems(c.Type(str), default=[])
    """Shell patterns of registered models the gallery leaves out."""
    specs = c.DictOfItems(c.Type(str), default={})
    """More gallery pages, page name → model spec (``bert: hf:BertModel``), after the
    registered models, in this order."""
    cli_reference = c.Optional(c.Type(str))
    """Docs path of the generated CLI reference, e.g. ``reference/cli.md``."""
    api_reference = c.Optional(c.Type(str))
    """Docs folder of the generated API pages, e.g. ``api``."""
    api_packages = c.ListOfItems(c.Type(str), default=["netviz"])
    """Top-level packages documented under ``api_reference``."""
    workers = c.Type(int, default=0)
    """Worker processes; 0: one per CPU but the one MkDocs itself uses (1 to 4)."""
    timeout = c.Type(int, default=900)
    """Seconds to wait for one page's artifacts before giving up."""


class NetvizPlugin(BasePlugin[NetvizConfig]):
    """Registers the ``netviz`` fence and generates the gallery, CLI and API pages."""

    def __init__(self) -> None:
        super().__init__()
        self._pool: WorkerPool | None = None
        self._root: str | None = None
        self._pending: dict[FenceOptions, tuple[Future[Any], int | None]] = {}
        self._started = 0.0
        self._done = 0
        self._batches = 0
        self._index: tuple[str, list[ModelInfo], dict[str, str]] | None = None
        self._thumbnails: dict[str, tuple[FenceOptions, Future[Any]]] = {}

    # -- configuration ------------------------------------------------------------------

    @event_priority(50)  # before mkdocstrings copies the Markdown settings for docstrings
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        """Add the ``netviz`` custom fence to pymdownx.superfences (adding it if needed).

        This runs before the other plugins' ``on_config`` whatever their order in
        ``mkdocs.yml``: mkdocstrings takes its own copy of an empty
        ``mdx_configs``, and docstrings would then be converted without the fence.
        """
        if "pymdownx.superfences" not in config.markdown_extensions:
            config.markdown_extensions.append("pymdownx.superfences")
        settings = config.mdx_configs.setdefault("pymdownx.superfences", {})
        fences = settings.setdefault("custom_fences", [])
        fences[:] = [f for f in fences if f.get("name") != "netviz"]
        fences.append(
            {
                "name": "netviz",
                "class": "netviz",
                "format": fence.fence_format,
                "validator": fence.fence_validator,
            }
        )
        if STYLESHEET not in config.extra_css:
            config.extra_css.append(STYLESHEET)  # the file is written after the build
        self._root = os.path.dirname(os.path.abspath(config.config_file_path or "mkdocs.yml"))
        fence.CONTEXT.resolver = self._resolve
        fence.CONTEXT.render = self.config.render
        return config

    # -- pages ----------------------------------------------------------------------------

    def on_files(self, files: Files, config: MkDocsConfig) -> Files | None:
        """Generate the gallery, CLI and API pages; start rendering every fence."""
        self._started = time.perf_counter()
        self._pending, self._done, self._batches = {}, 0, 0
        self._index, self._thumbnails = None, {}
        fence.CONTEXT.failures = []
        fence.CONTEXT.downloads = {}
        infos_job = specs_job = cli_job = None
        gallery, cli_page, api_folder = (
            self.config.gallery, self.config.cli_reference, self.config.api_reference
        )
        if gallery:
            infos_job = self._submit(
                worker.model_infos, self.config.models, list(self.config.exclude)
            )
            if self.config.specs:
                specs_job = self._submit(worker.spec_infos, list(self.config.specs.items()))
            if self.config.render and self._workers() > 1:
                # import torch in a second worker meanwhile (unless the cache is warm)
                self._submit(worker.warm_up, self.config.models)
        if cli_page:
            cli_job = self._submit(worker.cli_reference)
        if api_folder:
            self._add_api_pages(files, config, api_folder)
        if cli_page and cli_job is not None:
            reference = self._wait(cli_job, "CLI reference")
            if reference is not None:
                self._add_page(files, config, cli_page, reference)
        if gallery and infos_job is not None:
            infos = self._wait(infos_job, "model list") or []
            if specs_job is not None:
                infos += self._spec_infos(specs_job, {info.name for info in infos})
            self._add_gallery(files, config, gallery, infos)
        if self.config.render:
            self._prefetch(files)
        return files

    def _add_page(self, files: Files, config: MkDocsConfig, src_uri: str, content: str) -> None:
        existing = files.get_file_from_path(src_uri)
        if existing is not None:
            files.remove(existing)
        files.append(File.generated(config, src_uri, content=content))

    def _add_gallery(
        self, files: Files, config: MkDocsConfig, gallery: str, infos: list[ModelInfo]
    ) -> None:
        folder = gallery.strip("/")
        if not infos:
            log.warning("netviz: the gallery is empty: no registered models")
        links = {info.name: f"{info.name}.md" for info in infos}
        pages = [f"{folder}/{info.name}.md" for info in infos]
        for info, src_uri in zip(infos, pages):
            self._add_page(files, config, src_uri, model_page(info))
        index = f"{folder}/index.md"
        if files.get_file_from_path(index) is None:
            self._add_page(files, config, index, index_page(infos, links))
            self._index = (index, infos, links)
            if self.config.render:  # thumbnails, drawn while the other pages convert
                for info in infos:
                    if not info.error:
                        options = thumbnail_options(info.model)
                        job = self._submit(worker.render, options, affinity=info.model)
                        self._thumbnails[info.name] = (options, job)
        _extend_nav(config, index, pages)
        log.info("netviz: gallery of %d models: %s", len(infos), ", ".join(links))

    def _spec_infos(self, job: Future[Any], registered: set[str]) -> list[ModelInfo]:
        """The spec pages' models; a page name that a registered model has is left out
        (with a warning: the names are the pages' addresses)."""
        infos = []
        for info in self._wait(job, "list of gallery specs") or []:
            if info.name in registered:
                log.warning("netviz: gallery spec '%s' is also a registered model's name; "
                            "the spec's page is left out", info.name)
                continue
            infos.append(info)
        return infos

    def _add_api_pages(self, files: Files, config: MkDocsConfig, api_folder: str) -> None:
        folder = api_folder.strip("/")
        pages = api_pages(list(self.config.api_packages), folder)
        for page in pages:
            self._add_page(files, config, page.src_uri, page.markdown())
        index = f"{folder}/index.md"
        if files.get_file_from_path(index) is None:
            links = "\n".join(f"- [`{p.module}`]({p.module}.md)" for p in pages)
            self._add_page(files, config, index, f"# Python API\n\n{links}\n")
        _extend_nav(config, index, [page.src_uri for page in pages])

    # -- rendering ------------------------------------------------------------------------

    def _submit(
        self, fn: Any, *args: Any, affinity: str | None = None, cost: int = 1
    ) -> Future[Any]:
        if self._pool is None:
            # Relative file specs (docs/examples/net.py:Net) are relative to mkdocs.yml.
            self._pool = WorkerPool(self._workers(), cwd=self._root)
        return self._pool.submit(fn, *args, affinity=affinity, cost=cost)

    def _workers(self) -> int:
        """Worker count: as configured, else one per CPU (at most 4).

        MkDocs mostly waits once the other pages are converted, so on 2 CPUs two
        workers finish sooner than one (each pays its own torch import; model
        affinity keeps every model's trace in one of them).
        """
        return self.config.workers or max(1, min(4, os.cpu_count() or 1))

    def _wait(self, job: Future[Any], what: str) -> Any:
        try:
            return job.result(timeout=self.config.timeout)
        except Exception as exc:  # noqa: BLE001 - reported, the build goes on
            log.warning("netviz: could not build the %s: %s: %s", what, type(exc).__name__, exc)
            return None

    def _prefetch(self, files: Files) -> None:
        """Send every page's fences to the workers, one batch per page and model.

        A page's fences are those in its Markdown and in the docstrings its
        mkdocstrings directives show. Pages with fences move to the end of
        ``files``, which is the order MkDocs converts pages in: the other pages
        are converted while the workers render, instead of waiting for them.
        """
        roots = [Path(self._root or ".")]
        sources: dict[Path, list[str]] = {}
        for file in list(files.documentation_pages()):
            try:
                source = file.content_string
            except Exception:  # noqa: BLE001 - MkDocs reports unreadable pages itself
                continue
            bodies = list(fence_bodies(source)) if "netviz" in source else []
            if ":::" in source:
                for path in documented_files(source, roots):
                    if path not in sources:
                        sources[path] = _file_fences(path)
                    bodies += sources[path]
            batches: dict[str, list[FenceOptions]] = {}
            for body in bodies:
                try:
                    options = parse_fence(body)
                except FenceError:
                    continue  # reported with the page name when the page is converted
                batch = batches.setdefault(options.model, [])
                if options not in self._pending and options not in batch:
                    batch.append(options)
            for model, batch in batches.items():
                if not batch:
                    continue
                job = self._submit(worker.render_many, batch, affinity=model, cost=len(batch))
                self._batches += 1
                job.add_done_callback(partial(self._progress, file.src_uri, model))
                for index, options in enumerate(batch):
                    self._pending[options] = (job, index)
            if batches:
                files.remove(file)
                files.append(file)

    def _progress(self, page: str, model: str, job: Future[Any]) -> None:
        self._done += 1
        results = [] if job.cancelled() or job.exception() else job.result()
        log.info(
            "netviz: [%d/%d] rendered %s: %s (%d artifacts, %.1f s)",
            self._done,
            self._batches,
            page,
            model,
            len(results),
            sum(result.seconds for result in results),
        )

    def _resolve(self, options: FenceOptions) -> Rendered:
        """The fence's renderer: a prefetched result, or render it now in a worker."""
        if options not in self._pending:
            job = self._submit(worker.render, options, affinity=options.model)
            self._pending[options] = (job, None)
        job, index = self._pending[options]
        try:
            result = job.result(timeout=self.config.timeout)
        except Exception as exc:  # noqa: BLE001 - e.g. a worker that died
            return Rendered(error=f"the render worker failed: {type(exc).__name__}: {exc}")
        return result if index is None else result[index]

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        """Tell the fence which page it is on (for ids and messages); the gallery's index
        gets its thumbnails."""
        fence.CONTEXT.start_page(page.file.src_uri, page.url)
        if self._index is not None and page.file.src_uri == self._index[0]:
            _, infos, links = self._index
            return index_page(infos, links, self._thumbnail_images(page.url))
        return markdown

    def _thumbnail_images(self, page_url: str) -> dict[str, Thumbnail]:
        """Each drawn thumbnail, written with the downloads; a model whose thumbnail
        failed has none (its page says why)."""
        found: dict[str, Thumbnail] = {}
        up = "../" * page_url.count("/")
        for name, (options, job) in self._thumbnails.items():
            result = self._wait(job, f"thumbnail of {name}")
            files = dict(result.files) if isinstance(result, Rendered) and not result.error else {}
            if "png" not in files or fence.CONTEXT.downloads is None:
                continue
            path = fence.download_path(options, "png")
            fence.CONTEXT.downloads[path] = files["png"]
            width, height = png_size(files["png"])
            found[name] = Thumbnail(f"{up}{path}", max(1, width // 2), max(1, height // 2))
        return found

    # -- teardown -------------------------------------------------------------------------

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Write the stylesheet and the downloads, stop the workers, log how long netviz took."""
        files = {STYLESHEET: CSS.encode("utf-8"), **(fence.CONTEXT.downloads or {})}
        for path, data in sorted(files.items()):
            target = os.path.join(config.site_dir, *path.split("/"))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as handle:
                handle.write(data)
        if self._pool is not None:
            log.info(
                "netviz: %d artifacts in %d batches, %.1f s since the files were collected",
                len(self._pending),
                self._batches,
                time.perf_counter() - self._started,
            )
        self._shutdown()

    def on_build_error(self, *, error: Exception) -> None:
        """Stop the workers."""
        self._shutdown()

    def on_shutdown(self) -> None:
        """Stop the workers."""
        self._shutdown()

    def _shutdown(self) -> None:
        fence.CONTEXT.start_page(None)
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None


def _file_fences(path: Path) -> list[str]:
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    return list(fence_bodies(text)) if "netviz" in text else []


def _extend_nav(config: MkDocsConfig, index: str, pages: list[str]) -> None:
    """Append ``pages`` after ``index`` in the nav list that holds it (no nav: nothing)."""
    if not config.nav:
        return
    found = _find_list(config.nav, index)
    if found is None:
        log.info("netviz: '%s' is not in the nav; generated pages are not added to it", index)
        return
    listed = {_target(item) for item in found}
    found.extend(page for page in pages if page not in listed)


def _target(item: Any) -> Any:
    if isinstance(item, dict) and len(item) == 1:
        return next(iter(item.values()))
    return item


def _find_list(items: list[Any], index: str) -> list[Any] | None:
    for item in items:
        if _target(item) == index:
            return items
    for item in items:
        value = _target(item)
        if isinstance(value, list):
            found = _find_list(value, index)
            if found is not None:
                return found
    return None
