"""Finished figures with the cache on: a repeat render reads its bytes (nothing drawn),
each style and ``dot`` is its own figure, and what a figure depends on invalidates it."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from netviz import api
from netviz.cache import Cache
from netviz.cache import figures as figures_module
from netviz.cache.entries import Entry, parse_entry
from netviz.errors import LabelSizeWarning
from tests.cache.files import NET, backdate


needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="needs the Graphviz 'dot' binary")


@pytest.fixture
def spec(tmp_path: Path) -> Iterator[str]:
    """A file spec's model importing a sibling ``helper.py`` (``WIDTH = 8``), both older
    than this process (as a project's files are)."""
    (tmp_path / "helper.py").write_text("WIDTH = 8\n")
    (tmp_path / "net.py").write_text(NET)
    backdate(*tmp_path.iterdir())
    yield f"{tmp_path / 'net.py'}:Net"
    sys.modules.pop("helper", None)


def _figures(cache: Cache) -> list[Entry]:
    folder = cache.folder / "figure"
    found = [parse_entry(path.read_bytes()) for path in sorted(folder.rglob("*")) if path.is_file()]
    return [entry for entry in found if entry is not None]


def _nothing_drawn(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> object:
        raise AssertionError("a cached figure should be read, not drawn")

    for target in ("netviz.transforms.to_notation", "netviz.renderers.render_dot",
                   "netviz.renderers.render_mermaid", "netviz.traced.trace_uncached"):
        monkeypatch.setattr(target, boom)


@needs_dot
def test_a_repeat_render_reads_the_figure(
    cache: Cache, spec: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    svg, mmd = api.render(spec, "svg"), api.render(spec, "mmd")
    _nothing_drawn(monkeypatch)
    assert api.render(spec, "svg") == svg and api.render(spec, "mmd") == mmd
    assert cache.usage().entries["figure"] == 2


@needs_dot
def test_each_style_is_its_own_figure(cache: Cache, spec: str) -> None:
    styles = [{}, {"theme": "dark"}, {"direction": "LR"}, {"legend": True}, {"fold": False},
              {"shapes": True}]
    first = [api.render(spec, "svg", **style) for style in styles]  # type: ignore[arg-type]
    png = [api.render(spec, "png", dpi=dpi) for dpi in (None, 72)]
    assert len(set(first)) == len(styles) - 1  # fold=False draws this one-block net alike
    assert png[0] != png[1]
    assert [api.render(spec, "svg", **style) for style in styles] == first  # type: ignore[arg-type]
    assert [api.render(spec, "png", dpi=dpi) for dpi in (None, 72)] == png
    assert cache.usage().entries["figure"] == len(styles) + 2


@needs_dot
def test_a_figure_depends_on_the_model_files_netviz_graphviz_and_dot(
    cache: Cache, spec: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = api.render(spec, "svg")
    (entry,) = _figures(cache)
    paths = [source.path for source in entry.sources]
    for part in ("helper.py", "net.py", "netviz/renderers/dot.py",
                 "netviz/renderers/binary.py", "graphviz/"):
        assert any(part in path for path in paths), part
    monkeypatch.setattr(figures_module, "program_identity", _AnotherDot())
    assert api.render(spec, "svg") == before
    assert cache.usage().entries["figure"] == 2  # another dot binary: drawn again


class _AnotherDot:
    """Another ``dot`` binary's identity (an instance: not a function whose module the
    figure's sources would then include)."""

    def __call__(self, path: str) -> list[object]:
        return ["/another/dot", 1, 2]


def test_a_changed_model_file_draws_again(cache: Cache, spec: str) -> None:
    assert b"8C" in api.render(spec, "dot")
    helper = Path(spec.split(":")[0]).with_name("helper.py")
    helper.write_text("WIDTH = 16\n")
    backdate(helper)
    sys.modules.pop("helper", None)
    assert b"16C" in api.render(spec, "dot")


@needs_dot
def test_a_figure_with_a_width_or_counts_is_drawn_each_time(cache: Cache, spec: str) -> None:
    for _ in range(2):
        with pytest.warns(LabelSizeWarning):
            api.render(spec, "svg", width="0.5cm")
    api.render(spec, "svg", annotate="params")
    assert "figure" not in cache.usage().entries
