"""The LaTeX output compiles with pdflatex, with nothing but booktabs in the preamble."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from netviz.summaries import format_table
from netviz.summaries.table import SummaryTable

PREAMBLE = "\\documentclass{article}\n\\usepackage{booktabs}\n\\begin{document}\n"


@pytest.mark.needs_latex
def test_tables_compile(table_of, groups_of, tricky_table: SummaryTable, tmp_path: Path) -> None:
    parts = [
        format_table(table_of("wrn28_2"), "latex"),
        "\\clearpage",
        format_table(table_of("resnet18"), "latex", depth=2, caption="ResNet-18", label="tab:r18"),
        "\\clearpage",
        format_table(table_of("wrn28_2"), "latex", groups=groups_of("wrn28_2"),
                     caption="WRN-28-2 by group: 100% of #params & $cost_{1}$ ~ {x}^\\y <>|"),
        format_table(tricky_table, "latex", depth=2, label="tab:tricky"),
        "See Table~\\ref{tab:r18}.",
    ]
    source = tmp_path / "doc.tex"
    source.write_text(PREAMBLE + "\n".join(parts) + "\n\\end{document}\n")
    result = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", source.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert (tmp_path / "doc.pdf").stat().st_size > 1000
    log = (tmp_path / "doc.log").read_text(errors="replace")
    assert "Missing character" not in log
