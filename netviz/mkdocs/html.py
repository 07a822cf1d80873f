"""Turning rendered artifacts into HTML fragments for a Markdown page.

Every fragment is wrapped in a ``div`` with a unique id; diagrams and listings
carry ``data-search-exclude`` so their labels stay out of the search index.
Inline SVGs get every ``id`` (and every ``#id`` reference) prefixed with the
wrapper's id, so two diagrams of the same model on one page never collide.
"""

from __future__ import annotations

import html
import re

_STRIP = re.compile(r"<\?xml.*?\?>|<!DOCTYPE.*?>|<!--.*?-->", re.S)
_ID = re.compile(r'(?<![\w:-])id="([^"]*)"')
_REF = re.compile(r'(url\(#|href="#)([^)"]+)')
_SLUG = re.compile(r"[^a-z0-9]+")
_ROOT = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"\s+viewBox="([^"]*)"')
_FONT = re.compile(r'font-size="([\d.]+)"')


def slug(text: str) -> str:
    """A lowercase id fragment: ``"netviz_models.resnet:resnet18"`` → ``"netviz-models-resnet-resnet18"``."""
    return _SLUG.sub("-", text.lower()).strip("-") or "x"


def inline_svg(svg: str, prefix: str) -> str:
    """Prepare an SVG document for inlining in HTML.

    Drops the XML prolog, doctype and comments, and prefixes every ``id`` and
    every ``url(#…)`` / ``href="#…"`` reference with ``prefix``.

    Args:
        svg: A complete SVG document (Graphviz or matplotlib output).
        prefix: Unique per inlined SVG, e.g. ``"netviz-2-wrn28-2-"``.

    Raises:
        ValueError: ``svg`` holds no ``<svg`` element.
    """
    body = _STRIP.sub("", svg)
    start = body.find("<svg")
    if start < 0:
        raise ValueError("the renderer returned no <svg> element")
    body = body[start:]
    body = _ID.sub(lambda m: f'id="{prefix}{m.group(1)}"', body)
    body = _REF.sub(lambda m: f"{m.group(1)}{prefix}{m.group(2)}", body)
    return "\n".join(line for line in body.splitlines() if line.strip())


def readable(svg: str) -> str:
    """Size a Graphviz SVG in ``em`` so its smallest text is as large as the page's text.

    Graphviz sizes a figure in points, as printed, with 7-9 pt labels: about 9-12 px on a
    web page, smaller than the body text, and smaller still once a wide figure is shrunk
    to the page. Here the figure's width and height become ems, one em per smallest font
    size, so every label is at least the body text size wherever the figure is shown
    (CSS lets a wider figure scroll sideways instead of shrinking). An SVG without that
    root element or without text is returned unchanged.
    """
    match = _ROOT.search(svg)
    sizes = [float(size) for size in _FONT.findall(svg)]
    if match is None or not sizes or min(sizes) <= 0:
        return svg
    view = match.group(3).split()
    if len(view) != 4:
        return svg
    unit = min(sizes)  # viewBox units (points) per em
    width, height = float(view[2]) / unit, float(view[3]) / unit
    root = f'<svg width="{width:.2f}em" height="{height:.2f}em"\n viewBox="{match.group(3)}"'
    return svg[: match.start()] + root + svg[match.end() :]


def wrap(uid: str, classes: str, inner: str, *, searchable: bool = False) -> str:
    """``<div id=uid class="classes" data-search-exclude>inner</div>``."""
    exclude = "" if searchable else " data-search-exclude"
    return f'<div class="{classes}" id="{uid}"{exclude}>{inner}</div>'


def mermaid_block(source: str) -> str:
    """A ``pre.mermaid`` block that mkdocs-material renders with the vendored mermaid."""
    return f'<pre class="mermaid"><code>{html.escape(source.strip())}</code></pre>'


def code_block(text: str, language: str = "text") -> str:
    """A plain ``<pre><code>`` block (tabs kept as tabs)."""
    code = html.escape(text)
    return f'<pre class="netviz-code"><code class="language-{language}">{code}</code></pre>'


def markdown_table(text: str) -> str:
    """Convert Markdown (a table and any text around it) to HTML on its own."""
    import markdown

    return markdown.Markdown(extensions=["tables"]).convert(text)


def error_box(title: str, reason: str) -> str:
    """A visible failure admonition (the build also logs a warning)."""
    return (
        '<div class="admonition failure netviz-error">'
        f'<p class="admonition-title">{html.escape(title)}</p>'
        f"<p>{html.escape(reason)}</p></div>"
    )
