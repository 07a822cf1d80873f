"""The ```` ```netviz ```` fence for pymdownx.superfences.

```` markdown
```netviz
model: wrn28_2
legend: true
```
````

renders the model's diagram inline at build time. The netviz plugin registers
the fence; without the plugin, list it yourself::

    markdown_extensions:
      - pymdownx.superfences:
          custom_fences:
            - name: netviz
              class: netviz
              format: !!python/name:netviz.mkdocs.fence.fence_format
              validator: !!python/name:netviz.mkdocs.fence.fence_validator

The fence works in docstrings too: mkdocstrings converts them with the site's
Markdown extensions, so a class's docstring can carry its own diagram.

superfences swallows exceptions raised by custom fences and prints the fence
as code, so this formatter catches every failure itself: it logs a warning
naming the page (and, in a docstring, the documented object) and the reason
(``mkdocs build --strict`` then fails) and puts a visible failure box in the page.
"""

from __future__ import annotations

import hashlib
import html
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from netviz.mkdocs import html as fragments
from netviz.mkdocs.options import FenceError, FenceOptions, parse_fence
from netviz.mkdocs.results import Rendered

log = logging.getLogger("mkdocs.plugins.netviz")

Resolver = Callable[[FenceOptions], Rendered]
"""Turns fence options into a rendered artifact (the plugin's worker pool)."""


@dataclass
class FenceContext:
    """Build state the fence needs; the plugin updates it page by page.

    Attributes:
        page: Source path of the page being converted (for messages).
        page_url: URL of that page relative to the site root (for download links).
        count: Fences seen on this page so far (makes ids unique per page).
        in_docstrings: Fences seen so far in each docstring of this page, by object.
        resolver: How to render; ``None`` renders in this process.
        render: ``False`` puts placeholders instead of artifacts (fast builds).
        downloads: Site-relative path → bytes of every download to write; ``None``
            when nothing writes them (no plugin), so downloads are an error.
        failures: ``(page, reason)`` of every fence that failed in this build.
    """

    page: str | None = None
    page_url: str = ""
    count: int = 0
    in_docstrings: dict[str, int] = field(default_factory=dict)
    resolver: Resolver | None = None
    render: bool = True
    downloads: dict[str, bytes] | None = None
    failures: list[tuple[str, str]] | None = None

    def start_page(self, page: str | None, url: str = "") -> None:
        """Record the page about to be converted and restart its id counter."""
        self.page = page
        self.page_url = url
        self.count = 0
        self.in_docstrings = {}

    def where(self, md: Any) -> str:
        """Count a fence of this page: ``fence N``, or in a docstring ``docstring of X, fence N``.

        mkdocstrings converts a docstring with the ids of its elements prefixed by
        the object's id (``pkg.mod.Class--``), through its public
        ``IdPrependingTreeprocessor`` (registered as ``mkdocstrings_ids``).
        """
        self.count += 1
        processors = getattr(md, "treeprocessors", {})
        ids = processors["mkdocstrings_ids"] if "mkdocstrings_ids" in processors else None
        prefix = str(getattr(ids, "id_prefix", "") or "")
        if not prefix:
            return f"fence {self.count}"
        name = prefix.removesuffix("--")
        self.in_docstrings[name] = self.in_docstrings.get(name, 0) + 1
        return f"docstring of {name}, fence {self.in_docstrings[name]}"


CONTEXT = FenceContext()
"""The one context of this process (MkDocs builds pages one at a time)."""


def fence_validator(
    language: str, inputs: dict[str, str], options: dict[str, Any], attrs: dict[str, Any], md: Any
) -> bool:
    """Accept every header option (they are checked, with the body, when formatting)."""
    options.update(inputs)
    return True


def fence_format(
    source: str, language: str, class_name: str, options: dict[str, Any], md: Any, **kwargs: Any
) -> str:
    """Render one fence to HTML; never raises (see the module docs)."""
    where = CONTEXT.where(md)
    number = CONTEXT.count
    try:
        opts = parse_fence(source, options)
    except FenceError as exc:
        return _fail(f"bad netviz fence: {exc}", "netviz fence", where)
    except Exception as exc:  # noqa: BLE001 - superfences would hide it
        return _fail(f"bad netviz fence: {type(exc).__name__}: {exc}", "netviz fence", where)
    uid = f"netviz-{number}-{fragments.slug(opts.model)}"
    if not CONTEXT.render:
        return fragments.wrap(uid, f"netviz-{opts.show} netviz-placeholder", _placeholder(opts))
    try:
        if opts.downloads and CONTEXT.downloads is None:
            reason = "'download' needs the netviz plugin (plugins: [netviz])"
            return _fail(reason, opts.model, where)
        result = (CONTEXT.resolver or _render_here)(opts)
        if result.error:
            reason = f"cannot render {opts.model!r} ({opts.show}): {result.error}"
            return _fail(reason, opts.model, where)
        return to_html(opts, result.text, uid) + _download_links(opts, result.files)
    except Exception as exc:  # noqa: BLE001 - superfences would hide it
        reason = f"cannot render {opts.model!r}: {type(exc).__name__}: {exc}"
        return _fail(reason, opts.model, where)


def to_html(options: FenceOptions, text: str, uid: str) -> str:
    """Wrap a rendered artifact in its ``div`` (see [`netviz.mkdocs.html`][])."""
    if options.show == "diagram" and options.format == "svg":
        svg = fragments.inline_svg(fragments.readable(text), f"{uid}-")
        return fragments.wrap(uid, "netviz-diagram", svg)
    if options.show == "diagram":
        return fragments.wrap(uid, "netviz-diagram netviz-mermaid", fragments.mermaid_block(text))
    if options.show == "pseudocode":
        return fragments.wrap(uid, "netviz-pseudocode", fragments.code_block(text))
    if options.show == "summary" and options.format == "markdown":
        # a diff's text form lists the figure's labels, which stay out of the search index
        return fragments.wrap(
            uid, "netviz-summary", fragments.markdown_table(text), searchable=not options.diff
        )
    if options.show == "summary":
        language = "latex" if options.format == "latex" else options.format
        return fragments.wrap(uid, "netviz-summary", fragments.code_block(text, language))
    if CONTEXT.downloads is not None:  # a file beside the page keeps the HTML light
        path = download_path(options, "svg", "img")
        CONTEXT.downloads[path] = text.encode("utf-8")
        up = "../" * CONTEXT.page_url.count("/")
        alt = html.escape(f"{options.chart} chart of {options.model}", quote=True)
        return fragments.wrap(uid, "netviz-chart", f'<img src="{up}{path}" alt="{alt}">')
    return fragments.wrap(uid, "netviz-chart", fragments.inline_svg(text, f"{uid}-"))


DOWNLOAD_FOLDER = "assets/netviz"
"""Where downloads are written in the built site."""


def download_path(options: FenceOptions, kind: str, role: str = "") -> str:
    """Site-relative path of a file a fence writes: model, a digest of the options, the type."""
    digest = hashlib.sha1(repr(options).encode("utf-8")).hexdigest()[:10]
    name = fragments.slug(options.model.rsplit(":", 1)[-1])
    return f"{DOWNLOAD_FOLDER}/{name}-{options.show}{role and '-' + role}-{digest}.{kind}"


def _download_links(options: FenceOptions, files: tuple[tuple[str, bytes], ...]) -> str:
    if not files or CONTEXT.downloads is None:
        return ""
    up = "../" * CONTEXT.page_url.count("/")
    links = []
    for kind, data in files:
        path = download_path(options, kind)
        CONTEXT.downloads[path] = data
        links.append(f'<a href="{up}{path}" download>{kind.upper()}</a>')
    return f'<p class="netviz-downloads">Download: {" · ".join(links)}</p>'


def _render_here(options: FenceOptions) -> Rendered:
    from netviz.mkdocs.worker import render

    return render(options)


def _placeholder(options: FenceOptions) -> str:
    model = html.escape(options.model)
    return f"<p><em>netviz {options.show} of <code>{model}</code> (rendering disabled)</em></p>"


def _fail(reason: str, title: str, where: str) -> str:
    page = CONTEXT.page or "<unknown page>"
    log.warning("netviz: page '%s' (%s): %s", page, where, reason)
    if CONTEXT.failures is not None:
        CONTEXT.failures.append((page, reason))
    return fragments.error_box(f"netviz could not render {title}", reason)
