"""Python API pages: one mkdocstrings page per public module, found on disk.

The module list comes from the package folders (nothing is imported), so a
new public module gets its API page without a docs edit; mkdocstrings then
renders it from the source with griffe.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ApiPage:
    """One generated API page.

    Attributes:
        module: Dotted module path, e.g. ``"netviz.ir"``.
        src_uri: Page path inside the docs, e.g. ``"api/netviz.ir.md"``.
        package: Whether the module is a package (its submodules are shown too).
    """

    module: str
    src_uri: str
    package: bool

    def markdown(self) -> str:
        """The page: a title and one mkdocstrings directive."""
        lines = [f"# `{self.module}`", "", f"::: {self.module}", "    options:"]
        lines.append("      show_root_heading: false")
        if self.package:
            lines.append("      show_submodules: true")
        return "\n".join(lines) + "\n"


def package_dir(package: str) -> Path | None:
    """The folder of a top-level package, found without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _public(name: str) -> bool:
    return not name.startswith("_")


def api_pages(packages: list[str], folder: str) -> list[ApiPage]:
    """The pages for ``packages``: the package itself, then each public child.

    Child packages are one page each, with their submodules shown inline.

    Args:
        packages: Top-level package names, e.g. ``["netviz", "netviz_models"]``.
        folder: Docs folder of the pages, e.g. ``"api"``.
    """
    pages: list[ApiPage] = []
    for package in packages:
        root = package_dir(package)
        if root is None:
            continue
        pages.append(ApiPage(package, f"{folder}/{package}.md", package=False))
        children = []
        for path in sorted(root.iterdir()):
            if path.is_dir() and (path / "__init__.py").is_file() and _public(path.name):
                children.append((path.name, True))
            elif path.suffix == ".py" and _public(path.stem):
                children.append((path.stem, False))
        for name, is_package in children:
            module = f"{package}.{name}"
            pages.append(ApiPage(module, f"{folder}/{module}.md", package=is_package))
    return pages
