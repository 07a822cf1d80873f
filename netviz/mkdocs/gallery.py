"""Markdown of the gallery: one page per registered model and per listed model spec
(the plugin's ``specs``: models that need no registration, such as transformers classes
``hf:BertModel``), and an index.

The pages are plain Markdown built from ```` ```netviz ```` fences, so the
gallery renders through exactly the same code as any fence a user writes, and
each artifact comes with the CLI line that reproduces it.
"""

from __future__ import annotations

from dataclasses import dataclass

from netviz.mkdocs.fence_words import THUMBNAIL
from netviz.mkdocs.options import FenceOptions, cli_command
from netviz.mkdocs.results import ModelInfo

CHART_TITLES = {
    "params": "Parameters per group",
    "macs": "Mult-adds per group",
    "shapes": "Feature width and positions",
}


GALLERY_CHARTS = ("params",)
"""Charts drawn on every gallery page; the others get their command line only
(matplotlib is the slowest part of the gallery: one chart per page keeps the
docs build within twice the time of a build without diagrams)."""


def page_fences(name: str) -> list[FenceOptions]:
    """Every fence a model's gallery page holds, in page order."""
    return [
        FenceOptions(model=name, legend=True),
        FenceOptions(model=name, format="mermaid"),
        FenceOptions(model=name, show="pseudocode"),
        FenceOptions(model=name, show="summary", by_group=True),
        *(FenceOptions(model=name, show="chart", chart=kind) for kind in GALLERY_CHARTS),
    ]


def fence_markdown(options: FenceOptions, indent: str = "") -> str:
    """The ```` ```netviz ```` fence that asks for ``options`` (defaults left out)."""
    defaults = FenceOptions(model=options.model, show=options.show)
    lines = [f"model: {options.model}"]
    keys = ("show", "format", "legend", "fold", "shapes", "direction", "theme", "chart",
            "by_group", "depth", "caption", "label", "dpi", "fit")
    for key in keys:
        value = getattr(options, key)
        if value != getattr(defaults, key) or (key == "show" and value != "diagram") or (
            key == "chart" and options.show == "chart"
        ):
            lines.append(f"{key}: {str(value).lower() if isinstance(value, bool) else value}")
    if options.input_shapes:
        shapes = "; ".join(",".join(str(d) for d in shape) for shape in options.input_shapes)
        lines.append(f"input_shape: {shapes}")
    if options.downloads:
        lines.append(f"download: {', '.join(options.downloads)}")
    body = "\n".join(["```netviz", *lines, "```"])
    return "\n".join(indent + line for line in body.splitlines())


def _reproduce(options: FenceOptions, indent: str = "") -> str:
    return f"{indent}```bash\n{indent}{cli_command(options)}\n{indent}```"


def model_page(info: ModelInfo) -> str:
    """The gallery page of one model (registered, or named by a spec)."""
    model = info.model
    diagram, mermaid, listing, summary, *charts = page_fences(model)
    params = f"{info.params:,}" if info.params is not None else "unknown"
    if info.spec:
        head = ["| Model spec | Inputs (made by netviz) | Parameters |", "| --- | --- | --- |",
                f"| `{info.spec}` | `{info.input_shapes or '—'}` | **{params}** |"]
    else:
        head = ["| Registered name | Default input | Parameters |", "| --- | --- | --- |",
                f"| `{info.name}` | `{info.input_shapes}` | **{params}** |"]
    out = [
        f"# {info.name}",
        "",
        info.description or "(no description registered)",
        "",
        *head,
        "",
    ]
    if info.spec:
        out += [
            f"Built from the spec `{info.spec}` on the meta device: no weights are allocated, "
            "and the inputs are the ones netviz makes for the model (see "
            "[Transformers models](../transformers.md) for transformers specs).",
            "",
        ]
    if info.error:
        out += ["!!! failure \"The model cannot be built\"", "", f"    {info.error}", ""]
    out += [
        "## Diagram",
        "",
        "Rendered at build time by the `netviz` fence, with the legend of the marks it uses.",
        "",
        fence_markdown(diagram),
        "",
        "Reproduce:",
        "",
        _reproduce(diagram),
        "",
        "## Mermaid version",
        "",
        "The same diagram in the seed's Mermaid vocabulary, drawn in your browser.",
        "",
        fence_markdown(mermaid),
        "",
        _reproduce(mermaid),
        "",
        "## Pseudocode",
        "",
        '??? note "Pseudocode listing (click to open)"',
        "",
        fence_markdown(listing, "    "),
        "",
        _reproduce(listing),
        "",
        "## Summary by group",
        "",
        "One row per diagram group, so the table and the figure agree block for block.",
        "",
        fence_markdown(summary),
        "",
        _reproduce(summary),
        "",
        "## Charts",
        "",
    ]
    for chart in charts:
        title = CHART_TITLES[chart.chart]
        out += [f"{title}:", "", fence_markdown(chart), "", _reproduce(chart), ""]
    others = [kind for kind in CHART_TITLES if kind not in GALLERY_CHARTS]
    if others:
        out += ["The other charts (PNG and PDF work too):", "", "```bash"]
        for kind in others:
            out.append(cli_command(FenceOptions(model=model, show="chart", chart=kind)))
        out += ["```", ""]
    out += [
        "## In Python",
        "",
        "```python",
        "import netviz",
        "",
        f'svg = netviz.render("{model}", "svg", legend=True)',
        f'table = netviz.summary("{model}", "markdown", by_group=True)',
        "```",
        "",
    ]
    return "\n".join(out)


THUMBNAIL_BOX = "4cmx5cm"
"""The box each thumbnail of the index is drawn to fit (``--fit``: a snake if it is long)."""

THUMBNAIL_DPI = 144
"""Resolution of a thumbnail: shown at half its pixels, sharp on a 2x screen."""


def thumbnail_options(name: str) -> FenceOptions:
    """What draws a model's thumbnail: its folded diagram at full detail fitted to a small
    box (wrapped into columns or rows, never boxed by depth), a PNG; rendered and cached
    like a fence's artifacts."""
    return FenceOptions(model=name, show=THUMBNAIL, theme="paper", fit=THUMBNAIL_BOX,
                        downloads=("png",), dpi=THUMBNAIL_DPI)


@dataclass(frozen=True)
class Thumbnail:
    """A thumbnail image of the index.

    Attributes:
        src: Its address, relative to the index page.
        width: The width it is shown at (CSS pixels; half its pixels).
        height: The height it is shown at.
    """

    src: str
    width: int
    height: int


def png_size(data: bytes) -> tuple[int, int]:
    """The width and height (pixels) in a PNG's header."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def index_page(
    infos: list[ModelInfo], links: dict[str, str], thumbnails: dict[str, Thumbnail] | None = None
) -> str:
    """The gallery's index: a table of every model, each with a thumbnail of its diagram
    (lazy-loaded) when one was drawn.

    Args:
        infos: The models: registered ones in registry order, then the listed specs.
        links: Page name → relative link of its page.
        thumbnails: Page name → its thumbnail image.
    """
    thumbnails = thumbnails or {}
    out = [
        "# Gallery",
        "",
        "One page per registered model, generated at build time from the registry "
        "(`netviz list`): register a model and its page appears here, no docs edit needed; "
        "and one per model spec the site lists (transformers models such as "
        "`hf:BertModel`, drawn from their configuration, no weights). "
        "Every page shows the diagram, its Mermaid version, the pseudocode, the summary "
        "by group, charts, and the command that reproduces each artifact. The thumbnails "
        f"are each diagram at full detail fitted to {THUMBNAIL_BOX.replace('x', ' × ')}.",
        "",
        "| Diagram | Model | Input | Parameters | Description |",
        "| :---: | --- | --- | ---: | --- |",
    ]
    for info in infos:
        params = f"{info.params:,}" if info.params is not None else "—"
        description = info.description.replace("|", "\\|")
        shown = f"`{info.spec}`: {description}" if info.spec else description
        thumb = thumbnails.get(info.name)
        picture = (
            f'<a href="{_page_address(links[info.name])}"><img class="netviz-thumbnail" '
            f'src="{thumb.src}" alt="diagram of {info.name}" loading="lazy" '
            f'width="{thumb.width}" height="{thumb.height}"></a>' if thumb else "—"
        )
        out.append(
            f"| {picture} | [{info.name}]({links[info.name]}) | `{info.input_shapes or '—'}` "
            f"| {params} | {shown} |"
        )
    out.append("")
    return "\n".join(out)


def _page_address(link: str) -> str:
    """The address of a model page (``wrn28_2.md``) as MkDocs serves it (``wrn28_2/``)."""
    return link.removesuffix(".md") + "/"
