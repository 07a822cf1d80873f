"""Loading models from 'package.module:attr' and 'path/file.py:attr' specs, and errors."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch
from torch import nn

from netviz.errors import (
    InputShapeError,
    ModelSpecError,
    NetvizError,
    UnknownModelError,
)
from netviz.registry import get_entry, list_models, load_model

MOD = "tests.registry.fixtures.tiny_models"


def file_spec(fixtures_dir: Path, attr: str, name: str = "tiny_models.py") -> str:
    return f"{fixtures_dir / name}:{attr}"


def test_module_spec_class() -> None:
    loaded = load_model(f"{MOD}:TinyNet")
    assert loaded.name == "TinyNet"
    assert loaded.input_shapes == ((3, 8, 8),)
    assert loaded.description == ""
    assert {p.device.type for p in loaded.module.parameters()} == {"meta"}
    cpu = loaded.build("cpu")
    assert cpu(torch.zeros(1, 3, 8, 8)).shape == (1, 3, 8, 8)


def test_module_spec_builder_takes_shape_from_built_module() -> None:
    loaded = load_model(f"{MOD}:tiny_builder")
    assert loaded.name == "tiny_builder"
    assert loaded.input_shapes == ((3, 8, 8),)


def test_module_spec_builder_with_optional_args() -> None:
    loaded = load_model(f"{MOD}:optional_args_builder", [(4,)])
    assert isinstance(loaded.module, nn.Linear)


def test_module_spec_multi_input_shape_attribute() -> None:
    assert load_model(f"{MOD}:two_inputs").input_shapes == ((3, 8, 8), (10,))


def test_module_spec_instance_is_used_as_is() -> None:
    from tests.registry.fixtures import tiny_models

    loaded = load_model(f"{MOD}:tiny_instance")
    assert loaded.module is tiny_models.tiny_instance
    assert loaded.name == "tiny_instance"
    assert loaded.build("cpu") is tiny_models.tiny_instance


def test_module_spec_of_registered_builder_uses_its_entry() -> None:
    loaded = load_model("netviz_models.wideresnet:wrn28_2")
    assert loaded.name == "wrn28_2"
    assert loaded.input_shapes == ((3, 32, 32),)
    assert loaded.description == get_entry("wrn28_2").description


def test_module_instance_spec() -> None:
    from tests.registry.fixtures.tiny_models import NoShape, TinyNet

    net = TinyNet()
    loaded = load_model(net)
    assert loaded.module is net and loaded.name == "TinyNet"
    assert loaded.input_shapes == ((3, 8, 8),)
    assert loaded.build("cpu") is net
    assert load_model(NoShape(), [(4,)]).input_shapes == ((4,),)
    with pytest.raises(InputShapeError, match="--input-shape"):
        load_model(NoShape())


def test_file_spec(fixtures_dir: Path) -> None:
    before = list(sys.path)
    loaded = load_model(file_spec(fixtures_dir, "TinyNet"))
    assert loaded.name == "TinyNet"
    assert loaded.input_shapes == ((3, 8, 8),)
    assert sys.path == before  # only that file is loaded; its folder is not importable
    assert loaded.build("cpu")(torch.zeros(2, 3, 8, 8)).shape == (2, 3, 8, 8)


def test_relative_file_spec(fixtures_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(fixtures_dir.parent)
    assert load_model("fixtures/tiny_models.py:tiny_builder").name == "tiny_builder"
    monkeypatch.chdir(fixtures_dir)
    assert load_model("tiny_models.py:TinyNet").name == "TinyNet"


def test_file_spec_that_registers_can_be_loaded_twice(
    fixtures_dir: Path, clean_registry: dict
) -> None:
    spec = file_spec(fixtures_dir, "file_registered", "registering.py")
    first = load_model(spec)
    second = load_model(spec)
    assert first.name == second.name == "file_registered"
    assert second.input_shapes == ((4,),)
    assert "file_registered" in list_models()
    assert load_model("file_registered").description == "registered from a file"


def test_file_spec_of_a_builtin_module_file() -> None:
    import netviz_models.wideresnet

    loaded = load_model(f"{netviz_models.wideresnet.__file__}:wrn28_2")
    assert loaded.name == "wrn28_2"
    assert loaded.input_shapes == ((3, 32, 32),)


def test_module_spec_from_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "my_cwd_pkg_xyz").mkdir()
    (tmp_path / "my_cwd_pkg_xyz" / "__init__.py").write_text("")
    (tmp_path / "my_cwd_pkg_xyz" / "net.py").write_text(
        "from torch import nn\n"
        "class Net(nn.Linear):\n"
        "    input_shape = (5,)\n"
        "    def __init__(self):\n"
        "        super().__init__(5, 2)\n"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    for name in ("my_cwd_pkg_xyz", "my_cwd_pkg_xyz.net"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    assert load_model("my_cwd_pkg_xyz.net:Net").input_shapes == ((5,),)
    assert str(tmp_path) not in sys.path


def _message(spec: object, *, error: type[NetvizError] = ModelSpecError) -> str:
    with pytest.raises(error) as info:
        load_model(spec)
    message = str(info.value)
    assert "\n" not in message, message
    assert "Traceback" not in message
    return message


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ("", "invalid model spec"),
        ("   ", "invalid model spec"),
        (42, "invalid model spec"),
        (None, "invalid model spec"),
        ("netviz_models.wideresnet", "'netviz_models.wideresnet:attr'"),
        ("some/dir/net.py", "'some/dir/net.py:attr'"),
        ("netviz_models.wideresnet:", "malformed model spec"),
        (":wrn28_2", "malformed model spec"),
        ("netviz_models.wideresnet:wrn28-2", "malformed model spec"),
        ("not a module:Net", "neither a module path nor a .py file"),
        ("some/dir/weights.pt:Net", "is not a .py file"),
        ("netviz_no_such_pkg_xyz:Net", "no module named 'netviz_no_such_pkg_xyz'"),
        ("models.no_such_family:Net", "no module named 'models.no_such_family'"),
        ("missing/dir/net.py:Net", "no such file 'missing/dir/net.py'"),
        (
            "netviz_models.wideresnet:wrn28_3",
            "'netviz_models.wideresnet' has no attribute 'wrn28_3'; did you mean: wrn28_2",
        ),
        (f"{MOD}:NOT_A_MODEL", "'NOT_A_MODEL' is not an nn.Module class, builder or instance (it is of type int)"),
        (f"{MOD}:NotAModule", "class 'NotAModule' is not an nn.Module"),
        (f"{MOD}:NeedsArgs", "needs argument(s) width"),
        (f"{MOD}:needs_args_builder", "needs argument(s) width, depth"),
        ("netviz_models.wideresnet:WideResNet", "needs argument(s) depth, widen_factor"),
        (f"{MOD}:NeedsArgs(4, 5)", "too many positional arguments"),
        (f"{MOD}:NeedsArgs(size=4)", "unexpected keyword argument 'size'"),
        (f"{MOD}:NeedsArgs(width)", "argument 'width' is not a Python literal"),
        (f"{MOD}:NeedsArgs(*[4])", "argument '*[4]' is not a Python literal"),
        (f"{MOD}:NeedsArgs(**{{'width': 4}})", "'**' arguments are not supported"),
        (f"{MOD}:NeedsArgs(__import__('os'))", "is not a Python literal"),
        (f"{MOD}:NeedsArgs(4", "malformed model spec"),
        (f"{MOD}:NeedsArgs(4))", "write its arguments as a call"),
        (f"{MOD}:tiny_instance(4)", "is a module instance, not a class or builder"),
        ("wrn28_2(classes=100)", "unexpected keyword argument 'classes'"),
        (f"{MOD}:returns_int", "returned an object of type int, not an nn.Module"),
        (f"{MOD}:raises", "RuntimeError: boom"),
        ("tests.registry.fixtures.broken_import:Net", "raised RuntimeError: broken on import"),
        ("tests.registry.fixtures.exits_on_import:Net", "raised SystemExit: 3"),
        (
            "tests.registry.fixtures.missing_dependency:Net",
            "importing 'tests.registry.fixtures.missing_dependency' raised ModuleNotFoundError",
        ),
    ],
)
def test_bad_specs(spec: object, fragment: str) -> None:
    message = _message(spec)
    assert fragment in message
    if isinstance(spec, str) and spec.strip():
        assert repr(spec) in message


@pytest.mark.parametrize(
    ("attr", "name", "fragment"),
    [
        ("Net", "broken_import.py", "running"),
        ("Net", "exits_on_import.py", "SystemExit: 3"),
        ("NoSuchThing", "tiny_models.py", "tiny_models.py' has no attribute 'NoSuchThing'"),
        ("TinyNet.nope", "tiny_models.py", "tiny_models.py.TinyNet' has no attribute 'nope'"),
        ("raises", "tiny_models.py", "RuntimeError: boom"),
    ],
)
def test_bad_file_specs(fixtures_dir: Path, attr: str, name: str, fragment: str) -> None:
    assert fragment in _message(file_spec(fixtures_dir, attr, name))


def test_file_spec_pointing_at_a_directory(tmp_path: Path) -> None:
    (tmp_path / "pkg.py").mkdir()
    assert "no such file" in _message(f"{tmp_path / 'pkg.py'}:Net")


def test_no_input_shape_known() -> None:
    message = _message(f"{MOD}:NoShape", error=InputShapeError)
    assert "--input-shape" in message
    assert load_model(f"{MOD}:NoShape", [(4,)]).input_shapes == ((4,),)


@pytest.mark.parametrize("shapes", [[(3, 0, 8)], "3x32x32", [()], [(3, 2.5)], []])
def test_bad_input_shapes(shapes: object) -> None:
    with pytest.raises(InputShapeError):
        load_model("wrn28_2", shapes)  # type: ignore[arg-type]


def test_unknown_model_error_is_not_a_spec_error() -> None:
    message = _message("wrn28-2x", error=UnknownModelError)
    assert "wrn28_2" in message


def test_class_spec_with_literal_arguments() -> None:
    loaded = load_model(f"{MOD}:NeedsArgs(6)", [(6,)])
    assert loaded.name == "NeedsArgs"
    assert sum(p.numel() for p in loaded.module.parameters()) == 6 * 6 + 6  # Linear(6, 6)


def test_builder_spec_with_positional_and_keyword_arguments() -> None:
    loaded = load_model(f"{MOD}:needs_args_builder(6, depth=4)", [(6,)])
    assert loaded.build("cpu")(torch.zeros(1, 6)).shape == (1, 4)


def test_registered_name_with_arguments_keeps_its_entry() -> None:
    loaded = load_model("wrn28_2(num_classes=100)")
    assert loaded.name == "wrn28_2"
    assert loaded.input_shapes == ((3, 32, 32),)
    assert loaded.module.fc.out_features == 100  # type: ignore[union-attr]


def test_block_spec_with_arguments_matches_the_seed_example() -> None:
    """seed 001, example 1: 3,792 parameters (reference/mdnc-bottleneck2d-examples.txt)."""
    spec = "netviz_models.mdnc:BlockBottleneck2d(16, 32, kernel_size=3, stride=(1, 2), padding=1)"
    loaded = load_model(spec, [(16, 4, 255)])
    assert sum(p.numel() for p in loaded.module.parameters()) == 3792
