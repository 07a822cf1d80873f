"""Registering, listing and looking up models; entry-point discovery."""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
from pathlib import Path

import pytest
from torch import nn

import netviz.registry as registry
from netviz.errors import NetvizWarning, UnknownModelError
from netviz.registry import (
    ENTRY_POINT_GROUP,
    ModelEntry,
    get_entry,
    list_models,
    load_model,
    natural_key,
    register_model,
)

BUILTINS = [
    "convnext_mini",
    "densenet_mini",
    "googlenet_mini",
    "lstm_tagger_mini",
    "mdnc_bottleneck2d_ex1",
    "mdnc_bottleneck2d_ex2",
    "mobilenet_v2_mini",
    "regnet_mini",
    "resnet18",
    "resnet34",
    "resnet50",
    "resnet101",
    "resnet152",
    "swin_mini",
    "transformer_lm_mini",
    "vit_mini",
    "vit_mini_qkv",
    "wrn16_4",
    "wrn28_2",
    "wrn28_10",
    "wrn40_2",
]
SEQUENCES = ["lstm_tagger_mini", "transformer_lm_mini"]
NEEDS_VALUES = ["regnet_mini"]
"""Built-ins whose builder computes with tensor values: they cannot build on meta (and
torch's meta kernels for that arithmetic import torch._dynamo)."""


def test_builtins_listed_in_natural_order() -> None:
    assert list_models() == BUILTINS


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("wrn*", ["wrn16_4", "wrn28_2", "wrn28_10", "wrn40_2"]),
        ("resnet*", ["resnet18", "resnet34", "resnet50", "resnet101", "resnet152"]),
        ("wrn28_?", ["wrn28_2"]),
        ("*ex[12]", ["mdnc_bottleneck2d_ex1", "mdnc_bottleneck2d_ex2"]),
        ("nothing*", []),
        ("WRN*", ["wrn16_4", "wrn28_2", "wrn28_10", "wrn40_2"]),  # any case, like the names
    ],
)
def test_list_pattern(pattern: str, expected: list[str]) -> None:
    assert list_models(pattern) == expected


def test_natural_key() -> None:
    names = ["resnet152", "resnet101", "a10b2", "a9b10", "a9b9", "resnet18", "resnet50"]
    assert sorted(names, key=natural_key) == [
        "a9b9", "a9b10", "a10b2", "resnet18", "resnet50", "resnet101", "resnet152"]


def test_get_entry() -> None:
    entry = get_entry("wrn28_2")
    assert isinstance(entry, ModelEntry)
    assert entry.input_shapes == ((3, 32, 32),)
    assert entry.description
    assert "\n" not in entry.description
    assert get_entry("resnet50").input_shapes == ((3, 224, 224),)
    assert get_entry("mdnc_bottleneck2d_ex1").input_shapes == ((16, 4, 255),)
    assert get_entry("mdnc_bottleneck2d_ex2").input_shapes == ((32, 4, 128),)


@pytest.mark.parametrize("name", BUILTINS)
def test_every_builtin_has_shape_and_description(name: str) -> None:
    entry = get_entry(name)
    assert entry.description.strip() and len(entry.description) < 100
    rank = 1 if name in SEQUENCES else 2  # token ids: one dimension; images: C, H, W
    assert entry.input_shapes and all(len(s) >= rank for s in entry.input_shapes)


def test_unknown_name_suggests_close_matches() -> None:
    with pytest.raises(UnknownModelError) as info:
        get_entry("wrn28-2x")
    assert str(info.value) == (
        "unknown model 'wrn28-2x'; did you mean: wrn28_2, wrn28_10? "
        "(run 'netviz list' to see all models)"
    )
    with pytest.raises(UnknownModelError, match="did you mean: wrn28_2"):
        load_model("wrn28-2x")


def test_names_match_in_any_case_and_close_matches_ignore_case() -> None:
    assert get_entry("ResNet50").name == "resnet50"
    with pytest.raises(UnknownModelError, match="did you mean: resnet50"):
        get_entry("ResNet5O")


def test_unknown_name_without_close_match() -> None:
    with pytest.raises(UnknownModelError) as info:
        load_model("qqqqqq")
    assert str(info.value) == "unknown model 'qqqqqq' (run 'netviz list' to see all models)"


def test_load_by_name_builds_on_meta() -> None:
    loaded = load_model("wrn28_2")
    assert loaded.name == "wrn28_2"
    assert loaded.input_shapes == ((3, 32, 32),)
    assert loaded.description == get_entry("wrn28_2").description
    assert {p.device.type for p in loaded.module.parameters()} == {"meta"}
    assert sum(p.numel() for p in loaded.module.parameters()) == 1_467_610
    cpu = loaded.build("cpu")
    assert cpu is not loaded.module
    assert {p.device.type for p in cpu.parameters()} == {"cpu"}


def test_load_on_cpu() -> None:
    loaded = load_model("mdnc_bottleneck2d_ex1", device="cpu")
    assert {p.device.type for p in loaded.module.parameters()} == {"cpu"}


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ([(3, 64, 64)], ((3, 64, 64),)),
        ((3, 64, 64), ((3, 64, 64),)),
        (((3, 16, 16), (10,)), ((3, 16, 16), (10,))),
    ],
)
def test_input_shapes_override(given: object, expected: tuple) -> None:
    assert load_model("wrn28_2", given).input_shapes == expected  # type: ignore[arg-type]


def test_loaded_model_is_frozen() -> None:
    loaded = load_model("wrn16_4")
    with pytest.raises(AttributeError):
        loaded.name = "x"  # type: ignore[misc]


def test_register_and_duplicate(clean_registry: dict) -> None:
    @register_model("my_tiny", input_shape=(3, 8, 8), description="  a tiny\n model ")
    def my_tiny() -> nn.Module:
        return nn.Conv2d(3, 3, 1)

    entry = get_entry("my_tiny")
    assert entry.builder is my_tiny
    assert entry.description == "a tiny model"
    assert "my_tiny" in list_models()

    with pytest.raises(ValueError, match="already registered"):
        @register_model("my_tiny", input_shape=(3, 8, 8), description="other")
        def other() -> nn.Module:
            return nn.Conv2d(3, 3, 1)

    with pytest.raises(ValueError, match="already registered"):
        register_model("wrn28_2", input_shape=(3, 32, 32), description="x")(lambda: None)


def test_register_multi_input(clean_registry: dict) -> None:
    register_model("pair", input_shape=((3, 8, 8), (10,)), description="d")(lambda: None)
    assert get_entry("pair").input_shapes == ((3, 8, 8), (10,))


@pytest.mark.parametrize("name", ["", "has space", "_private", "a/b", "x:y"])
def test_register_bad_name(clean_registry: dict, name: str) -> None:
    with pytest.raises(ValueError, match="invalid model name"):
        register_model(name, input_shape=(3, 8, 8), description="d")


@pytest.mark.parametrize("shape", [(), (3, 0, 8), (3, -1), "3x8x8", ((3, 8), ()), (3.0, 8)])
def test_register_bad_shape(clean_registry: dict, shape: object) -> None:
    with pytest.raises(ValueError, match="shape"):
        register_model("ok_name", input_shape=shape, description="d")  # type: ignore[arg-type]


def test_installed_entry_points_name_the_builtin_modules() -> None:
    values = {ep.value for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}
    assert {"netviz_models.wideresnet", "netviz_models.resnet", "netviz_models.mdnc"} <= values


def _fake_entry_points(*values: str):  # type: ignore[no-untyped-def]
    eps = [
        importlib.metadata.EntryPoint(name=v.rsplit(".", 1)[-1], value=v, group=ENTRY_POINT_GROUP)
        for v in values
    ]
    return lambda group=None, **kw: [ep for ep in eps if group in (None, ENTRY_POINT_GROUP)]


def test_discovery_loads_plugins_and_warns_on_broken_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(registry, "_REGISTRY", {})
    monkeypatch.setattr(registry, "_discovered", False)
    monkeypatch.delitem(sys.modules, "tests.registry.fixtures.plugin", raising=False)
    monkeypatch.setattr(
        importlib.metadata,
        "entry_points",
        _fake_entry_points(
            "tests.registry.fixtures.plugin",
            "tests.registry.fixtures.broken_import",
            "tests.registry.fixtures.plugin",  # installed twice: loaded once
        ),
    )
    with pytest.warns(NetvizWarning, match="broken_import.*RuntimeError: broken on import"):
        names = list_models()
    assert names == ["plugin_pair", "plugin_tiny"]
    assert load_model("plugin_tiny").input_shapes == ((3, 8, 8),)
    # discovery runs once
    assert list_models() == names


def test_netviz_never_imports_models_by_name() -> None:
    root = Path(registry.__file__).parent
    pattern = re.compile(r"^\s*(from\s+models[\s.]|import\s+models\b)", re.M)
    offenders = [p for p in root.rglob("*.py") if pattern.search(p.read_text("utf-8"))]
    assert offenders == []


def test_registry_import_does_not_import_torch() -> None:
    code = (
        "import sys, netviz.registry, netviz.commands.list; "
        "sys.exit(1 if 'torch' in sys.modules else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_meta_builds_stay_off_the_slow_path() -> None:
    """Building every built-in on meta must not import torch._dynamo (costs seconds)."""
    code = (
        "import sys\n"
        "from netviz.registry import list_models, load_model\n"
        "for name in list_models():\n"
        f"    if name not in {NEEDS_VALUES!r}:\n"
        "        load_model(name)\n"
        "sys.exit(1 if 'torch._dynamo' in sys.modules else 0)\n"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
