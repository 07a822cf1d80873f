"""The built site: offline, complete, and generated from the code."""

from __future__ import annotations

import ast
import collections
import html
import json
import re
from pathlib import Path

import pytest

from tests.docs.conftest import ROOT, Build

EXTERNAL_TAG = re.compile(
    r"<(?:script|link|img|iframe|source|embed|object)\b[^>]*?\b(?:src|href|data)=[\"']?(?:https?:)?//",
    re.I,
)
EXTERNAL_CSS = re.compile(r"(?:@import\s+(?:url\()?|url\()\s*[\"']?(?:https?:)?//", re.I)
ID = re.compile(r"\sid=\"([^\"]+)\"")


def _html(site: Path) -> dict[str, str]:
    return {str(p.relative_to(site)): p.read_text("utf-8") for p in site.rglob("*.html")}


def _page(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text("utf-8")


def _text(page: str) -> str:
    """The page's text: tags (e.g. syntax highlighting spans) removed, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def test_build_is_strict_and_logs_gallery_progress(site_build: Build) -> None:
    assert "WARNING" not in site_build.output
    progress = r"netviz: \[\d+/\d+\] rendered gallery/wrn28_2\.md: wrn28_2 \(\d+ artifacts"
    assert re.search(progress, site_build.output)


def test_no_external_scripts_styles_or_fonts(site: Path) -> None:
    offenders = []
    for name, text in _html(site).items():
        offenders += [f"{name}: {m.group(0)}" for m in EXTERNAL_TAG.finditer(text)]
        for style in re.findall(r"<style\b[^>]*>(.*?)</style>", text, re.S | re.I):
            offenders += [f"{name}: {m.group(0)}" for m in EXTERNAL_CSS.finditer(style)]
    for css in site.rglob("*.css"):
        text = css.read_text("utf-8")
        offenders += [f"{css.name}: {m.group(0)}" for m in EXTERNAL_CSS.finditer(text)]
    assert offenders == []
    assert not any("fonts.googleapis" in text for text in _html(site).values())


def test_mermaid_is_vendored_and_loaded_before_material_needs_it(site: Path) -> None:
    assert (site / "assets/javascripts/mermaid.min.js").stat().st_size > 1_000_000
    home = _page(site, "notation")
    assert re.search(r'<script src="\.\./assets/javascripts/mermaid\.min\.js', home)
    assert '<pre class="mermaid"><code>graph TD' in home
    # Material falls back to unpkg when window.mermaid is a DOM element (id="mermaid").
    assert not any(' id="mermaid"' in text for text in _html(site).values())


def _gallery_exclusions() -> list[str]:
    """The ``exclude`` patterns of the netviz plugin in ``mkdocs.yml``."""
    from mkdocs.config import load_config

    config = load_config(str(ROOT / "mkdocs.yml"))
    return list(config.plugins["netviz"].config.exclude)


def _gallery_specs() -> dict[str, str]:
    """The ``specs`` of the netviz plugin in ``mkdocs.yml``: page name → model spec."""
    from mkdocs.config import load_config

    config = load_config(str(ROOT / "mkdocs.yml"))
    return dict(config.plugins["netviz"].config.specs)


EIGHT = ("bert", "gpt2", "llama", "mixtral", "t5", "whisper", "clip", "vit")


def test_the_eight_transformers_models_have_gallery_pages(site: Path) -> None:
    """Issue 19: bert, gpt2, llama, mixtral, t5, whisper, clip and vit each get a page, drawn
    from a spec at the default configuration (which the page says), with the same content as
    a registered model's page and a thumbnail on the index; parameters are the modules' own
    count (tied weights once)."""
    specs = _gallery_specs()
    assert tuple(specs) == EIGHT and all(spec.startswith("hf:") for spec in specs.values())
    index = _page(site, "gallery")
    counts = {"gpt2": "124,439,808", "llama": "6,738,415,616", "bert": "109,482,240"}
    for name, spec in specs.items():
        page = _page(site, f"gallery/{name}")
        text = _text(page)
        assert f'href="{name}/"' in index and f'alt="diagram of {name}"' in index
        assert "default configuration" in text and spec in text
        assert '<div class="netviz-diagram" id="netviz-1-' in page and "<svg" in page
        assert "netviz-mermaid" in page and "netviz-pseudocode" in page
        assert "netviz-summary" in page and "<table>" in page.split("netviz-summary", 1)[1]
        assert page.count('class="netviz-chart"') == 1
        assert f"netviz render {spec} -o" in text
        assert "netviz-error" not in page and "netviz-placeholder" not in page
        if name in counts:
            assert counts[name] in text
    llama = _text(_page(site, "gallery/llama"))
    assert "RoPE" in llama and "RMSNorm" in llama
    assert "MoE 8 experts, top-2, 14336D" in _text(_page(site, "gallery/mixtral"))


def test_every_registered_model_has_a_gallery_page(site: Path) -> None:
    import fnmatch

    from netviz.registry import list_models

    excluded = _gallery_exclusions()
    models = list_models()
    assert len(models) >= 21
    for pattern in excluded:  # no stale exclusions: each names a registered model
        assert fnmatch.filter(models, pattern), pattern
    shown = [n for n in models if not any(fnmatch.fnmatchcase(n, p) for p in excluded)]
    assert len(shown) >= 18
    index = _page(site, "gallery")
    for name in sorted(set(models) - set(shown)):
        assert not (site / "gallery" / name).exists() and f'href="{name}/"' not in index
    for name in shown:
        page = _page(site, f"gallery/{name}")
        assert f'href="{name}/"' in index
        assert '<div class="netviz-diagram" id="netviz-1-' in page
        assert "netviz-mermaid" in page and "netviz-pseudocode" in page
        assert "netviz-summary" in page and "<table>" in page.split("netviz-summary", 1)[1]
        assert page.count('class="netviz-chart"') == 1
        assert f"netviz plot {name} --kind shapes" in _text(page)
        assert f"netviz render {name} -o {name}.svg --legend" in _text(page)
        assert f"netviz pseudocode {name} -o {name}.txt" in _text(page)
        assert "netviz-error" not in page


def test_the_gallery_index_shows_a_lazy_thumbnail_of_each_model(site: Path) -> None:
    """Each shown model's row has its diagram as a PNG drawn at build time, loaded lazily
    from the site itself, at half its pixels (sharp on a 2x screen)."""
    import fnmatch
    import re

    from netviz.mkdocs.gallery import THUMBNAIL_DPI, png_size
    from netviz.registry import list_models

    excluded = _gallery_exclusions()
    shown = [n for n in list_models() if not any(fnmatch.fnmatchcase(n, p) for p in excluded)]
    index = _page(site, "gallery")
    images = re.findall(r'<a href="([^"]+)/"><img class="netviz-thumbnail" src="([^"]+)" '
                        r'alt="diagram of ([^"]+)" loading="lazy" width="(\d+)" '
                        r'height="(\d+)"></a>', index)
    assert [name for *_, name, _, _ in images] == [*shown, *_gallery_specs()]
    for link, src, name, width, height in images:
        assert link == name and src.startswith("../assets/netviz/")
        data = (site / "gallery" / src).resolve().read_bytes()
        pixels = png_size(data)
        assert (int(width), int(height)) == (pixels[0] // 2, pixels[1] // 2)
        assert 4 / 2.54 * THUMBNAIL_DPI * 0.3 < pixels[0] <= 4 / 2.54 * THUMBNAIL_DPI + 2


def test_gallery_page_of_wrn28_2(site: Path) -> None:
    page = _page(site, "gallery/wrn28_2")
    assert "1,467,610" in page
    diagram = page.split('<div class="netviz-diagram" id="netviz-1-wrn28-2"', 1)[1]
    assert diagram.lstrip().startswith("data-search-exclude><svg")
    assert "3x3 16C 1S 1P" in diagram.split("</svg>", 1)[0]
    listing = page.split('class="netviz-pseudocode"', 1)[1].split("</code>", 1)[0]
    listing = html.unescape(listing.split('<code class="language-text">', 1)[1])
    assert listing.startswith("Conv torch.Size([16, 3, 3, 3]) Stride 1 Pad 1\nGroup 0\n\tBlock 0\n")
    import netviz

    assert listing == netviz.pseudocode("wrn28_2")  # tabs and all


def test_ids_are_unique_on_every_page(site: Path) -> None:
    for name, text in _html(site).items():
        duplicates = [i for i, n in collections.Counter(ID.findall(text)).items() if n > 1]
        assert duplicates == [], name


def test_one_model_twice_on_a_page(site: Path) -> None:
    page = _page(site, "notation")
    wrappers = re.findall(r'<div class="netviz-diagram" id="(netviz-\d+-wrn28-2)"', page)
    assert len(wrappers) == 2 and wrappers[0] != wrappers[1]


def test_diagrams_stay_out_of_the_search_index(site: Path) -> None:
    index = json.loads((site / "search/search_index.json").read_text("utf-8"))
    text = json.dumps(index)
    assert "3x3 16C 1S 1P" not in text  # only ever inside diagrams
    assert "1x1 128C 2S 0P" not in text
    assert any(doc["location"].startswith("gallery/wrn28_2/") for doc in index["docs"])


def _public_definitions() -> list[str]:
    names = []
    for package, folder in (("netviz", "netviz"), ("netviz_models", "models")):
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = (package, *path.relative_to(ROOT / folder).with_suffix("").parts)
            if any(p.startswith("_") and p != "__init__" for p in parts):
                continue
            module = ".".join(p for p in parts if p != "__init__")
            for node in ast.parse(path.read_text("utf-8")).body:
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    if not node.name.startswith("_"):
                        names.append(f"{module}.{node.name}")
    return names


def test_api_pages_cover_every_public_function_and_class(site: Path) -> None:
    anchors: set[str] = set()
    for page in (site / "api").rglob("index.html"):
        anchors |= set(ID.findall(page.read_text("utf-8")))
    public = _public_definitions()
    assert "netviz.api.render" in public and "netviz_models.resnet.ResNet" in public
    assert [name for name in public if name not in anchors] == []


def test_api_pages_exist_for_netviz_and_models(site: Path) -> None:
    for module in ("netviz", "netviz.api", "netviz.ir", "netviz.registry", "netviz_models",
                   "netviz_models.wideresnet", "netviz_models.resnet", "netviz_models.mdnc"):
        assert f'id="{module}"' in _page(site, f"api/{module}")
    assert 'id="netviz.api.render"' in _page(site, "api/netviz.api")


def test_cli_reference_is_generated(site: Path) -> None:
    from netviz.cli import build_parser
    from netviz.mkdocs.cli_reference import subcommands

    page = _page(site, "reference/cli")
    for name in subcommands(build_parser()):
        assert f"netviz {name}" in page
    assert "--input-shape" in page and "--no-fold" in page


def test_papers_page_embeds_latex_and_links_the_pdf(site: Path) -> None:
    page = _page(site, "papers")
    assert "\\begin{tabular}" in page or "\\toprule" in page
    links = re.findall(r'href="\.\./(assets/netviz/[^"]+\.(pdf|tex|svg|png))" download', page)
    kinds = {kind for _, kind in links}
    assert {"pdf", "tex", "svg", "png"} <= kinds
    for path, kind in links:
        data = (site / path).read_bytes()
        assert data, path
        if kind == "pdf":
            assert data.startswith(b"%PDF")
        if kind == "png":
            assert data.startswith(b"\x89PNG")


@pytest.mark.parametrize("page", ["index", "notation", "getting-started", "extending", "contributing"])
def test_hand_written_pages_render(site: Path, page: str) -> None:
    path = site / "index.html" if page == "index" else site / page / "index.html"
    text = path.read_text("utf-8")
    assert "netviz-error" not in text
    assert "netviz-placeholder" not in text


@pytest.mark.needs_tikz
def test_the_worked_latex_example_compiles(site: Path, tmp_path: Path) -> None:
    """The Papers page's example document, with the table and TikZ figure the site offers."""
    import subprocess

    page = _page(site, "papers")
    links = re.findall(r'href="\.\./(assets/netviz/[^"]+\.(tikz|tex))" download', page)
    files = {kind: [(site / path).read_bytes() for path, k in links if k == kind]
             for kind in ("tikz", "tex")}
    (tmp_path / "wrn28_2.tikz").write_bytes(files["tikz"][0])
    (table,) = [data for data in files["tex"] if b"\\begin{tabular}" in data]
    (tmp_path / "wrn28_2-table.tex").write_bytes(table)
    source = (ROOT / "docs" / "papers.md").read_text("utf-8")
    document = source.split("```latex\n", 1)[1].split("```", 1)[0]
    (tmp_path / "paper.tex").write_text(document, "utf-8")
    command = ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "paper.tex"]
    for _ in range(2):  # twice, for the \ref
        done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout[-3000:]
    log = (tmp_path / "paper.log").read_text("utf-8", errors="replace")
    assert "undefined" not in log.lower()
    assert (tmp_path / "paper.pdf").read_bytes().startswith(b"%PDF")


def test_gallery_command_lines_reproduce_the_artifacts(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run every command shown on the wrn28_2 page; the shown artifacts are their outputs."""
    import shlex

    from netviz.cli import main
    from netviz.mkdocs.gallery import page_fences
    from netviz.mkdocs.html import inline_svg, markdown_table, readable
    from netviz.mkdocs.options import cli_command

    page = _page(site, "gallery/wrn28_2")
    monkeypatch.chdir(tmp_path)
    for options in page_fences("wrn28_2"):
        command = cli_command(options)
        assert command in _text(page)
        assert main(shlex.split(command)[1:]) == 0, command
    svg = (tmp_path / "wrn28_2.svg").read_text("utf-8")
    assert inline_svg(readable(svg), "netviz-1-wrn28-2-") in page
    mermaid = html.escape((tmp_path / "wrn28_2.mmd").read_text("utf-8").strip())
    assert f'<pre class="mermaid"><code>{mermaid}</code></pre>' in page
    listing = html.escape((tmp_path / "wrn28_2.txt").read_text("utf-8"))
    assert f'<code class="language-text">{listing}</code>' in page
    assert markdown_table((tmp_path / "wrn28_2.md").read_text("utf-8")) in page
    chart = (tmp_path / "wrn28_2.params.svg").read_bytes()
    (image,) = re.findall(r'<div class="netviz-chart"[^>]*><img src="\.\./\.\./([^"]+)"', page)
    assert (site / image).read_bytes() == chart


def test_spec_is_documented_as_the_union_it_is(site: Path) -> None:
    """``Spec`` is ``str | nn.Module`` (torch imported for type checkers only), never ``Any``."""
    import typing

    from netviz.api import Spec

    assert typing.get_args(Spec) == (str, typing.ForwardRef("torch.nn.Module"))
    text = _text(_page(site, "api/netviz.api"))
    assert "Spec = Union[str, 'torch.nn.Module']" in text
    assert "Spec = Any" not in text


def test_the_notebook_page_is_in_the_nav_and_links_the_objects(site: Path) -> None:
    page = _page(site, "notebook")
    assert "<h1" in page and "In a notebook" in _text(page)
    assert 'href="../api/netviz.diagrams/#netviz.diagrams.Diagram"' in page
    assert "In a notebook" in _text(_page(site, ""))  # the navigation lists it
