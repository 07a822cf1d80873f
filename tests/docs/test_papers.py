"""The Papers page: its compiled TikZ figure is what its commands make, and its worked
example compiles.

The figure is checked in (``docs/assets/papers/``): ``wrn28_2.tex``, exactly what the
page's ``netviz render ... -o wrn28_2.tex`` writes, and ``wrn28_2-tikz.png``, that file
compiled with pdflatex and rasterized by pdftoppm, carrying the SHA-256 of the ``.tex``
it was made from. ``pytest --regen-golden tests/docs/test_papers.py`` remakes both.
"""

from __future__ import annotations

import hashlib
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from netviz.cli import main
from tests.docs.conftest import ROOT
from tests.renderers import tikz_read

PAGE = ROOT / "docs" / "papers.md"
ASSETS = ROOT / "docs" / "assets" / "papers"
TEX, PNG = ASSETS / "wrn28_2.tex", ASSETS / "wrn28_2-tikz.png"
DPI = 144
SOURCE_KEY = "netviz-source-sha256"
"""The PNG text chunk naming the ``.tex`` the image was made from."""


def _bash_lines(text: str) -> list[list[str]]:
    lines = []
    for block in re.findall(r"```bash\n(.*?)```", text, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            if words:
                lines.append(words)
    return lines


def _section(title: str) -> str:
    text = PAGE.read_text("utf-8")
    start = text.index(f"## {title}")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else None]


def _command_writing(name: str, text: str) -> list[str]:
    found = [w for w in _bash_lines(text) if w[:1] == ["netviz"] and name in w]
    assert len(found) == 1, found
    return found[0]


def _run(words: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(cwd)
    assert main(words[1:]) == 0, words


def _png_text(png: bytes) -> dict[str, str]:
    """The ``tEXt`` chunks of a PNG (read by hand: an independent reading)."""
    chunks, at = {}, 8
    while at < len(png):
        size = int.from_bytes(png[at : at + 4], "big")
        kind, data = png[at + 4 : at + 8], png[at + 8 : at + 8 + size]
        if kind == b"tEXt":
            key, _, value = data.partition(b"\0")
            chunks[key.decode("latin-1")] = value.decode("latin-1")
        at += 12 + size
    return chunks


def _rasterize(tex: Path) -> Path:
    """``pdflatex`` then ``pdftoppm -png -r 144 -singlefile``, as the page says."""
    pdf = tikz_read.pdflatex(tex)
    stem = pdf.with_suffix("")
    subprocess.run(["pdftoppm", "-png", "-r", str(DPI), "-singlefile", pdf.name, stem.name],
                   cwd=pdf.parent, check=True)
    return stem.with_suffix(".png")


def _write_image(tex: Path, png: Path) -> None:
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text(SOURCE_KEY, hashlib.sha256(tex.read_bytes()).hexdigest())
    Image.open(_rasterize(tex)).convert("L").save(png, pnginfo=info, optimize=True)


@pytest.mark.needs_dot
def test_the_checked_in_tex_is_the_pages_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    command = _command_writing("wrn28_2.tex", _section("Figure and table, side by side"))
    _run(command, tmp_path, monkeypatch)
    made = (tmp_path / "wrn28_2.tex").read_bytes()
    if request.config.getoption("--regen-golden"):
        if shutil.which("pdftoppm") is None or shutil.which("pdflatex") is None:
            pytest.skip("regenerating the figure needs pdflatex and pdftoppm")
        ASSETS.mkdir(parents=True, exist_ok=True)
        TEX.write_bytes(made)
        _write_image(tmp_path / "wrn28_2.tex", PNG)
    assert made == TEX.read_bytes(), "rerun: pytest --regen-golden tests/docs/test_papers.py"


def test_the_image_was_made_from_that_tex() -> None:
    assert PNG.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert _png_text(PNG.read_bytes())[SOURCE_KEY] == hashlib.sha256(TEX.read_bytes()).hexdigest()
    assert "assets/papers/wrn28_2-tikz.png" in PAGE.read_text("utf-8")


@pytest.mark.needs_tikz
@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="'pdftoppm' is not installed")
def test_the_image_is_that_tex_compiled(tmp_path: Path) -> None:
    """Compiled here, the checked-in ``.tex`` gives the checked-in picture: same size, and
    all but a sliver of pixels alike (other TeX or poppler versions may move an edge)."""
    from PIL import Image, ImageChops

    shutil.copy(TEX, tmp_path / TEX.name)
    here = Image.open(_rasterize(tmp_path / TEX.name)).convert("L")
    kept = Image.open(PNG).convert("L")
    assert here.size == kept.size
    differ = sum(ImageChops.difference(here, kept).point(lambda v: 255 if v > 64 else 0)
                 .histogram()[255:])
    assert differ / (here.width * here.height) < 0.01


@pytest.mark.needs_tikz
def test_the_worked_example_compiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    section = _section("A worked example")
    for words in _bash_lines(section):
        if words[0] == "netviz":
            _run(words, tmp_path, monkeypatch)
    (latex,) = re.findall(r"```latex\n(.*?)```", section, re.S)
    (tmp_path / "paper.tex").write_text(latex, encoding="utf-8")
    assert ["pdflatex", "paper.tex"] in _bash_lines(section)
    for _ in range(2):  # twice, for the references
        pdf = tikz_read.pdflatex(tmp_path / "paper.tex")
    assert int(tikz_read.pdf_info(pdf)["Pages"]) == 2  # the text and table; the figure's page
    log = (tmp_path / "paper.log").read_text(errors="replace")
    assert "undefined" not in log.lower() and "Float too large" not in log
