"""Generated Markdown: gallery pages, CLI reference, API pages, nav; no build, no torch."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from netviz.cli import build_parser
from netviz.mkdocs.apiref import api_pages
from netviz.mkdocs.cli_reference import cli_markdown, subcommands
from netviz.mkdocs.gallery import fence_markdown, index_page, model_page, page_fences
from netviz.mkdocs.options import cli_command, parse_fence
from netviz.mkdocs.plugin import _extend_nav
from netviz.mkdocs.prefetch import fence_bodies
from netviz.mkdocs.results import ModelInfo

INFO = ModelInfo("wrn28_2", "WideResNet-28-2 (CIFAR, 32x32)", "3x32x32", 1467610)


def _fences(markdown: str) -> list:
    return [parse_fence(body) for body in fence_bodies(markdown)]


def test_fence_markdown_round_trips() -> None:
    for options in page_fences("wrn28_2"):
        text = fence_markdown(options, indent="    ")
        assert _fences(text) == [options]


def test_model_page_holds_every_artifact_and_its_command() -> None:
    page = model_page(INFO)
    assert page.startswith("# wrn28_2\n")
    assert "**1,467,610**" in page and "`3x32x32`" in page
    assert _fences(page) == page_fences("wrn28_2")  # prefetching sees every fence
    shows = [(f.show, f.format) for f in page_fences("wrn28_2")]
    assert ("diagram", "svg") in shows and ("diagram", "mermaid") in shows
    assert {"pseudocode", "summary", "chart"} <= {show for show, _ in shows}
    for options in page_fences("wrn28_2"):
        assert cli_command(options) in page
    assert '??? note "Pseudocode' in page  # collapsible


def test_model_page_of_a_broken_model_says_why() -> None:
    page = model_page(ModelInfo("bad", "", "3x8x8", None, "ValueError: boom"))
    assert "unknown" in page and "ValueError: boom" in page and "!!! failure" in page


SPEC = ModelInfo("t5", "transformers T5ForConditionalGeneration, default configuration",
                 "input_ids=128:int64 decoder_input_ids=128:int64", 60506624,
                 spec="hf:T5ForConditionalGeneration")


def test_a_spec_page_draws_the_spec_and_says_its_configuration() -> None:
    """A gallery page of a model named by a spec (no registration): its fences, commands and
    Python lines all name the spec; the page says which configuration and inputs it is."""
    page = model_page(SPEC)
    assert page.startswith("# t5\n")
    assert "default configuration" in page and "`input_ids=128:int64 decoder_input_ids" in page
    assert "| `hf:T5ForConditionalGeneration` |" in page and "**60,506,624**" in page
    assert _fences(page) == page_fences("hf:T5ForConditionalGeneration")
    for options in page_fences("hf:T5ForConditionalGeneration"):
        assert cli_command(options) in page
    assert 'netviz.render("hf:T5ForConditionalGeneration", "svg", legend=True)' in page
    assert "model: t5" not in page


def test_index_page_lists_spec_pages_after_the_registered_ones() -> None:
    page = index_page([INFO, SPEC], {"wrn28_2": "wrn28_2.md", "t5": "t5.md"})
    rows = [line for line in page.splitlines() if line.startswith("| ") and "](" in line]
    assert [row.split("](")[0].rsplit("[", 1)[1] for row in rows] == ["wrn28_2", "t5"]
    assert "`hf:T5ForConditionalGeneration`: transformers T5ForConditionalGeneration" in rows[1]


def test_index_page_links_every_model() -> None:
    infos = [INFO, ModelInfo("resnet18", "ResNet | 18", "3x224x224", 11689512)]
    page = index_page(infos, {"wrn28_2": "wrn28_2.md", "resnet18": "resnet18.md"})
    assert "[wrn28_2](wrn28_2.md)" in page and "[resnet18](resnet18.md)" in page
    assert "11,689,512" in page and "ResNet \\| 18" in page


def test_cli_reference_documents_every_command_and_option() -> None:
    parser = build_parser()
    page = cli_markdown(parser)
    assert page == cli_markdown(build_parser())  # deterministic
    for name, sub in subcommands(parser).items():
        assert f"## `netviz {name}`" in page
        for action in sub._actions:
            for flag in action.option_strings:
                assert flag in page, (name, flag)


def test_cli_reference_width_does_not_follow_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    narrow = cli_markdown(build_parser())
    monkeypatch.setenv("COLUMNS", "250")
    assert cli_markdown(build_parser()) == narrow


def test_cli_reference_of_a_small_parser() -> None:
    parser = argparse.ArgumentParser(prog="tool")
    subs = parser.add_subparsers()
    run = subs.add_parser("run", help="run it")
    run.add_argument("--mode", choices=("a", "b"), default="a", help="how | why")
    page = cli_markdown(parser)
    assert "## `tool run`" in page and "Run it." in page
    assert "| `--mode MODE` | `a` | how \\| why (one of: a, b) |" in page


def test_the_mkdocs_process_never_imports_torch() -> None:
    """Only the render workers import torch; the plugin, fence and page builders do not."""
    code = (
        "import sys, netviz.mkdocs.plugin, netviz.mkdocs.fence;"
        "from netviz.mkdocs.cli_reference import cli_markdown; cli_markdown();"
        "from netviz.mkdocs.fence import fence_format; fence_format('model: x\\ncolour: 1', 'netviz', '', {}, None);"
        "sys.exit('torch' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_api_pages_cover_public_modules() -> None:
    pages = {page.module: page for page in api_pages(["netviz", "netviz_models", "no_such_pkg"], "api")}
    for module in ("netviz", "netviz.api", "netviz.registry", "netviz.ir", "netviz.mkdocs", "netviz_models",
                   "netviz_models.wideresnet", "netviz_models.resnet", "netviz_models.mdnc"):
        assert module in pages
    assert pages["netviz.ir"].package and not pages["netviz.api"].package
    assert pages["netviz.api"].src_uri == "api/netviz.api.md"
    assert "::: netviz.ir" in pages["netviz.ir"].markdown()
    assert "show_submodules: true" in pages["netviz.ir"].markdown()
    assert not any(part.startswith("_") for name in pages for part in name.split("."))


def test_extend_nav_appends_after_the_index() -> None:
    class Config:
        nav = [
            "index.md",
            {"Gallery": ["gallery/index.md"]},
            {"API": [{"Overview": "api/index.md"}, "api/netviz.md"]},
        ]

    config = Config()
    _extend_nav(config, "gallery/index.md", ["gallery/a.md", "gallery/b.md"])  # type: ignore[arg-type]
    _extend_nav(config, "gallery/index.md", ["gallery/a.md"])  # type: ignore[arg-type]
    _extend_nav(config, "api/index.md", ["api/netviz.md", "api/models.md"])  # type: ignore[arg-type]
    _extend_nav(config, "missing/index.md", ["missing/x.md"])  # type: ignore[arg-type]
    assert config.nav[1] == {"Gallery": ["gallery/index.md", "gallery/a.md", "gallery/b.md"]}
    assert config.nav[2] == {"API": [{"Overview": "api/index.md"}, "api/netviz.md", "api/models.md"]}


def test_notation_page_lists_every_glyph() -> None:
    """The glyph table of docs/notation.md mirrors netviz.renderers.glyphs.GLYPHS."""
    from netviz.renderers.glyphs import GLYPHS

    page = (Path(__file__).resolve().parents[2] / "docs" / "notation.md").read_text("utf-8")
    rows = {line.split("|")[1].strip(" `"): line for line in page.splitlines()
            if line.startswith("| `")}
    assert set(rows) == set(GLYPHS)
    for name, glyph in GLYPHS.items():
        assert f"`{glyph.arrowhead}`" in rows[name] or glyph.arrowhead == "normal"
        assert f"`{glyph.mermaid}`" in rows[name]
