"""matplotlib charts: valid files, identical bytes every time, clear errors."""

from __future__ import annotations

import pytest

from netviz.errors import FormatError, UsageError
from netviz.summaries.plot import check_plot_options, plot_groups, plot_shapes
from netviz.summaries.table import GroupRow, SummaryTable

MAGIC = {"svg": b"<?xml", "png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF-"}
GROUPS = (
    GroupRow("Stem", 0, 108, 108, 6912, (4, 8, 8)),
    GroupRow("Group 0 x (N - 1) = 2", 2, 1000, 0, 64000, (4, 8, 8)),
    GroupRow("Head", 0, 50, 50, 50, (10,)),
)


@pytest.mark.parametrize("fmt", ["svg", "png", "pdf"])
@pytest.mark.parametrize("kind", ["params", "shapes"])  # macs draws like params
def test_same_bytes_twice(tricky_table: SummaryTable, kind: str, fmt: str) -> None:
    def draw() -> bytes:
        if kind == "shapes":
            return plot_shapes(tricky_table, fmt)
        return plot_groups(tricky_table, GROUPS, kind, fmt)

    first, second = draw(), draw()
    assert first.startswith(MAGIC[fmt])
    assert first == second


def test_svg_has_no_dates_or_random_ids(tricky_table: SummaryTable) -> None:
    svg = plot_groups(tricky_table, GROUPS, "params", "svg").decode()
    assert "<dc:date>" not in svg
    assert "netviz" in svg  # the Creator metadata
    assert svg.rstrip().endswith("</svg>")


def test_pdf_has_no_creation_date(tricky_table: SummaryTable) -> None:
    pdf = plot_shapes(tricky_table, "pdf")
    assert b"/CreationDate" not in pdf
    assert b"netviz" in pdf


def test_registered_model_chart(table_of, groups_of) -> None:
    svg = plot_groups(table_of("wrn28_2"), groups_of("wrn28_2"), "params", "svg")
    assert svg.startswith(b"<?xml") and len(svg) > 10_000
    assert svg == plot_groups(table_of("wrn28_2"), groups_of("wrn28_2"), "params", "svg")


def test_bad_options() -> None:
    with pytest.raises(UsageError, match="unknown chart kind 'flops'"):
        check_plot_options("flops", "svg")
    with pytest.raises(FormatError, match="unknown chart format 'jpg'"):
        check_plot_options("params", "jpg")


def test_drawing_leaves_global_matplotlib_state_alone(tricky_table: SummaryTable) -> None:
    import matplotlib

    before = dict(matplotlib.rcParams)
    backend = matplotlib.get_backend()
    plot_groups(tricky_table, GROUPS, "params", "png")
    assert matplotlib.get_backend() == backend
    assert dict(matplotlib.rcParams) == before


LONG_GROUPS = (
    GroupRow("Stem", 0, 108, 108, 6912, (4, 8, 8)),
    GroupRow("Group 0 Dense layer x 6, 64C → 256C (+32C each)", 6, 1000, 0, 64000, (4, 8, 8)),
    GroupRow("Head", 0, 50, 50, 50, (10,)),
)


@pytest.mark.parametrize("kind", ["params", "macs", "shapes"])
@pytest.mark.parametrize("model", ["net", "a_model_name_as_long_as_a_users_own_file_spec_may_well_be"])
def test_every_text_of_a_chart_lies_inside_the_figure(
    tricky_table: SummaryTable, kind: str, model: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Long group titles push the axes right; the title must not run off the page."""
    import dataclasses

    from matplotlib.text import Text

    from netviz.summaries import plot

    figures = []
    save = plot._save
    monkeypatch.setattr(plot, "_save", lambda fig, fmt: figures.append(fig) or save(fig, fmt))
    table = dataclasses.replace(tricky_table, model=model)
    if kind == "shapes":
        plot_shapes(table, "svg")
    else:
        plot_groups(table, LONG_GROUPS, kind, "svg")
    (fig,) = figures
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()  # lays the figure out again, as saving did
    renderer = canvas.get_renderer()
    texts = [t.get_text() for t in fig.findobj(Text) if t.get_visible()]
    assert any(model in text for text in texts)
    drawn, page = fig.get_tightbbox(renderer), fig.bbox_inches  # inches: what is drawn, the page
    tolerance = 0.02
    assert drawn.x0 >= page.x0 - tolerance and drawn.x1 <= page.x1 + tolerance, (drawn, page)
    assert drawn.y0 >= page.y0 - tolerance and drawn.y1 <= page.y1 + tolerance, (drawn, page)
