"""The default LlamaConfig (6.7 B parameters, 27 GB of float32 weights) is drawn and
summarized without allocating a weight: under an address-space limit far below its
weights, with a peak RSS close to what ``import torch`` alone takes.

Not a timing test: memory only (the benchmarks measure time).
"""

from __future__ import annotations

import os
import resource
import sys
from pathlib import Path

import pytest

ADDRESS_SPACE = 6 << 30
"""The child's address-space limit: a quarter of the model's weights."""

OVER_TORCH = 300 << 20
"""How much more than ``import torch`` the child may hold at its peak (the issue's bound;
transformers' own import takes about 120 MB of it)."""


def run_child(argv: list[str], env: dict[str, str]) -> tuple[int, int, str]:
    """``argv`` as a child under the limit: exit code, its own peak RSS in bytes, stderr."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))

    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: limit, then exec
        os.close(read)
        os.dup2(write, 2)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        limit()
        os.execve(argv[0], argv, env)
    os.close(write)
    with os.fdopen(read) as stderr:
        text = stderr.read()
    _, status, usage = os.wait4(pid, 0)
    return os.waitstatus_to_exitcode(status), usage.ru_maxrss * 1024, text


@pytest.mark.parametrize("command", [
    ["render", "hf:LlamaForCausalLM", "-o", "{out}/llama.dot"],
    ["summary", "hf:LlamaForCausalLM", "--by-group", "-o", "{out}/llama.txt"],
])
def test_the_default_llama_needs_no_weights(command: list[str], tmp_path: Path) -> None:
    env = {**os.environ, "NETVIZ_NO_CACHE": "1"}
    code, torch_peak, err = run_child([sys.executable, "-c", "import torch"], env)
    assert code == 0, err
    argv = [sys.executable, "-m", "netviz", *(a.format(out=tmp_path) for a in command)]
    code, peak, err = run_child(argv, env)
    assert code == 0, err
    assert peak - torch_peak < OVER_TORCH, (
        f"peak RSS {peak >> 20} MB, import torch {torch_peak >> 20} MB")
    written = next(tmp_path.iterdir()).read_text()
    assert "6,738,415,616" in written or "input_ids 128" in written
