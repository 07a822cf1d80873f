"""Finding fences before the pages are converted: in Markdown, and in the docstrings that
a page's mkdocstrings directives show (source files found without importing them)."""

from __future__ import annotations

from pathlib import Path

from netviz.mkdocs.prefetch import documented_files, fence_bodies, module_files

CLASS = '''\
class Block:
    """A block.

    ```netviz
    model: pkg.blocks:Block(16, 32)
    input_shape: 16,8,8
    ```

    Examples:
        ~~~netviz
        model: pkg.blocks:Block(16, 16)
        ~~~
    """
'''


def test_fences_in_a_docstring_are_found_and_dedented() -> None:
    assert list(fence_bodies(CLASS)) == [
        "model: pkg.blocks:Block(16, 32)\ninput_shape: 16,8,8",
        "model: pkg.blocks:Block(16, 16)",
    ]


def test_a_fence_shown_as_code_is_not_prefetched() -> None:
    page = "````markdown\n```netviz\nmodel: a\n```\n````\n\n````netviz\nmodel: b\n````\n"
    assert list(fence_bodies(page)) == ["model: b"]


def _package(root: Path) -> Path:
    (root / "pkg" / "sub").mkdir(parents=True)
    for name in ("pkg/__init__.py", "pkg/blocks.py", "pkg/sub/__init__.py", "pkg/sub/deep.py"):
        (root / name).write_text("", "utf-8")
    (root / "single.py").write_text("", "utf-8")
    return root


def test_module_files_of_modules_objects_and_packages(tmp_path: Path) -> None:
    root = _package(tmp_path)
    assert module_files("pkg.blocks", [root]) == [root / "pkg" / "blocks.py"]
    assert module_files("pkg.blocks.Block.forward", [root]) == [root / "pkg" / "blocks.py"]
    assert module_files("pkg", [root]) == [root / "pkg" / "__init__.py"]
    assert module_files("single.Net", [root]) == [root / "single.py"]
    assert module_files("pkg.sub", [root], submodules=True) == [
        root / "pkg" / "sub" / "__init__.py",
        root / "pkg" / "sub" / "deep.py",
    ]
    assert module_files("no_such_package_xyz.mod", [root]) == []


def test_a_module_comes_with_the_private_modules_it_reexports_from(tmp_path: Path) -> None:
    root = _package(tmp_path)
    (root / "pkg" / "_layers.py").write_text("", "utf-8")
    (root / "pkg" / "blocks.py").write_text(
        "from ._layers import Block\nfrom ._gone import X\nfrom . import sub\n", "utf-8"
    )
    assert module_files("pkg.blocks", [root]) == [
        root / "pkg" / "blocks.py", root / "pkg" / "_layers.py"
    ]


def test_installed_packages_are_found_without_importing_them(tmp_path: Path) -> None:
    path, layers = module_files("netviz_models.mdnc.BlockBottleneck2d", [tmp_path])
    assert path.name == "mdnc.py" and path.parent.name == "models"  # the repository folder
    assert layers == path.parent / "_mdnc_layers.py"


def test_documented_files_follow_the_directives_and_their_options(tmp_path: Path) -> None:
    root = _package(tmp_path)
    page = (
        "# API\n\n::: pkg.blocks\n\n"
        "::: pkg.sub\n    options:\n      show_submodules: true\n\n"
        "::: pkg.blocks.Block\n"
    )
    assert documented_files(page, [root]) == [
        root / "pkg" / "blocks.py",
        root / "pkg" / "sub" / "__init__.py",
        root / "pkg" / "sub" / "deep.py",
    ]
    assert documented_files("::: pkg.sub\n", [root]) == [root / "pkg" / "sub" / "__init__.py"]
