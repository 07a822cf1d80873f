"""transformers specs: hf:CLASS and checkpoint folders, offline, remote code only when trusted."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import netviz
from netviz.cache import TraceRequest
from netviz.cli import main
from netviz.errors import ModelSpecError
from netviz.huggingface.specs import hf_spec
from tests.huggingface.configs import SMALL, spec

LLAMA = {"model_type": "llama", "architectures": ["LlamaForCausalLM"],
         **SMALL["LlamaForCausalLM"]}

CUSTOM_CODE = '''
import os
from pathlib import Path
from transformers import LlamaConfig, LlamaForCausalLM

Path(os.environ["NETVIZ_TEST_MARK"]).write_text("the checkpoint's code ran")


class TinyCustomConfig(LlamaConfig):
    model_type = "tiny_custom"


class TinyCustomModel(LlamaForCausalLM):
    config_class = TinyCustomConfig
'''


def checkpoint(folder: Path, config: dict[str, object]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(config))
    return folder


def custom_checkpoint(folder: Path) -> Path:
    """A folder whose config names its own modeling code (auto_map), which leaves a mark."""
    checkpoint(folder, {**LLAMA, "model_type": "tiny_custom", "architectures": ["TinyCustomModel"],
                        "auto_map": {"AutoConfig": "modeling_tiny.TinyCustomConfig",
                                     "AutoModelForCausalLM": "modeling_tiny.TinyCustomModel"}})
    (folder / "modeling_tiny.py").write_text(CUSTOM_CODE)
    return folder


def one_line_error(argv: list[str], capsys) -> str:  # type: ignore[no-untyped-def]
    code = main(argv)
    captured = capsys.readouterr()
    assert code != 0 and captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("netviz: error: "), captured.err
    return lines[0]


def test_which_specs_name_a_transformers_model(tmp_path: Path) -> None:
    folder = checkpoint(tmp_path / "llama", LLAMA)
    assert hf_spec("hf:GPT2Model").class_name == "GPT2Model"  # type: ignore[union-attr]
    assert hf_spec("HF:GPT2Model(n_layer=2)").call.kwargs == (("n_layer", 2),)  # type: ignore[union-attr]
    assert hf_spec(str(folder)).config_file == str(folder / "config.json")  # type: ignore[union-attr]
    assert hf_spec(str(folder / "config.json")).folder == str(folder)  # type: ignore[union-attr]
    for other in ("wrn28_2", "wrn28_2(num_classes=10)", "pkg.mod:attr", "file.py:attr",
                  str(tmp_path)):  # a folder without config.json is no checkpoint
        assert hf_spec(other) is None
    for bad in ("hf:", "hf:not a class", "hf:GPT2Model(2)"):
        with pytest.raises(ModelSpecError, match="malformed model spec"):
            hf_spec(bad)


@pytest.mark.parametrize("argv, words", [
    (["hf:GPT2LMHeadModle"], r"transformers has no class 'GPT2LMHeadModle'; did you mean: "
                              r"GPT2LMHeadModel"),
    (["hf:GPT2Config"], r"GPT2Config is not a transformers model class"),
    (["hf:GPT2Model(2)"], r"configuration values are keyword arguments"),
    (["hf:GPT2Model(n_embd=33, n_head=2)"], r"cannot build model .*divisible"),
    (["missing/config.json"], r"no such file 'missing/config.json'"),
])
def test_bad_specs_fail_with_one_line(argv: list[str], words: str, capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import re

    line = one_line_error(["render", *argv, "-o", str(tmp_path / "d.dot")], capsys)
    assert re.search(words, line), line
    assert not (tmp_path / "d.dot").exists()


def test_a_config_with_its_own_code_is_refused_without_the_flag(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    folder = custom_checkpoint(tmp_path / "custom")
    monkeypatch.setenv("NETVIZ_TEST_MARK", str(folder / "ran"))
    line = one_line_error(["render", str(folder), "-o", str(tmp_path / "d.dot")], capsys)
    assert "names modeling code of its own (auto_map: AutoConfig -> " in line
    assert "--trust-remote-code" in line
    assert not (folder / "ran").exists()  # nothing of the folder's ran
    with pytest.raises(ModelSpecError, match="trust_remote_code=True"):
        netviz.trace(str(folder / "config.json"))
    assert not (folder / "ran").exists()


def test_trust_remote_code_runs_the_checkpoints_code(tmp_path: Path) -> None:
    """In a child process: transformers copies the code to HF_MODULES_CACHE, read at import."""
    folder = custom_checkpoint(tmp_path / "custom")
    env = {**os.environ, "HF_HOME": str(tmp_path / "hf"), "NETVIZ_NO_CACHE": "1",
           "NETVIZ_TEST_MARK": str(folder / "ran")}
    out = tmp_path / "s.json"
    done = subprocess.run(
        [sys.executable, "-m", "netviz", "summary", str(folder), "--trust-remote-code",
         "--format", "json", "-o", str(out)], capture_output=True, text=True, env=env,
        check=False)
    assert done.returncode == 0, done.stderr
    assert (folder / "ran").exists()
    assert json.loads(out.read_text())["model"] == "TinyCustomModel"


def test_a_checkpoint_is_read_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No socket is opened: configuration and code come from the folder only."""
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("netviz touched the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    folder = checkpoint(tmp_path / "llama", LLAMA)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        graph = netviz.trace(str(folder))
    assert graph.name == "LlamaForCausalLM"


def test_a_config_without_architectures_builds_the_base_model(tmp_path: Path) -> None:
    config = {k: v for k, v in LLAMA.items() if k != "architectures"}
    folder = checkpoint(tmp_path / "base", config)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert netviz.trace(str(folder)).name == "LlamaModel"


def test_the_cache_key_follows_the_config_files_content(tmp_path: Path) -> None:
    folder = checkpoint(tmp_path / "llama", LLAMA)
    by_folder = TraceRequest.of(str(folder)).key()
    assert by_folder == TraceRequest.of(str(folder / "config.json")).key()
    checkpoint(folder, {**LLAMA, "num_hidden_layers": 3})
    assert TraceRequest.of(str(folder)).key() not in (None, by_folder)
    assert TraceRequest.of(spec("GPT2LMHeadModel")).key() != TraceRequest.of(
        "hf:GPT2LMHeadModel").key()
    assert TraceRequest.of(str(folder), trust_remote_code=True).key() != TraceRequest.of(
        str(folder)).key()


def test_a_cached_checkpoint_is_traced_again_when_its_config_changes(tmp_path: Path) -> None:
    folder = checkpoint(tmp_path / "llama", LLAMA)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        two = netviz.trace(str(folder))
        checkpoint(folder, {**LLAMA, "num_hidden_layers": 3})
        three = netviz.trace(str(folder))
    assert sum(n.params for n in three.nodes) > sum(n.params for n in two.nodes)


def test_transformers_stays_optional() -> None:
    """Importing netviz and drawing a registered model never imports transformers; an hf:
    spec without transformers says how to get it, in one line."""
    code = (
        "import sys\n"
        "import netviz\n"
        "netviz.render('wrn28_2', 'dot')\n"
        "assert 'transformers' not in sys.modules, 'transformers was imported'\n"
        "sys.modules['transformers'] = None  # as if it were not installed\n"
        "from netviz.errors import ModelSpecError\n"
        "try:\n"
        "    netviz.trace('hf:GPT2Model')\n"
        "except ModelSpecError as exc:\n"
        "    print(exc)\n"
    )
    env = {**os.environ, "NETVIZ_NO_CACHE": "1"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        "cannot load model spec 'hf:GPT2Model': it names a transformers model and the "
        "transformers package is not installed (pip install transformers)")
