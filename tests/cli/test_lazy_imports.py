"""Each command imports what it uses: ``--help`` only the parser, and a cached render
neither torch nor the transforms, the renderers or Graphviz (what every render pays
after ``import torch`` is kept small; see issue 22)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PARSER_ONLY = ("netviz", "netviz._version", "netviz.cli", "netviz.commands", "netviz.dtypes",
               "netviz.errors", "netviz.output", "netviz.vocabulary")
"""What the parser and every help page need (besides the command modules themselves)."""

HEAVY = ("torch", "torchinfo", "matplotlib", "graphviz")
"""Libraries slow to import: never for a help page."""

NOT_FOR_A_CACHED_RENDER = (
    "torch", "graphviz", "netviz.tracing", "netviz.registry", "netviz.ops", "netviz.diffs",
    "netviz.latex", "netviz.summaries", "netviz.renderers.dot", "netviz.renderers.binary",
    "netviz.renderers.fit", "netviz.transforms.fold", "netviz.transforms.blocks",
)
"""Modules (and their submodules) a render whose figure is cached never imports."""


def _modules_after(code: str, env: dict[str, str] | None = None) -> list[str]:
    """Run ``code`` in a new interpreter; the netviz modules and the heavy ones (torch,
    torchinfo, matplotlib, graphviz) it left."""
    probe = code + textwrap.dedent(
        f"""
        import json, sys
        print(json.dumps(sorted(m for m in sys.modules
                                if m.split(".")[0] in {("netviz", *HEAVY)!r})))
        """
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=300, check=False, cwd=ROOT, env=env)
    assert proc.returncode == 0, proc.stderr
    return list(json.loads(proc.stdout.strip().splitlines()[-1]))


def _under(module: str, names: tuple[str, ...]) -> bool:
    return any(module == name or module.startswith(name + ".") for name in names)


def test_help_pages_import_the_parser_alone() -> None:
    """Building the whole parser and printing every help page imports the parser alone:
    no heavy library (torch, torchinfo, matplotlib, graphviz), no other netviz module."""
    code = textwrap.dedent(
        """
        import contextlib, io
        import netviz.cli
        from netviz.commands import COMMANDS
        netviz.cli.build_parser()
        for argv in (["--help"], *([c, "--help"] for c in COMMANDS)):
            with contextlib.redirect_stdout(io.StringIO()):
                try:
                    netviz.cli.main(argv)
                except SystemExit as exc:
                    assert exc.code == 0, (argv, exc.code)
        """
    )
    modules = _modules_after(code)
    heavy = [m for m in modules if m.split(".")[0] in HEAVY]
    assert heavy == [], f"netviz --help imported heavy modules: {', '.join(heavy[:10])}"
    extra = [m for m in modules if not (m in PARSER_ONLY or m.startswith("netviz.commands."))]
    assert extra == [], f"--help imported {', '.join(extra)}"


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs the Graphviz 'dot' binary")
def test_a_cached_render_imports_no_transform_renderer_or_graphviz(tmp_path: Path) -> None:
    env = {**os.environ, "NETVIZ_CACHE_DIR": str(tmp_path / "cache"), "NETVIZ_NO_CACHE": ""}
    render = textwrap.dedent(
        f"""
        from netviz.cli import main
        assert main(["render", "wrn28_2", "-o", {str(tmp_path / "{}.svg")!r}]) == 0
        """
    )
    _modules_after(render.format("cold"), env)  # traces, draws and fills the cache
    warm = _modules_after(render.format("warm"), env)
    assert (tmp_path / "warm.svg").read_bytes() == (tmp_path / "cold.svg").read_bytes()
    loaded = [m for m in warm if _under(m, NOT_FOR_A_CACHED_RENDER)]
    assert loaded == [], f"a cached render imported {', '.join(loaded)}"


NOT_FOR_A_PLAIN_RENDER = (
    "netviz.commands.cache", "netviz.commands.diff", "netviz.commands.list",
    "netviz.commands.plot", "netviz.commands.pseudocode", "netviz.commands.summary",
    "netviz.cache.sources", "netviz.diagrams", "netviz.diffs", "netviz.ir.changes",
    "netviz.renderers.changes", "netviz.renderers.legend", "netviz.renderers.dot_legend",
    "netviz.renderers.size", "netviz.renderers.fit", "netviz.transforms.annotate",
    "netviz.summaries", "netviz.huggingface.models", "netviz.tracing.hooks",
    "netviz.cache.entries", "netviz.cache.keys", "netviz.cache.traces", "netviz.cache.figures",
    "netviz.tracing.failures", "netviz.tracing.meta", "netviz.transforms.depth",
    "netviz.transforms.spans", "netviz.transforms.stages", "netviz.fitting",
)
"""Modules a plain render (cache off, SVG, no legend, width, annotations or diff) of a
model torch.fx traces never imports: other commands, what keys, reads and writes cache entries,
diff marks, the legend, print sizes, counts, the hooks path, what reports a failed trace,
``--depth`` and ``--fit``, what keeps a figure over a page to one (issue 22: every cold
render pays for what it imports)."""


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs the Graphviz 'dot' binary")
def test_a_plain_render_imports_only_what_it_draws(tmp_path: Path) -> None:
    env = {**os.environ, "NETVIZ_NO_CACHE": "1"}
    render = textwrap.dedent(
        f"""
        from netviz.cli import main
        assert main(["render", "wrn28_2", "-o", {str(tmp_path / "plain.svg")!r}]) == 0
        """
    )
    loaded = [m for m in _modules_after(render, env) if _under(m, NOT_FOR_A_PLAIN_RENDER)]
    assert loaded == [], f"a plain render imported {', '.join(loaded)}"
    assert (tmp_path / "plain.svg").read_bytes().startswith(b"<?xml")
