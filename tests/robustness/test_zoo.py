"""Every zoo model renders a figure whose counts match the model, or fails clearly (issue 6).

Parametrized over [`tests.zoo.ZOO`][]: conv calls and unique parameters of the
figure (folded and unfolded, model built on CPU and on the meta device), conv
labels, every output format, the fx → hooks fallback warning, the CLI.
"""

from __future__ import annotations

import re
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import pytest

import netviz
from netviz.cli import main
import netviz.errors
from netviz.errors import NetvizError, TraceFallbackWarning
from netviz.ir import Graph, Kind
from netviz.ir.accounting import count_ops, count_params
from tests.renderers import mermaid_parse
from tests.renderers.dot_parse import figure_nodes, parse_dot
from tests.zoo import FAILS, RENDERS, ZOO, ZooCase

pytestmark = pytest.mark.filterwarnings("ignore::netviz.errors.TraceFallbackWarning")

DEVICES = ["cpu", "meta"]
CONV_CODE = re.compile(r"\bConvT? torch\.Size\(")


def _ids(case: ZooCase) -> str:
    return case.id


def _unique_params(case: ZooCase) -> int:
    return sum(p.numel() for p in case.build("meta").parameters())


def _expected_params(case: ZooCase) -> int:
    return case.params if case.params is not None else _unique_params(case)


_CACHE: dict[tuple[Any, ...], tuple[Any, list[warnings.WarningMessage]]] = {}


def attempt(key: tuple[Any, ...], call: Callable[[], Any]) -> Any:
    """Run ``call`` once per key; return its value or the exception, with its warnings."""
    if key not in _CACHE:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                value: Any = call()
            except Exception as exc:  # noqa: BLE001 - the tests judge what was raised
                value = exc
        _CACHE[key] = (value, list(caught))
    return _CACHE[key]


def diagram(case: ZooCase, device: str = "cpu", fold: bool = True) -> tuple[Any, list]:
    return attempt(
        ("diagram", case.id, device, fold),
        lambda: netviz.diagram(case.build(device), case.shapes, fold=fold).graph,
    )


def check_error(case: ZooCase, exc: BaseException) -> None:
    """A specific, one-line NetvizError that matches the case."""
    assert isinstance(exc, NetvizError), f"{type(exc).__name__} is not a NetvizError: {exc}"
    if case.error is not None:
        assert isinstance(exc, case.error), f"expected {case.error.__name__}, got {exc!r}"
    message = str(exc)
    assert message and "\n" not in message, repr(message)
    assert "Traceback" not in message and not message.startswith("unexpected")
    assert re.search(case.words, message), f"{message!r} does not match {case.words!r}"


def test_zoo_ids_are_unique_and_name_real_classes() -> None:
    from tests.zoo import models

    assert len({c.id for c in ZOO}) == len(ZOO)
    for case in ZOO:
        assert hasattr(models, case.cls), case.cls


@pytest.mark.parametrize("case", [c for c in RENDERS if not c.may_fail], ids=_ids)
def test_zoo_conv_counts_match_a_real_forward(case: ZooCase) -> None:
    """The expected conv counts are right: count conv calls of a real CPU forward."""
    import torch
    from torch.overrides import TorchFunctionMode

    calls: list[str] = []

    class Count(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
            name = getattr(func, "__name__", "")
            if re.fullmatch(r"conv(_transpose)?[123]d", name):
                calls.append(name)
            return func(*args, **(kwargs or {}))

    model = case.build("cpu").eval()
    inputs = [torch.randn(1, *s) for s in case.shapes]
    with torch.no_grad(), Count():
        model(*inputs)
    assert len(calls) == case.convs


@pytest.mark.parametrize("fold", [True, False], ids=["fold", "no-fold"])
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("case", RENDERS, ids=_ids)
def test_figure_counts_match_the_model(case: ZooCase, device: str, fold: bool) -> None:
    graph, _ = diagram(case, device, fold)
    if isinstance(graph, BaseException) and case.may_fail:
        check_error(case, graph)
        return
    if isinstance(graph, BaseException):
        raise graph
    assert count_ops(graph, Kind.CONV) == case.convs
    assert count_params(graph) == _expected_params(case)


@pytest.mark.parametrize("case", [c for c in RENDERS if c.conv_labels], ids=_ids)
def test_conv_labels_say_what_the_layers_are(case: ZooCase) -> None:
    graph, _ = diagram(case, "cpu", fold=False)
    assert isinstance(graph, Graph), graph
    assert sorted(n.label for n in graph.nodes if n.kind is Kind.CONV) == list(case.conv_labels)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("case", FAILS, ids=_ids)
def test_bad_models_fail_with_a_specific_error(case: ZooCase, device: str) -> None:
    result, _ = diagram(case, device)
    assert isinstance(result, BaseException), f"{case.id} rendered but must fail"
    check_error(case, result)


@pytest.mark.parametrize("case", RENDERS, ids=_ids)
def test_fallback_warning_exactly_when_fx_cannot_trace(case: ZooCase) -> None:
    result, caught = diagram(case, "cpu")
    if isinstance(result, BaseException):
        assert case.may_fail, result
        return
    fallbacks = [w for w in caught if issubclass(w.category, TraceFallbackWarning)]
    assert len(fallbacks) == (1 if case.fallback else 0), [str(w.message) for w in fallbacks]
    for warning in fallbacks:
        assert "\n" not in str(warning.message)


FORMATS = ["dot", "mmd", "txt", pytest.param("svg", marks=pytest.mark.needs_dot)]


def render(case: ZooCase, fmt: str) -> Any:
    return attempt(
        ("render", case.id, fmt),
        lambda: netviz.render(case.build("cpu"), fmt, input_shapes=case.shapes, legend=True),
    )[0]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", RENDERS, ids=_ids)
def test_every_format_renders_and_parses(case: ZooCase, fmt: str) -> None:
    data = render(case, fmt)
    if isinstance(data, BaseException) and case.may_fail:
        check_error(case, data)
        return
    if isinstance(data, BaseException):
        raise data
    assert data and data == netviz.render(case.build("cpu"), fmt, input_shapes=case.shapes,
                                          legend=True)
    graph, _ = diagram(case, "cpu", True)
    drawn = list(graph.nodes)
    convs = sum(n.kind is Kind.CONV for n in drawn)
    if fmt == "dot":
        dot = figure_nodes(parse_dot(data.decode()))
        assert len(dot) == len(drawn)
        assert sum("rounded" in v.get("style", "") for v in dot.values()) == convs
    elif fmt == "mmd":
        mmd = {k: v for k, v in mermaid_parse.parse(data.decode()).nodes.items()
               if not k.startswith("legend")}
        assert len(mmd) == len(drawn)
        assert sum(shape == mermaid_parse.ROUND for shape, _ in mmd.values()) == convs
        if not graph.clusters:  # nothing folded: every conv call is drawn
            assert convs == case.convs
    elif fmt == "txt":
        text = data.decode()
        assert text.endswith("\n")
        assert sum(len(CONV_CODE.findall(line)) for line in text.splitlines()) == case.convs
    else:
        root = ET.fromstring(data)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"


@pytest.mark.parametrize("case", RENDERS, ids=_ids)
def test_cli_renders_the_zoo_file_spec(case: ZooCase, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "figure.mmd"
    code = main(["render", case.spec, *case.shape_args, "-o", str(out)])
    captured = capsys.readouterr()
    if code != 0 and case.may_fail:
        assert captured.err.startswith("netviz: error: ") and not out.exists()
        assert re.search(case.words, captured.err), captured.err
        return
    assert code == 0, captured.err
    expected = netviz.render(case.build("cpu"), "mmd", input_shapes=case.shapes)
    assert out.read_bytes() == expected
    warned = [line for line in captured.err.splitlines() if line.startswith("netviz: warning:")]
    assert len(warned) == (1 if case.fallback else 0), captured.err
    assert captured.err.count("\n") == len(warned)


@pytest.mark.parametrize("case", FAILS, ids=_ids)
def test_cli_fails_on_the_zoo_file_spec_with_one_line(case: ZooCase, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "figure.dot"
    code = main(["render", case.spec, *case.shape_args, "-o", str(out)])
    err = capsys.readouterr().err
    assert code != 0
    lines = [line for line in err.splitlines() if not line.startswith("netviz: warning:")]
    assert len(lines) == 1 and lines[0].startswith("netviz: error: "), err
    assert re.search(case.words, lines[0]), lines[0]
    assert list(tmp_path.iterdir()) == []



@pytest.mark.needs_dot
@pytest.mark.parametrize("case", [c for c in RENDERS if not c.may_fail], ids=_ids)
def test_every_zoo_model_fits_a_page(case: ZooCase) -> None:
    """``--fit 17cmx23cm``: every zoo model fits a page with labels of 6 pt or more (by
    netviz's measure of the laid-out figure; the registered models are measured on the
    compiled PDF in tests/api/test_fit_pdf.py)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", netviz.errors.FitReport)
        diagram = netviz.diagram(case.build("cpu"), case.shapes, fit="17cmx23cm")
    assert diagram.fit is not None and diagram.fit.fits, diagram.fit and diagram.fit.message()
