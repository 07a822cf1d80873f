"""``fit=`` and ``depth=`` in the Python API: what was chosen is an attribute and a warning,
a fitted diagram renders every format as fitted, bad values fail before tracing, and the
same call twice gives the same bytes."""

from __future__ import annotations

import warnings

import pytest

import netviz
from netviz.errors import FitReport, FitWarning, UsageError

pytestmark = pytest.mark.needs_dot


def test_a_fitted_diagram_says_what_was_chosen_and_draws_it() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        diagram = netviz.diagram("wrn28_2", fit="8.5cmx23cm", theme="paper")
    reports = [w for w in caught if issubclass(w.category, FitReport)]
    assert len(reports) == 1 and str(reports[0].message) == diagram.fit.message()
    assert diagram.fit is not None and diagram.fit.fits
    assert diagram.direction == diagram.fit.direction
    assert "layout=nop2" in diagram.dot and diagram.fit.message() in repr(diagram)
    svg = diagram.render("svg")
    width = float(svg.split(b'width="', 1)[1].split(b"pt", 1)[0])
    assert width <= 8.5 / 2.54 * 72 + 1
    assert netviz.render(diagram, "tex") == diagram.render("tex")
    # Mermaid has no page: the graph in the chosen direction, as on screen
    assert f"graph {'TD' if diagram.direction == 'TB' else 'LR'}" in diagram.mermaid


def test_nothing_fitting_is_a_fit_warning() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        diagram = netviz.diagram("resnet50", fit="2cmx2cm")
    (warning,) = [w for w in caught if issubclass(w.category, FitWarning)]
    assert str(warning.message).startswith("nothing fits 2cmx2cm")
    assert diagram.fit is not None and not diagram.fit.fits
    assert "depth 1" in diagram.fit.message()  # the last resort was tried


def test_depth_and_fit_render_the_same_bytes_twice() -> None:
    for options in ({"depth": 2}, {"fit": "8.5cmx23cm"}, {"depth": 1, "fit": "5cmx5cm"}):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            first = netviz.render("resnet50", "svg", **options)  # type: ignore[arg-type]
            second = netviz.render("resnet50", "svg", **options)  # type: ignore[arg-type]
        assert first == second, options


@pytest.mark.parametrize(("options", "words"), [
    ({"depth": -1}, "depth must be >= 0"),
    ({"depth": "2"}, "depth must be a whole number"),
    ({"fit": "17cm"}, "is not WIDTHxHEIGHT"),
    ({"fit": "17cmx23cm", "width": "8cm"}, "not both"),
    ({"fit": "17cmx23cm", "fmt": "mmd"}, "not mmd"),
    ({"depth": 1, "fmt": "txt"}, "depth applies to figures, not the txt listing"),
    ({"direction": "up"}, "unknown direction"),
])
def test_bad_values_fail_before_the_model_is_loaded(options: dict[str, object],
                                                    words: str) -> None:
    fmt = str(options.pop("fmt", "svg"))
    with pytest.raises(UsageError, match=words):
        netviz.render("no_such_model", fmt, **options)  # type: ignore[arg-type]
