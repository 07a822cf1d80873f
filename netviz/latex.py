"""Text from user code as LaTeX that pdflatex typesets literally (tables and TikZ figures).

Every character LaTeX treats specially becomes a command, T1 ligatures that would
change the text (``--``, ``''``, ``<<``, ``,,``) are broken with ``{}``, symbols
netviz and users write in labels (``→ × γ ⊕ ≡``) become math commands, and Latin
letters pass through for ``inputenc``/``fontenc`` (the UTF-8 default of LaTeX).
Anything else pdflatex cannot typeset is written as its code point (``U+4E2D``),
so a document never fails to compile on a name.

Examples:
    >>> escape_latex("conv_1 & 100% → ⊕")
    'conv\\\\_1 \\\\& 100\\\\% $\\\\rightarrow$ $\\\\oplus$'
"""

from __future__ import annotations

_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    '"': r"\textquotedbl{}",
    "'": r"\textquotesingle{}",
    "`": r"\textasciigrave{}",
    "\t": " ",
    "\n": " ",
    "\r": " ",
}
_MATH = {
    "→": r"\rightarrow", "←": r"\leftarrow", "↑": r"\uparrow", "↓": r"\downarrow",
    "↔": r"\leftrightarrow", "⇒": r"\Rightarrow", "×": r"\times", "÷": r"\div",
    "·": r"\cdot", "⋅": r"\cdot", "∘": r"\circ", "∗": r"\ast", "⊕": r"\oplus",
    "⊗": r"\otimes", "⊙": r"\odot", "≡": r"\equiv", "≤": r"\leq", "≥": r"\geq",
    "≠": r"\neq", "≈": r"\approx", "∼": r"\sim", "−": "-", "√": r"\surd",
    "∞": r"\infty", "∑": r"\sum", "∏": r"\prod", "∫": r"\int", "∂": r"\partial",
    "∇": r"\nabla", "∈": r"\in", "…": r"\dots", "ε": r"\varepsilon",
    **{letter: "\\" + name for letter, name in zip(
        "αβγδζηθικλμνξπρστυφχψωϵϑϕΓΔΘΛΞΠΣΥΦΨΩ",
        "alpha beta gamma delta zeta eta theta iota kappa lambda mu nu xi pi rho sigma tau "
        "upsilon phi chi psi omega epsilon vartheta phi Gamma Delta Theta Lambda Xi Pi Sigma "
        "Upsilon Phi Psi Omega".split(),
    )},
}
_TEXT = {
    "–": r"\textendash{}", "—": r"\textemdash{}", "‘": r"\textquoteleft{}",
    "’": r"\textquoteright{}", "“": r"\textquotedblleft{}", "”": r"\textquotedblright{}",
    "•": r"\textbullet{}", "€": r"\texteuro{}", "†": r"\dag{}", "‡": r"\ddag{}",
}
_LIGATURES = frozenset({"--", ",,", "!`", "?`"})
"""Character pairs that T1 fonts would join into another glyph (``--`` is a dash); the
pairs of ``' ` < > "`` cannot form: those characters are commands."""

_NOT_IN_T1 = frozenset("ĦħĸĿŀŉŦŧſ")
"""Latin Extended-A letters that LaTeX's T1 encoding does not provide."""


def _typeset(ch: str) -> str:
    """One character as pdflatex (``utf8`` input, ``T1`` fonts) typesets it literally."""
    if ch in _SPECIAL:
        return _SPECIAL[ch]
    if ch in _MATH:
        return f"${_MATH[ch]}$"
    if ch in _TEXT:
        return _TEXT[ch]
    code = ord(ch)
    if 0x20 <= code < 0x7F or (0xA0 <= code <= 0x17E and ch not in _NOT_IN_T1):
        return ch
    if code < 0x20 or 0x7F <= code < 0xA0:
        return ""  # a control character: nothing to show
    return f"\\texttt{{U+{code:04X}}}"


def escape_latex(text: str) -> str:
    """``text`` as LaTeX that typesets exactly as written (one line: newlines and tabs
    become spaces, other control characters are dropped)."""
    out = []
    for ch, after in zip(text, [*text[1:], ""]):
        out.append(_typeset(ch))
        if ch + after in _LIGATURES:
            out.append("{}")
    return "".join(out)
