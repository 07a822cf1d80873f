"""[`Summary`][netviz.summaries.summary.Summary]: a summary's text that also knows its table.

What [`netviz.summary`][netviz.api.summary] returns: a ``str`` (so everything
that used the text keeps working), which Jupyter shows as an HTML table and
which gives the other formats. No torch here.

Examples:
    ```python
    import netviz

    s = netviz.summary("wrn28_2", by_group=True)
    s                     # in Jupyter: an HTML table
    print(s)              # the text table
    s.to("latex")         # also s.markdown, s.csv, s.json, s.html
    s.save("wrn28_2.tex")  # the format follows the suffix
    ```
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from netviz.summaries.table import GroupRow, SummaryTable

if TYPE_CHECKING:
    from pathlib import Path


class Summary(str):
    """A summary in one format (the ``str`` itself), with the table it was made from.

    Attributes:
        table: The collected numbers.
        fmt: The format of the text: ``text``, ``markdown``, ``latex``, ``csv``,
            ``json`` or ``torchsummary``.
        depth: Deepest module level of a per-layer view.
        groups: One row per diagram group, or ``None`` for the per-layer view.
        caption: LaTeX caption, if any.
        label: LaTeX label, if any.
    """

    table: SummaryTable
    fmt: str
    depth: int
    groups: tuple[GroupRow, ...] | None
    caption: str | None
    label: str | None

    def __new__(
        cls,
        table: SummaryTable,
        fmt: str = "text",
        *,
        depth: int = 3,
        groups: Sequence[GroupRow] | None = None,
        caption: str | None = None,
        label: str | None = None,
    ) -> Summary:
        """Format ``table`` (see [`format_table`][netviz.summaries.format_table] for the arguments)."""
        from netviz.summaries.formats import format_table

        chosen = tuple(groups) if groups is not None else None
        text = format_table(table, fmt, depth=depth, groups=chosen, caption=caption, label=label)
        self = super().__new__(cls, text)
        self.table, self.fmt, self.depth, self.groups = table, fmt, depth, chosen
        self.caption, self.label = caption, label
        return self

    def __getnewargs_ex__(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """Pickling (the mkdocs workers send summaries between processes)."""
        return (self.table, self.fmt), {"depth": self.depth, "groups": self.groups,
                                        "caption": self.caption, "label": self.label}

    def to(self, fmt: str, *, caption: str | None = None, label: str | None = None) -> Summary:
        """The same table in another format (LaTeX keeps this one's caption and label)."""
        latex = fmt == "latex"
        return Summary(
            self.table, fmt, depth=self.depth, groups=self.groups,
            caption=caption or (self.caption if latex else None),
            label=label or (self.label if latex else None),
        )

    @property
    def text(self) -> str:
        """The aligned plain-text table."""
        return str(self.to("text"))

    @property
    def markdown(self) -> str:
        """A Markdown pipe table."""
        return str(self.to("markdown"))

    @property
    def latex(self) -> str:
        """A booktabs LaTeX ``tabular`` (a ``table`` float with a caption or label)."""
        return str(self.to("latex"))

    @property
    def csv(self) -> str:
        """CSV, one row per layer or group."""
        return str(self.to("csv"))

    @property
    def json(self) -> str:
        """JSON with the rows and the totals."""
        return str(self.to("json"))

    @property
    def html(self) -> str:
        """An HTML ``<table>``, every name escaped."""
        from netviz.summaries.html import render_html
        from netviz.summaries.view import group_sheet, layer_sheet

        if self.groups is None:
            return render_html(layer_sheet(self.table, self.depth))
        return render_html(group_sheet(self.table, self.groups))

    def save(self, path: str | Path, fmt: str | None = None) -> None:
        """Write the summary to ``path``, whole or not at all (as the CLI does).

        Args:
            path: Output file; its suffix picks the format (``.txt .md .markdown .tex
                .csv .json``).
            fmt: The format, when the suffix does not tell it (``torchsummary`` too).

        Raises:
            FormatError: Unknown format or suffix, or the two disagree.
            OutputError: ``path`` cannot be written.
        """
        from netviz.output import check_writable, resolve_format, write_output
        from netviz.summaries.formats import SUFFIXES

        target = str(path)
        chosen = fmt if fmt == "torchsummary" else resolve_format(target, fmt, SUFFIXES, "text")
        check_writable(target)
        write_output(target, str(self.to(chosen)))

    def _repr_html_(self) -> str:
        return self.html

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython's plain-text display: the text itself, not its ``repr``."""
        printer.text(str(self))
