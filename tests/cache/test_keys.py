"""Cache keys: equal for the same request however it is written, different for any
option, version or schema that changes the result (no torch)."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

import netviz
import netviz._version
from netviz.cache import TraceRequest
from netviz.cache import keys as keys_module
from netviz.cache.keys import spec_identity


def key(*args: object, **kwargs: object) -> str | None:
    return TraceRequest.of(*args, **kwargs).key()  # type: ignore[arg-type]


def test_the_same_request_written_differently_has_one_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert key("wrn28_2") == key(" wrn28_2 ")
    assert key("wrn28_2", (3, 32, 32)) == key("wrn28_2", [(3, 32, 32)]) == key("wrn28_2", [[3, 32, 32]])
    model = tmp_path / "net.py"
    model.write_text("")
    monkeypatch.chdir(tmp_path)
    assert key("net.py:Net") == key(f"{model}:Net") == key(f"{tmp_path}/../{tmp_path.name}/net.py:Net")
    assert key("wrn28_2", input_dtypes=["torch.float16"]) == key("wrn28_2", input_dtypes=["float16"])


def test_every_trace_option_is_part_of_the_key(tmp_path: Path) -> None:
    model = tmp_path / "net.py"
    model.write_text("")
    variants = [
        key("wrn28_2"),
        key("wrn28_4"),
        key("wrn28_2", (3, 64, 64)),
        key("wrn28_2", [(3, 32, 32), (3, 32, 32)]),
        key("wrn28_2", input_dtypes=["float16"]),
        key("wrn28_2", train=True),
        key("wrn28_2", inputs={"x": (3, 64, 64)}),
        key("wrn28_2", inputs={"x": "3,64,64:float16"}),
        key("wrn28_2", trust_remote_code=True),
        key(f"{model}:Net"),
        key(f"{model}:Other"),
    ]
    assert None not in variants and len(set(variants)) == len(variants)


def test_a_new_request_field_is_in_the_key_without_more_code() -> None:
    fields = keys_module.options_of(TraceRequest("wrn28_2"))
    assert set(fields) == {"spec", "input_shapes", "input_dtypes", "train", "inputs",
                           "trust_remote_code"}


def test_versions_and_the_ir_schema_are_part_of_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    before = key("wrn28_2")
    monkeypatch.setattr(keys_module, "torch_version", lambda: "9.9.9")
    torch_changed = key("wrn28_2")
    monkeypatch.setattr(netviz._version, "__version__", "9.9.9")
    netviz_changed = key("wrn28_2")
    monkeypatch.setattr("netviz.ir.serialize.schema_fingerprint", lambda: "0" * 16)
    schema_changed = key("wrn28_2")
    assert len({before, torch_changed, netviz_changed, schema_changed}) == 4


def test_torch_version_comes_from_metadata_without_importing_torch() -> None:
    code = (
        "import sys; from netviz.cache.keys import torch_version; v = torch_version(); "
        "print(v, 'torch' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    version, imported = done.stdout.split()
    assert imported == "False"
    assert version == metadata.version("torch")


def test_a_module_spec_depends_on_where_modules_are_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = key("pkg.mod:Net")
    monkeypatch.chdir(tmp_path)
    assert key("pkg.mod:Net") != before
    monkeypatch.syspath_prepend(str(tmp_path / "elsewhere"))
    assert spec_identity("pkg.mod:Net") != spec_identity("pkg.mod:Other")


@pytest.mark.parametrize(
    ("spec", "shapes"),
    [
        (object(), None),  # e.g. an nn.Module instance: never cached
        ("", None),
        ("missing/file.py:Net", None),
        ("wrn28_2", [(3, 0.5, 32)]),
        ("wrn28_2", []),
        ("wrn28_2", "3,32,32"),
    ],
)
def test_requests_that_are_not_cached(spec: object, shapes: object) -> None:
    assert key(spec, shapes) is None
