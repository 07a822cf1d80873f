"""LaTeX escaping: every name typesets literally, and nothing breaks pdflatex."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from netviz.latex import escape_latex

SPECIALS = "\\&%$#_{}~^<>|\"'`"


@pytest.mark.parametrize(
    ("text", "latex"),
    [
        ("conv_1", r"conv\_1"),
        ("a&b%c$d#e", r"a\&b\%c\$d\#e"),
        ("{x}", r"\{x\}"),
        ("\\", r"\textbackslash{}"),
        ("~^", r"\textasciitilde{}\textasciicircum{}"),
        ("<b>|", r"\textless{}b\textgreater{}\textbar{}"),
        ("q\"u'o`", r"q\textquotedbl{}u\textquotesingle{}o\textasciigrave{}"),
        ("x (N - 1)", "x (N - 1)"),  # a single hyphen is a hyphen
        ("-->", r"-{}-\textgreater{}"),  # "--" would be an en dash
        ("a,,b", "a,{},b"),
        ("BN → ReLU", r"BN $\rightarrow$ ReLU"),
        ("× γ", r"$\times$ $\gamma$"),
        ("⊕ ≡", r"$\oplus$ $\equiv$"),
        ("Ωμ", r"$\Omega$$\mu$"),
        ("café Łódź", "café Łódź"),  # Latin letters pass through to inputenc
        ("中✓", r"\texttt{U+4E2D}\texttt{U+2713}"),
        ("line1\nline2\tx", "line1 line2 x"),
        ("ctrl\x01\x1f\x7f", "ctrl"),
        ("", ""),
    ],
)
def test_escapes(text: str, latex: str) -> None:
    assert escape_latex(text) == latex


@given(st.text())
def test_no_special_character_is_left_bare(text: str) -> None:
    out = escape_latex(text)
    stripped = (out.replace(r"\{", "").replace(r"\}", "").replace(r"\&", "")
                .replace(r"\%", "").replace(r"\$", "").replace(r"\#", "").replace(r"\_", ""))
    # What remains of the specials is command syntax: balanced braces, backslashes
    # starting commands, $ only around math commands.
    depth = 0
    for ch in stripped:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0
    assert depth == 0
    for ch in "&%#_~^<>|\"'`":
        assert ch not in stripped
    assert "--" not in out and "\n" not in out
    assert stripped.count("$") % 2 == 0


@pytest.mark.needs_tikz  # pdflatex, lmodern and pdftotext
def test_pdflatex_prints_the_text_back(tmp_path: Path) -> None:
    """An independent reading: pdflatex typesets each escaped name, pdftotext reads the
    PDF, and the text is the name (ASCII and Latin letters exactly)."""
    names = [
        "plain", SPECIALS, "a--b---c,,d!`e?`f", "x (N - 1) = 3", "We<ird&Name|\"q'{x}%d\\n\\",
        "100% of #params & $cost_{1}$ ~ {x}^\\y", "café naïve Ørsted Łódź", "<<guillemets>>",
    ]
    body = "\n".join(f"{escape_latex(name)}\\par" for name in names)
    source = tmp_path / "names.tex"
    source.write_text(
        "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage[utf8]{inputenc}\n"
        "\\usepackage{lmodern}\n\\pagestyle{empty}\n\\begin{document}\n\\raggedright\n"
        f"{body}\n\\end{{document}}\n",
        encoding="utf-8",
    )
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", source.name],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]
    text = subprocess.run(["pdftotext", "-layout", "names.pdf", "-"], cwd=tmp_path,
                          capture_output=True, text=True, check=True).stdout
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert lines == names
