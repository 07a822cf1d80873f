"""The render worker processes: answers, errors, crashes, and unguarded build scripts."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from netviz.mkdocs import worker
from netviz.mkdocs.options import FenceOptions
from netviz.mkdocs.pool import WorkerError, WorkerPool


@pytest.fixture(scope="module")
def pool() -> WorkerPool:
    pool = WorkerPool(1)
    yield pool
    pool.shutdown()


def test_answers_are_plain_data_of_the_worker_module(pool: WorkerPool) -> None:
    reference = pool.submit(worker.cli_reference).result(timeout=120)
    assert reference.startswith("# CLI reference")
    infos = pool.submit(worker.model_infos, "wrn28_*").result(timeout=300)
    assert [info.name for info in infos] == ["wrn28_2", "wrn28_10"]
    assert type(infos[0]) is worker.ModelInfo and infos[0].params == 1_467_610
    infos = pool.submit(worker.model_infos, "wrn*", ["*_10", "wrn16_?"]).result(timeout=300)
    assert [info.name for info in infos] == ["wrn28_2", "wrn40_2"]


def test_render_failures_come_back_as_one_line(pool: WorkerPool) -> None:
    rendered = pool.submit(worker.render, FenceOptions(model="wrn28-2x")).result(timeout=300)
    assert type(rendered) is worker.Rendered
    assert rendered.text == "" and "wrn28_2" in rendered.error and "\n" not in rendered.error


@pytest.mark.needs_dot
def test_the_png_download_has_the_fences_dpi() -> None:
    """The fence's ``dpi`` reaches the PNG download (pixels from the PNG header)."""

    def width(options: FenceOptions) -> int:
        rendered = worker.render(options)
        (kind, data), = rendered.files
        assert kind == "png" and rendered.error == ""
        return int.from_bytes(data[16:20], "big")

    default = width(FenceOptions(model="wrn28_2", downloads=("png",)))
    low = width(FenceOptions(model="wrn28_2", downloads=("png",), dpi=96))
    assert abs(default - 2 * low) <= 2


@pytest.mark.needs_dot
def test_an_annotated_fence_and_its_tikz_downloads() -> None:
    """The fence's ``annotate`` writes the by-group numbers on the SVG and the TikZ it
    offers; the ``tex`` download is a whole document, ``tikz`` the picture alone."""
    rendered = worker.render(FenceOptions(model="wrn28_2", annotate=("params",),
                                          downloads=("tex", "tikz")))
    assert rendered.error == ""
    assert "18,560 params each" in rendered.text and "1,467,610 params" in rendered.text
    files = dict(rendered.files)
    assert files["tex"].startswith(b"\\documentclass{article}")
    assert files["tikz"].splitlines()[2].startswith(b"\\begin{tikzpicture}")
    assert b"{18,560 params each}" in files["tikz"]
    assert files["tikz"].split(b"\\begin{tikzpicture}")[1] in files["tex"]


def test_unknown_calls_are_refused(pool: WorkerPool) -> None:
    def not_a_worker_call() -> None: ...

    with pytest.raises(WorkerError, match="unknown worker call 'not_a_worker_call'"):
        pool.submit(not_a_worker_call).result(timeout=60)
    assert pool.submit(worker.cli_reference).result(timeout=60)  # still serving


def test_a_dead_worker_fails_calls_instead_of_hanging() -> None:
    pool = WorkerPool(1)
    try:
        pool._procs[0].kill()
        with pytest.raises(WorkerError, match="died"):
            pool.submit(worker.cli_reference).result(timeout=60)
        with pytest.raises(WorkerError):
            pool.submit(worker.cli_reference).result(timeout=60)
    finally:
        pool.shutdown()


@pytest.mark.needs_dot
def test_build_from_a_script_without_a_main_guard(tmp_path: Path) -> None:
    """Workers never re-run the parent's __main__ (multiprocessing's spawn would)."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("```netviz\nmodel: wrn28_2\n```\n", "utf-8")
    (tmp_path / "mkdocs.yml").write_text("site_name: t\nplugins:\n  - netviz\n", "utf-8")
    script = tmp_path / "build.py"
    script.write_text(
        textwrap.dedent(
            """\
            from mkdocs.commands.build import build
            from mkdocs.config import load_config

            print("SCRIPT RAN")
            build(load_config("mkdocs.yml", strict=True))
            """
        ),
        "utf-8",
    )
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("SCRIPT RAN") == 1
    assert "3x3 16C 1S 1P" in (tmp_path / "site" / "index.html").read_text("utf-8")


def test_affinity_keeps_a_model_in_one_worker_and_balances_the_rest() -> None:
    pool = WorkerPool(2)
    try:
        jobs = [
            pool.submit(worker.cli_reference, affinity="a", cost=3),
            pool.submit(worker.cli_reference, affinity="b"),
            pool.submit(worker.cli_reference, affinity="a"),
            pool.submit(worker.cli_reference, affinity="c"),  # b's worker is less loaded
        ]
        assert all(job.result(timeout=120).startswith("# CLI reference") for job in jobs)
        assert pool._affinity == {"a": 0, "b": 1, "c": 1}
    finally:
        pool.shutdown()
