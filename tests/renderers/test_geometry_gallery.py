"""Every gallery figure and every diagram of the docs pages, laid out: no overlaps,
straight columns, a legend that does not widen the figure. The gallery is whatever the
registry holds when the tests run; the docs figures are read from the ``netviz`` fences
of ``docs/*.md``."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

import netviz
from netviz.mkdocs.gallery import page_fences
from netviz.mkdocs.options import FenceOptions, parse_fence
from netviz.mkdocs.prefetch import fence_bodies
from netviz.mkdocs.worker import _fitted, artifact
from netviz.registry import list_models
from tests.geometry import alignment_problems, longest_path, overlaps, read_figure

pytestmark = pytest.mark.needs_dot
ROOT = Path(__file__).resolve().parents[2]

GALLERY = [
    fence
    for name in list_models()
    for fence in page_fences(name)
    if fence.show == "diagram" and fence.format == "svg"
]
"""The diagrams the gallery pages show (one per model today: folded, with its legend)."""

def _docs_figures() -> list[FenceOptions]:
    """The Graphviz diagrams the docs pages show, file specs made absolute."""
    figures = []
    for page in sorted((ROOT / "docs").rglob("*.md")):
        if page.relative_to(ROOT / "docs").parts[:1] == ("examples",) and page.parent.name != "examples":
            continue  # an example site of its own (docs/examples/tinynets), not this one's
        for body in fence_bodies(page.read_text(encoding="utf-8")):
            fence = parse_fence(body)
            path, _, attr = fence.model.rpartition(":")
            if path.endswith(".py"):
                fence = replace(fence, model=f"{ROOT / path}:{attr}")
            path, _, attr = fence.diff.rpartition(":")
            if path.endswith(".py"):
                fence = replace(fence, diff=f"{ROOT / path}:{attr}")
            if fence.show == "diagram" and fence.format == "svg" and fence not in figures:
                figures.append(fence)
    return figures


DOCS = _docs_figures()
"""The diagrams of the hand-written docs pages (the notation page's examples...)."""

VARIANTS = [
    FenceOptions(model="wrn28_10", fold=False),
    FenceOptions(model="wrn28_2", direction="LR", legend=True),
    FenceOptions(model="resnet50", direction="LR", shapes=True),
    FenceOptions(model="resnet18", theme="dark", legend=True),
    FenceOptions(model="resnet50", depth=1, legend=True),
    FenceOptions(model="resnet50", depth=2, direction="LR", annotate=("params", "macs")),
    FenceOptions(model="swin_mini", depth=2, legend=True),
    FenceOptions(model="wrn28_2", fit="8.5cmx23cm", theme="paper"),
    FenceOptions(model="resnet50", fit="8.5cmx23cm", theme="paper", annotate=("params",)),
    FenceOptions(model="googlenet_mini", fit="17cmx23cm", legend=True),
    FenceOptions(model="densenet_mini", fit="8.5cmx12cm", direction="TB"),
    FenceOptions(model="vit_mini", fit="17cmx10cm", legend=True),
]
"""The same models with the other options a user may choose."""


def _name(fence: FenceOptions) -> str:
    changed = [f"{k}={v}" for k, v in vars(fence).items()
               if k != "model" and v != getattr(FenceOptions(model=fence.model), k)]
    return ",".join([fence.model.rsplit("/", 1)[-1], *changed])


def test_the_docs_figures_are_found() -> None:
    assert len(DOCS) >= 8 and any(f.model.endswith("all_marks.py:AllMarks") for f in DOCS)


@pytest.mark.parametrize("fence", list(dict.fromkeys(GALLERY + DOCS + VARIANTS)), ids=_name)
# the docs' transformers examples are traced with module hooks, as their pages say
@pytest.mark.filterwarnings("ignore::netviz.errors.TraceFallbackWarning")
def test_the_figure_is_clean(fence: FenceOptions) -> None:
    """No overlaps; the spine and every block's main path straight (a figure wrapped to
    fit a page: every block's, its spine runs in columns; tests/renderers/test_snake.py)."""
    source = artifact(fence, "dot")
    assert isinstance(source, bytes)
    figure = read_figure(source.decode())
    if fence.fit:  # the figure the fence drew (annotated titles may choose another)
        fitted = _fitted(fence)
        graph, direction = fitted.graph, fitted.direction
    elif fence.diff:  # a diff's figure: B's graph with the differences marked
        graph = netviz.diff(fence.model, fence.diff, fence.input_shapes, input_dtypes=fence.input_dtypes,
                            fold=fence.fold, shapes=fence.shapes).graph
        direction = fence.direction
    else:
        graph = netviz.diagram(fence.model, fence.input_shapes, fold=fence.fold,
                               shapes=fence.shapes, depth=fence.depth,
                               input_dtypes=fence.input_dtypes).graph
        direction = fence.direction
    assert overlaps(figure) == []
    assert alignment_problems(graph, figure, direction, spine=not fence.fit) == []


@pytest.mark.parametrize("direction", ["TB", "LR"])
@pytest.mark.parametrize("model", list_models())
def test_the_legend_does_not_widen_the_figure(model: str, direction: str) -> None:
    """The legend continues the spine past the output: it adds length along the flow and,
    across it, reaches no further from the spine than the figure or the legend itself."""
    axis = 0 if direction == "TB" else 1
    end = f"n{_spine_end(model)}"
    reach = []
    for legend in (False, True):
        fence = FenceOptions(model=model, legend=legend, direction=direction)
        figure = read_figure(artifact(fence, "dot").decode())  # type: ignore[union-attr]
        spine = figure.nodes[end].box.center[axis]
        box = figure.box
        reach.append((spine - (box.x0, box.y0)[axis], (box.x1, box.y1)[axis] - spine))
        if legend:
            boxes = [c.box for c in figure.clusters if c.id.endswith("-legend")]
            if not boxes:  # nothing to explain (no marks, no special shapes): no legend
                assert reach[1] == reach[0]
                return
            own = boxes[0].grown(_MARGIN)
            reach.append((spine - (own.x0, own.y0)[axis], (own.x1, own.y1)[axis] - spine))
    (plain_low, plain_high), (low, high), (own_low, own_high) = reach
    assert low <= max(plain_low, own_low) + 0.5
    assert high <= max(plain_high, own_high) + 0.5


_MARGIN = 8.0
"""Graphviz's margin around a top-level cluster (points)."""


def _spine_end(model: str) -> int:
    graph = netviz.diagram(model).graph
    last = longest_path(graph)[-1]
    return next(i for i, node in enumerate(graph.nodes) if node.id == last)
