"""Issue 19's numbers table: the eight transformers architectures at their default configurations.

    python benchmarks/hf_eight.py [--only NAME ...] [--json FILE]

For each model (the gallery's eight, from ``hf:`` specs at the default configuration):

- **nodes**: of the folded figure (``netviz.diagram(spec)``), and whether a stack folded;
- **params**: netviz's count (the traced graph's, tied weights once) against
  ``sum(p.numel() for p in model.parameters())`` of the model built on the meta device
  (``parameters()`` yields a tied tensor once);
- **MACs**: netviz's count against an independent one: the same configuration built with
  ``attn_implementation="eager"`` (and eager experts), one forward on the same inputs
  under ``torch.utils.flop_counter.FlopCounterMode``, FLOPs / 2. The reference forward
  runs on the meta device (shapes only: any size); a model whose forward needs values
  there is built on the CPU instead when its weights take under 2 GB, else the column
  says why there is no reference. A mixture of experts whose eager experts need values
  (``nonzero``) on meta is counted with transformers' ``batched_mm`` experts instead
  (each token through its top-k experts as batched products: the active-expert
  convention), and the table says so;
- **peak RSS and time** of ``netviz render SPEC -o FILE.svg`` in a fresh process, netviz's
  cache off (``os.wait4``'s ``ru_maxrss``), beside ``python -c "import torch"``'s.

Each measurement runs in its own child process, so one model's memory does not hide
another's. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

MODELS = {
    "bert": "hf:BertModel",
    "gpt2": "hf:GPT2LMHeadModel",
    "llama": "hf:LlamaForCausalLM",
    "mixtral": "hf:MixtralForCausalLM",
    "t5": "hf:T5ForConditionalGeneration",
    "whisper": "hf:WhisperForConditionalGeneration",
    "clip": "hf:CLIPModel",
    "vit": "hf:ViTForImageClassification",
    "llama-base": "hf:LlamaModel",
}
"""Row name -> spec (the default-size Llama twice: with and without its LM head)."""

CPU_LIMIT = 2 << 30
"""Bytes of weights the reference may build on the CPU when meta cannot run it."""


def _quiet() -> None:
    import warnings

    warnings.simplefilter("ignore")
    import transformers

    transformers.logging.set_verbosity_error()


def netviz_counts(spec: str) -> dict[str, object]:
    """Nodes of the folded figure, and params/MACs of the trace (child side)."""
    _quiet()
    import netviz
    from netviz.ir.accounting import count_macs, count_params

    figure = netviz.diagram(spec).graph
    trace = netviz.trace(spec)
    folded = [c.title for c in figure.clusters if c.repeat > 1]
    return {"nodes": len(figure.nodes), "folded": folded, "params": count_params(trace),
            "macs": count_macs(trace)}


def _inputs(spec: str, device: str) -> dict[str, object]:
    """The inputs netviz makes for ``spec``, as tensors on ``device`` (ids zeros, as netviz
    makes them; floats noise)."""
    import torch

    from netviz.api import load_model

    loaded = load_model(spec)
    names = loaded.input_names or (None,) * len(loaded.input_shapes)
    dtypes = loaded.input_dtypes or ("float32",) * len(loaded.input_shapes)
    made: dict[str, object] = {}
    for name, shape, dtype in zip(names, loaded.input_shapes, dtypes):
        kind = getattr(torch, dtype)
        if kind.is_floating_point:
            made[str(name)] = torch.randn((1, *shape), dtype=kind, device=device)
        else:
            made[str(name)] = torch.zeros((1, *shape), dtype=kind, device=device)
    return made


def reference_counts(spec: str) -> dict[str, object]:
    """``sum(numel)`` on meta, and FlopCounterMode's MACs of an eager build (child side)."""
    _quiet()
    import torch
    import transformers
    from torch.utils.flop_counter import FlopCounterMode

    from netviz.huggingface.specs import hf_spec

    cls = getattr(transformers, hf_spec(spec).class_name)  # type: ignore[union-attr]

    def build(device: str) -> torch.nn.Module:
        config = cls.config_class(attn_implementation="eager", use_cache=False)
        with torch.device(device):
            model = cls(config)
        return model.eval()

    out: dict[str, object] = {}
    model = build("meta")
    out["params"] = sum(p.numel() for p in model.parameters())
    nbytes = sum(p.numel() * p.element_size() for p in model.parameters())
    # (device, experts implementation, an all-ones attention mask besides netviz's inputs,
    # what the column says): the mask changes no MAC, and spares transformers' mask code a
    # look at the positions' values, which meta tensors do not have
    attempts = [("meta", "eager", False, "eager, meta"),
                ("meta", "eager", True, "eager, meta, all-ones mask")]
    if hasattr(model, "set_experts_implementation"):
        attempts.append(("meta", "batched_mm", True,
                         "eager attention, batched_mm experts (eager ones need nonzero), meta"))
    if nbytes < CPU_LIMIT:
        attempts.append(("cpu", "eager", False, "eager, CPU"))
    errors = []
    for device, experts, mask, how in attempts:
        try:
            torch.manual_seed(0)
            model = build(device)
            if hasattr(model, "set_experts_implementation"):
                model.set_experts_implementation(experts)
            inputs = _inputs(spec, device)
            if mask:
                ids = next(v for k, v in inputs.items() if k.endswith("input_ids"))
                inputs["attention_mask"] = torch.ones_like(ids)  # type: ignore[call-overload]
            flops = FlopCounterMode(display=False)
            with torch.no_grad(), flops:
                model(**inputs)
            out["macs"] = flops.get_total_flops() // 2
            out["how"] = how
            break
        except Exception as exc:  # noqa: BLE001 - the next way, or the reason shown
            errors.append(f"{how}: {type(exc).__name__}: {' '.join(str(exc).split())[:100]}")
    out["errors"] = errors
    return out


def _child(kind: str, spec: str) -> dict[str, object]:
    command = [sys.executable, __file__, "--child", kind, spec]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def measured(command: list[str]) -> tuple[float, int, int]:
    """Wall seconds, peak RSS (bytes) and exit status of ``command`` in a fresh process."""
    env = {**os.environ, "NETVIZ_NO_CACHE": "1"}
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss * 1024, os.waitstatus_to_exitcode(status)


def _netviz() -> list[str]:
    return [sys.executable, "-m", "netviz"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", help="row names (default: all)")
    parser.add_argument("--json", help="also write the rows to this file")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, spec = args.child
        result = netviz_counts(spec) if kind == "netviz" else reference_counts(spec)
        print(json.dumps(result))
        return 0
    seconds, torch_rss, _ = measured([sys.executable, "-c", "import torch"])
    print(f"import torch: {torch_rss / 2**20:.0f} MB peak RSS, {seconds:.1f} s", flush=True)
    rows = []
    print("| model | spec | nodes | folded | params netviz | params sum(numel) | MACs netviz "
          "| MACs FlopCounterMode/2 | reference build | peak RSS | time |")
    print("|---|---|---:|---|---:|---:|---:|---:|---|---:|---:|", flush=True)
    for name, spec in MODELS.items():
        if args.only and name not in args.only:
            continue
        ours = _child("netviz", spec)
        ref = _child("reference", spec)
        with tempfile.TemporaryDirectory() as tmp:
            seconds, rss, status = measured([*_netviz(), "render", spec, "-o",
                                             f"{tmp}/{name}.svg"])
        row = {"name": name, "spec": spec, **{f"netviz_{k}": v for k, v in ours.items()},
               **{f"ref_{k}": v for k, v in ref.items()}, "rss": rss, "seconds": seconds,
               "status": status}
        rows.append(row)

        def num(value: object) -> str:
            return f"{value:,}" if isinstance(value, int) else str(value or "—")

        same = lambda a, b: " ✓" if a == b and a is not None else " ✗"  # noqa: E731
        params = num(ours.get("params")) + same(ours.get("params"), ref.get("params"))
        macs = num(ours.get("macs")) + same(ours.get("macs"), ref.get("macs"))
        failed = list(ref.get("errors", []) or [])
        how = str(ref.get("how") or "no reference")
        if failed or ref.get("error"):
            how += " (" + "; ".join(failed or [str(ref.get("error"))]) + ")"
        print(f"| {name} | `{spec}` | {ours.get('nodes', ours.get('error'))} "
              f"| {', '.join(ours.get('folded', [])) or '—'} | {params} "
              f"| {num(ref.get('params'))} | {macs} | {num(ref.get('macs'))} | {how} "
              f"| {rss / 2**20:.0f} MB | {seconds:.1f} s{'' if status == 0 else ' (failed)'} |",
              flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps({"import_torch_rss": torch_rss, "rows": rows},
                                              indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
