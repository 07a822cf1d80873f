from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from netviz.errors import FormatError, GraphvizNotFoundError, NetvizError, UsageError
from netviz.ir import Graph
from netviz.renderers import render_binary, render_dot
from netviz.output import PNG_DPI
from netviz.renderers.binary import normalize_pdf

MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF-", "svg": b"<?xml"}


@pytest.fixture(scope="module")
def wrn_dot(wrn: Graph) -> str:
    return render_dot(wrn, legend=True)


@pytest.mark.needs_dot
@pytest.mark.parametrize("fmt", ["svg", "png", "pdf"])
def test_renders_and_is_byte_deterministic(wrn_dot: str, fmt: str) -> None:
    first = render_binary(wrn_dot, fmt)
    assert first.startswith(MAGIC[fmt])
    assert render_binary(wrn_dot, fmt) == first


@pytest.mark.needs_dot
def test_svg_has_the_labels_and_prefixed_ids(wrn_dot: str) -> None:
    svg = render_binary(wrn_dot, "svg")
    root = ET.fromstring(svg)
    texts = {el.text for el in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {"3x3 16C 1S 1P", "Group 0 x (N - 1) = 3", "16C", "+", "These are equivalent"} <= texts
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert ids and len(ids) == len(set(ids))
    assert all(i == "wrn28_2" or i.startswith("wrn28_2-") for i in ids)


@pytest.mark.needs_dot
def test_pdf_dates_are_pinned(wrn_dot: str) -> None:
    pdf = render_binary(wrn_dot, "pdf")
    assert b"/CreationDate (D:19700101000000" in pdf or b"/CreationDate" not in pdf


def test_normalize_pdf_keeps_offsets() -> None:
    raw = b"1 0 obj << /CreationDate (D:20261122035920Z) /ModDate (D:20261122035920+01'00') >>"
    fixed = normalize_pdf(raw)
    assert len(fixed) == len(raw)
    assert fixed == (
        b"1 0 obj << /CreationDate (D:19700101000000Z) /ModDate (D:19700101000000Z      ) >>"
    )
    assert normalize_pdf(fixed) == fixed
    assert normalize_pdf(b"no dates") == b"no dates"


def test_missing_dot_says_how_to_install(wrn_dot: str, monkeypatch: pytest.MonkeyPatch,
                                         tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(GraphvizNotFoundError) as info:
        render_binary(wrn_dot, "svg")
    message = str(info.value)
    assert "apt-get install graphviz" in message and "\n" not in message


def test_unrunnable_dot_is_reported(wrn_dot: str, monkeypatch: pytest.MonkeyPatch,
                                    tmp_path: Path) -> None:
    fake = tmp_path / "dot"
    fake.write_text("#!/nonexistent/interpreter\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(GraphvizNotFoundError, match="cannot run"):
        render_binary(wrn_dot, "png")


@pytest.mark.needs_dot
def test_dot_failure_is_one_line() -> None:
    with pytest.raises(NetvizError) as info:
        render_binary("digraph { a -> ", "svg")
    message = str(info.value)
    assert message.startswith("Graphviz 'dot' failed to render svg: ") and "\n" not in message


def test_failing_dot_without_stderr(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "dot"
    fake.write_text("#!/bin/sh\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path) + os.pathsep + "/bin")
    with pytest.raises(NetvizError, match="exit status"):
        render_binary("digraph {}", "svg")


def test_unknown_format() -> None:
    with pytest.raises(FormatError):
        render_binary("digraph {}", "jpg")


def _png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(MAGIC["png"])
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


@pytest.mark.needs_dot
def test_png_resolution_follows_dpi(wrn_dot: str) -> None:
    """Pixels scale with dpi (an independent check: the PNG header's own size); the
    default is PNG_DPI, twice a standard screen's 96 dpi."""
    at_96 = _png_size(render_binary(wrn_dot, "png", dpi=96))
    at_288 = _png_size(render_binary(wrn_dot, "png", dpi=288))
    default = _png_size(render_binary(wrn_dot, "png"))
    assert PNG_DPI == 192
    for got, factor in ((default, 2), (at_288, 3)):
        assert all(abs(g - factor * base) <= factor for g, base in zip(got, at_96))


@pytest.mark.parametrize("dpi", [0, -1, 35, 1201, 10**6, True, 1.5])
def test_bad_dpi_is_a_usage_error(wrn_dot: str, dpi: object) -> None:
    with pytest.raises(UsageError, match=r"^dpi must be a whole number from 36 to 1200"):
        render_binary(wrn_dot, "png", dpi=dpi)  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", ["svg", "pdf"])
def test_dpi_is_for_png_only(wrn_dot: str, fmt: str) -> None:
    with pytest.raises(UsageError, match=f"PNG output only, not {fmt}"):
        render_binary(wrn_dot, fmt, dpi=300)
