"""The API pages of the built site: examples are code, model classes show their diagrams."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.docs.conftest import ROOT

MODELS = ROOT / "models"


def _api_pages(site: Path) -> dict[str, str]:
    return {
        page.parent.name: page.read_text("utf-8") for page in (site / "api").glob("*/index.html")
    }


def _section(page: str, anchor: str) -> str:
    """The HTML of one top-level object: from its heading to the next one."""
    start = page.index(f'<h2 id="{anchor}"')
    end = page.find("<h2 id=", start + 1)
    return page[start : end if end > 0 else len(page)]


def _exported(tree: ast.Module) -> set[str]:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "__all__" for target in node.targets
        ):
            return set(ast.literal_eval(node.value))
    return set()


def _public_classes() -> list[str]:
    """Public classes of each public module: its own, and those of a private module
    (``_swin_attention``) it exports in ``__all__``, documented on its page."""
    trees = {path.stem: ast.parse(path.read_text("utf-8")) for path in MODELS.glob("*.py")}
    defined = {
        stem: {n.name for n in tree.body if isinstance(n, ast.ClassDef) and n.name[0] != "_"}
        for stem, tree in trees.items()
    }
    names = []
    for stem in sorted(s for s in trees if not s.startswith("_")):
        exported = _exported(trees[stem])
        imported = {
            alias.name
            for node in trees[stem].body
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module
            and node.module.startswith("_")
            for alias in node.names
            if alias.name in defined[node.module] and alias.name in exported
        }
        names += [f"netviz_models.{stem}.{name}" for name in sorted(defined[stem] | imported)]
    return names


def test_examples_are_highlighted_sessions_never_block_quotes(site: Path) -> None:
    pages = _api_pages(site)
    assert len(pages) > 10
    for name, page in pages.items():
        assert "<blockquote" not in page, name
        assert not re.search(r"<p>[^<]*&gt;&gt;&gt;", page), name  # a prompt in prose
    sessions = pages["netviz_models.mdnc"].count('<span class="gp">&gt;&gt;&gt; </span>')
    assert sessions > 20


def test_every_public_model_class_shows_its_diagram(site: Path) -> None:
    classes = _public_classes()
    assert "netviz_models.mdnc.BlockBottleneck2d" in classes
    assert "netviz_models.resnet.ResNet" in classes and len(classes) >= 11
    assert "netviz_models.swin.ShiftedWindowAttention" in classes  # from _swin_attention
    for name in classes:
        section = _section(_api_pages(site)[name.rsplit(".", 1)[0]], name)
        diagrams = section.count('<div class="netviz-diagram"')
        assert diagrams >= 1, name
        if name.startswith("netviz_models.mdnc.Block"):
            assert diagrams == 2, name  # the plain and the projection variant
        assert "netviz-error" not in section, name


def test_the_seed_examples_print_their_tables(site: Path) -> None:
    """seed 001 (reference/mdnc-bottleneck2d-examples.txt): 3,792 and 11,584 parameters."""
    page = _api_pages(site)["netviz_models.mdnc"]
    section = _section(page, "netviz_models.mdnc.BlockBottleneck2d")
    tables = re.findall(r'<div class="netviz-summary"[^>]*>(.*?)</div>', section, re.S)
    assert len(tables) == 2
    assert "Total params: 3,792" in tables[0] and "BlockBottleneck2d-12" in tables[0]
    assert "Total params: 11,584" in tables[1] and "Upsample-11" in tables[1]
