"""The text form of a diff: the changes by group, then the parameters and MACs of A, of
B and their difference, per group and in total; as plain text or Markdown.

Two models without a difference print ``no structural differences`` (and their counts).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from netviz.summaries.markdown import escape
from netviz.text import one_line

if TYPE_CHECKING:
    from netviz.transforms.diff import Comparison, GroupDiff
    from netviz.transforms.diff.report import ChangeLine

NO_DIFFERENCES = "no structural differences"
"""What the text form says of two models whose figures are alike."""

COLUMNS = ("Group", "Params A", "Params B", "Δ Params", "MACs A", "MACs B", "Δ MACs")
"""The numbers table's columns (MACs of one sample)."""

_GAP = "  "


def signed(value: int) -> str:
    """A difference with its sign: ``+18,992,128``, ``-1,024``, ``0``."""
    return f"{value:+,}" if value else "0"


def _headline(diff: Comparison) -> str:
    names = f"{one_line(diff.before_name)} → {one_line(diff.after_name)}"
    count = sum(line.count for line in diff.changes)
    if count:
        return f"{names}: {count} change{'s' * (count != 1)}"
    if diff.identical:
        return f"{names}: {NO_DIFFERENCES}"
    return f"{names}: {NO_DIFFERENCES}; the counts differ"


def _line_text(line: ChangeLine) -> str:
    times = f" (x{line.count})" if line.count > 1 else ""
    return f"{line.kind.value} {line.what}: {one_line(line.text)}{times}"


def _rows(diff: Comparison) -> list[tuple[str, ...]]:
    def row(title: str, group: GroupDiff | None) -> tuple[str, ...]:
        before = group.before if group else diff.before
        after = group.after if group else diff.after
        return (title, f"{before.params:,}", f"{after.params:,}",
                signed(after.params - before.params), f"{before.macs:,}", f"{after.macs:,}",
                signed(after.macs - before.macs))

    return [row(one_line(g.title), g) for g in diff.groups] + [row("Total", None)]


def render_diff_text(diff: Comparison) -> str:
    """The diff as plain text: a headline, the changes by group, the numbers table."""
    out = [_headline(diff)]
    out.append(f"A: {one_line(diff.before_name)}, B: {one_line(diff.after_name)}; "
               "MACs of one sample")
    changed = [g for g in diff.groups if g.changes]
    if changed:
        out += ["", "Changes by group"]
        for group in changed:
            out.append(f"  {one_line(group.title)}")
            out += [f"    {_line_text(line)}" for line in group.changes]
    rows = _rows(diff)
    if diff.identical:
        out += ["", f"Params {rows[-1][1]} · MACs {rows[-1][4]} (both)"]
        return "\n".join(out) + "\n"
    widths = [max(len(r[i]) for r in (COLUMNS, *rows)) for i in range(len(COLUMNS))]

    def line(cells: tuple[str, ...]) -> str:
        parts = [c.ljust(w) if i == 0 else c.rjust(w)
                 for i, (c, w) in enumerate(zip(cells, widths))]
        return _GAP.join(parts).rstrip()

    rule = "-" * (sum(widths) + len(_GAP) * (len(widths) - 1))
    out += ["", "Params and MACs by group", rule, line(COLUMNS), rule]
    out += [line(r) for r in rows[:-1]] + [rule, line(rows[-1]), rule]
    return "\n".join(out) + "\n"


def render_diff_markdown(diff: Comparison) -> str:
    """The diff as Markdown: a headline, a list of changes per group, the numbers table."""
    out = [escape(_headline(diff)), ""]
    for group in (g for g in diff.groups if g.changes):
        out += [f"**{escape(one_line(group.title))}**", ""]
        out += [f"- {escape(_line_text(line))}" for line in group.changes]
        out.append("")
    rows = _rows(diff)
    if diff.identical:
        out.append(escape(f"Params {rows[-1][1]} · MACs {rows[-1][4]} (both)"))
        return "\n".join(out) + "\n"
    out.append("| " + " | ".join(COLUMNS) + " |")
    out.append("|:---|" + "---:|" * (len(COLUMNS) - 1))
    out += ["| " + " | ".join([escape(r[0]), *r[1:]]) + " |" for r in rows[:-1]]
    total = rows[-1]
    out.append("| " + " | ".join(f"**{escape(c)}**" for c in total) + " |")
    return "\n".join(out) + "\n"
