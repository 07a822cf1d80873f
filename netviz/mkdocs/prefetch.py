"""Finding a page's ```` ```netviz ```` fences before MkDocs converts it.

The plugin sends every fence of the site to the render workers as soon as the
files are collected (see [`netviz.mkdocs.plugin`][]). A page's fences are those
written in its Markdown and those in the docstrings that its mkdocstrings
directives (``::: package.module``) show: these are found in the source files
of the documented modules, read as text (nothing is imported). A fence missed
here is still rendered, on demand, when the page is converted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from netviz.mkdocs.apiref import package_dir

FENCE_RE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*netviz[ \t]*\n"
    r"(?P<body>.*?)^(?P=indent)(?P=fence)[ \t]*$",
    re.M | re.S,
)
"""A ```` ```netviz ```` fence without header options (also indented, as in docstrings)."""

DIRECTIVE_RE = re.compile(
    r"^(?P<indent>[ \t]*):::[ \t]+(?P<identifier>[\w.]+)[ \t]*\n"
    r"(?P<options>(?:(?P=indent)[ \t]+\S.*\n|[ \t]*\n)*)",
    re.M,
)
"""An mkdocstrings directive and the indented YAML options below it."""

_SUBMODULES = re.compile(r"^\s*show_submodules:\s*true\s*$", re.M | re.I)

_SHOWN_AS_CODE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<fence>`{4,}|~{4,})(?![ \t]*netviz[ \t]*$).*?\n"
    r".*?^(?P=indent)(?P=fence)[ \t]*$",
    re.M | re.S,
)
"""A fence of four or more backticks that is not a netviz fence: what it holds (a
```` ```netviz ```` example on a docs page) is shown as code, not rendered."""


def fence_bodies(text: str) -> Iterator[str]:
    """The bodies of the ``netviz`` fences in ``text`` (Markdown or Python source), dedented."""
    for match in FENCE_RE.finditer(_SHOWN_AS_CODE.sub("", text)):
        indent = match.group("indent")
        lines = match.group("body").splitlines()
        yield "\n".join(line[len(indent) :] if line.startswith(indent) else line for line in lines)


def documented_files(markdown: str, roots: Sequence[Path]) -> list[Path]:
    """Source files whose docstrings the page's mkdocstrings directives show.

    Args:
        markdown: The page's Markdown.
        roots: Folders to look for top-level packages in before ``sys.path``
            (the folder of ``mkdocs.yml``, as mkdocstrings' ``paths: [.]``).
    """
    files: list[Path] = []
    for match in DIRECTIVE_RE.finditer(markdown):
        submodules = bool(_SUBMODULES.search(match.group("options")))
        for path in module_files(match.group("identifier"), roots, submodules):
            if path not in files:
                files.append(path)
    return files


def module_files(identifier: str, roots: Sequence[Path], submodules: bool = False) -> list[Path]:
    """The source file that defines ``identifier`` (a module, or an object in one).

    Args:
        identifier: Dotted path such as ``pkg.mod`` or ``pkg.mod.Class``.
        roots: Folders searched for the top-level package before ``sys.path``.
        submodules: For a package: every module below it too.

    Returns:
        The files, or ``[]`` when the source is not found; a module's file comes with
        the private sibling modules it imports from (``from ._blocks import Block``).
    """
    top, *rest = identifier.split(".")
    path = _top_level(top, roots)
    if path is None:
        return []
    for part in rest:
        if path.is_dir() and (path / part).is_dir():
            path = path / part
        elif path.is_dir() and (path / f"{part}.py").is_file():
            path = path / f"{part}.py"
        else:
            break  # an object inside the module found so far
    if path.is_file():
        return [path, *_private_sources(path)]
    if submodules:
        return sorted(path.rglob("*.py"))
    return [path / "__init__.py"] if (path / "__init__.py").is_file() else []


_PRIVATE_IMPORT = re.compile(r"^from[ \t]+\.(_\w+)[ \t]+import\b", re.M)
"""``from ._blocks import Block``: a private sibling module whose names the module exports."""


def _private_sources(path: Path) -> list[Path]:
    """Private sibling modules ``path`` imports from: the page of ``path`` shows the
    docstrings of what it re-exports from them (in ``__all__``)."""
    names = dict.fromkeys(_PRIVATE_IMPORT.findall(path.read_text("utf-8", errors="replace")))
    return [path.parent / f"{name}.py" for name in names if (path.parent / f"{name}.py").is_file()]


def _top_level(name: str, roots: Sequence[Path]) -> Path | None:
    """A top-level package folder or module file, found without importing it."""
    for root in roots:
        for candidate in (root / name, root / f"{name}.py"):
            if candidate.exists():
                return candidate
    try:
        return package_dir(name)
    except (ImportError, ValueError):
        return None
