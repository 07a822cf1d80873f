#!/usr/bin/env python
"""Time and memory of ``netviz render`` against its floors: ``import torch``, and the build floor.

Any CLI that draws a PyTorch model imports torch, and netviz ends with ``os._exit``
(no interpreter teardown), so the first floor is ``python -c "import os, torch; os._exit(0)"``;
plain ``python -c "import torch"`` (with teardown) is a reference row. Any tool must also
build the model: the *build floor* of a model (its ``build`` row) is ``import torch``, the
model built on the meta device with weight initialisers as no-ops (as netviz builds it),
``os._exit`` (issue 22). Each model is drawn as SVG twice over: *cold*
(``NETVIZ_NO_CACHE=1``: load, trace, transform, ``dot``) and *warm* (netviz's cache on,
primed by one unmeasured run: an unchanged model drawn again; its SVG must be
byte-identical to the cold one). Every case runs as its own subprocess, ``--repeat``
times, interleaved round-robin so that machine noise hits all cases alike (each cold
render right next to its build floor, in turns first and second); the table
shows the median wall time, its ratio to ``import torch`` and (cold rows) to the model's
build floor, the CPU-time ratio, the peak RSS (from ``wait4``, i.e. that process alone)
and its excess, with PASS/MISS against the targets of issue 22 (cold <= 1.10x the build
floor with RSS <= the build floor's + 50 MB, warm <= 0.10x import torch). If
``torchview`` is importable the same models are drawn with it for comparison (its
defaults: ``depth=3``; DOT source only, no layout; no targets).

Usage:
    .venv/bin/python benchmarks/bench_render.py [--repeat 5] [--only wrn28_2,resnet152]
        [--no-torchview] [--timeout 600] [--json results.json] [--check]

Not part of the test suite: timings depend on the machine, so nothing here asserts.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RSS_TARGET_MB = 50.0
"""Peak RSS may exceed the floor's by at most this much (a cold render: its build floor's)."""

COLD_TARGET = 1.10
"""A cold render (cache off) may take at most this multiple of its model's build floor."""
WARM_TARGET = 0.10
"""A warm render (cache on, model unchanged) may take at most this multiple of import torch."""

WRN1000 = textwrap.dedent(
    '''
    """WRN-1000-2, the deep case of the benchmark."""
    from netviz_models.wideresnet import WideResNet


    def wrn1000_2():
        return WideResNet(1000, 2)
    '''
)


@dataclass(frozen=True)
class Model:
    """A benchmarked model: its name in the table and the ``netviz render`` arguments
    naming it (``{tmp}`` is the benchmark's temporary folder); ``fx``: torch.fx's stock
    tracer can trace it (a ``build+fx`` row)."""

    name: str
    spec: tuple[str, ...]
    fx: bool = True


LLAMA_70B = ("hf:LlamaModel(hidden_size=8192, intermediate_size=28672, num_hidden_layers=80, "
             "num_attention_heads=64, num_key_value_heads=8, vocab_size=128256)")
"""A Llama-3-70B-shaped configuration (its published sizes) of transformers' ``LlamaModel``."""
DEEPSEEK_V3 = "hf:DeepseekV3Model"
"""transformers' ``DeepseekV3Config`` defaults are DeepSeek-V3's shape: 61 layers, 256 routed
experts (8 per token), multi-head latent attention."""


MODELS = (
    Model("wrn28_2", ("wrn28_2",)),
    Model("resnet152", ("resnet152",)),
    Model("wrn1000_2", ("{tmp}/wrn1000.py:wrn1000_2", "--input-shape", "3,32,32")),
    # the largest models of the zoo, at the size torchvision publishes (one line per case)
    Model("densenet121", ("netviz_models.densenet:densenet121", "--input-shape", "3,224,224")),
    Model("googlenet", ("netviz_models.inception:googlenet", "--input-shape", "3,224,224")),
    Model("vit_b_16", ("netviz_models.vit:vit_b_16", "--input-shape", "3,224,224")),
    # transformers models at full size, built on meta (transformers must be installed)
    Model("llama_70b", (LLAMA_70B,), fx=False),
    Model("deepseek_v3", (DEEPSEEK_V3,), fx=False),
)

# torchview draws a real (CPU) model, loaded from the same spec by netviz's registry.
TORCHVIEW = textwrap.dedent(
    '''
    import sys
    from netviz.registry import load_model
    from torchview import draw_graph

    spec, shape_args, out = sys.argv[1], sys.argv[2:-1], sys.argv[-1]
    shapes = [tuple(int(d) for d in a.split(",")) for a in shape_args] or None
    loaded = load_model(spec, shapes, device="cpu")
    sizes = [(1, *shape) for shape in loaded.input_shapes]
    graph = draw_graph(loaded.module, input_size=sizes, device="cpu", save_graph=False)
    with open(out, "w") as f:
        f.write(graph.visual_graph.source)
    '''
)


# What any tracing CLI must do before drawing: import torch, build the model (netviz's
# own fastest way: on meta, weight initialisers skipped) and, with "fx", trace it with
# torch.fx's stock tracer. The "build" row is the model's build floor, which its cold
# render is held to; "build+fx" shows what torch.fx's own tracer adds. Both run with the
# garbage collector off, as netviz's CLI does (building a deep model with it on costs
# 0.1-0.25 s more CPU: a floor with it would flatter netviz).
MUST_DO = textwrap.dedent(
    '''
    import gc, os, sys
    gc.disable()  # as netviz's CLI runs a command (netviz.cli.run): a floor must not pay more
    import torch
    from netviz.registry import load_model

    spec, fx, shape_args = sys.argv[1], sys.argv[2] == "fx", sys.argv[4::2]
    shapes = [tuple(int(d) for d in a.split(",")) for a in shape_args] or None
    module = load_model(spec, shapes).module
    if fx:
        torch.fx.symbolic_trace(module)
    os._exit(0)
    '''
)


@dataclass
class Case:
    """One command to measure."""

    name: str
    tool: str
    argv: list[str]
    target: float | None = None  # max ratio to the floor
    output: Path | None = None
    env: dict[str, str] = field(default_factory=dict)  # added to the environment
    same_as: Path | None = None  # output that must be byte-identical (the cold render's)
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)
    error: str | None = None

    @property
    def time(self) -> float:
        return statistics.median(self.times)

    @property
    def cpu_time(self) -> float:
        return statistics.median(self.cpu)

    @property
    def rss_mb(self) -> float:
        return statistics.median(self.rss_kb) / 1024.0


@dataclass
class Run:
    """One finished subprocess."""

    wall: float  # seconds
    cpu: float  # user + system seconds (less sensitive to a busy machine than wall time)
    rss_kb: int  # peak resident set size
    code: int
    tail: str  # last lines of stderr


def run_once(argv: list[str], timeout: float, env: dict[str, str] | None = None) -> Run:
    """Run ``argv`` (with ``env`` added to the environment) and measure it."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv, stdout=subprocess.DEVNULL, stderr=err, cwd=REPO, env={**os.environ, **(env or {})}
        )
        deadline = start + timeout
        while True:  # wait4 on this pid gives this child's own rusage
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                proc.returncode = -9
                cpu = usage.ru_utime + usage.ru_stime
                return Run(timeout, cpu, usage.ru_maxrss, -9, f"timed out after {timeout:.0f}s")
            time.sleep(0.005)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        tail = err.read().decode("utf-8", "replace").strip().splitlines()[-3:]
    cpu = usage.ru_utime + usage.ru_stime
    return Run(wall, cpu, usage.ru_maxrss, proc.returncode, " | ".join(tail))


def netviz_argv() -> list[str]:
    script = Path(sys.executable).with_name("netviz")
    return [str(script)] if script.exists() else [sys.executable, "-m", "netviz"]


def build_cases(tmp: Path, only: set[str] | None, torchview: bool) -> tuple[Case, list[Case], str]:
    """The floor, the reference rows, the netviz cases and (maybe) torchview's; plus a note."""
    (tmp / "wrn1000.py").write_text(WRN1000)
    floor = Case("import torch", "floor", [sys.executable, "-c", "import os, torch; os._exit(0)"])
    cases: list[Case] = [
        Case("import torch", "reference", [sys.executable, "-c", "import torch"]),
        Case("--help", "netviz", [*netviz_argv(), "--help"]),
    ]
    models = [m for m in MODELS if not only or m.name in only]
    cold = {"NETVIZ_NO_CACHE": "1"}
    warm = {"NETVIZ_NO_CACHE": "", "NETVIZ_CACHE_DIR": str(tmp / "cache")}
    for model in models:
        spec = [arg.replace("{tmp}", str(tmp)) for arg in model.spec]
        out = tmp / f"cold-{model.name}.svg"
        argv = [*netviz_argv(), "render", *spec, "-o", str(out)]
        cases.append(Case(model.name, "cold", argv, COLD_TARGET, out, cold))
    must_do = tmp / "must_do.py"
    must_do.write_text(MUST_DO)
    for step in ("build", "build+fx"):
        for model in models:
            if step == "build+fx" and not model.fx:
                continue
            spec = [arg.replace("{tmp}", str(tmp)) for arg in model.spec]
            argv = [sys.executable, str(must_do), spec[0], step.removeprefix("build+"), *spec[1:]]
            cases.append(Case(model.name, step, argv))
    for model in models:
        spec = [arg.replace("{tmp}", str(tmp)) for arg in model.spec]
        out = tmp / f"warm-{model.name}.svg"
        argv = [*netviz_argv(), "render", *spec, "-o", str(out)]
        cases.append(Case(model.name, "warm", argv, WARM_TARGET, out, warm, tmp / f"cold-{model.name}.svg"))
    note = (
        "floor: import torch, then os._exit (netviz ends that way too); reference: import torch "
        "with the interpreter's teardown\ncold: NETVIZ_NO_CACHE=1; warm: netviz's cache on, "
        "primed by one unmeasured run (same SVG bytes as cold: 'same')\n"
        "build: the build floor: import torch + build the model on meta as netviz does "
        "(initialisers as no-ops, garbage collector off as in netviz's CLI) + os._exit; "
        "build+fx: and torch.fx.symbolic_trace it (models torch.fx can trace)"
    )
    if not torchview:
        note += "\ntorchview: skipped (--no-torchview)"
    elif importlib.util.find_spec("torchview") is None:
        note += "\ntorchview: not installed, skipped (pip install torchview to compare)"
    else:
        script = tmp / "torchview_render.py"
        script.write_text(TORCHVIEW)
        for model in models:
            spec = [arg.replace("{tmp}", str(tmp)) for arg in model.spec]
            shapes = spec[2::2] if len(spec) > 1 else []
            out = tmp / f"torchview-{model.name}.dot"
            argv = [sys.executable, str(script), spec[0], *shapes, str(out)]
            cases.append(Case(model.name, "torchview", argv, None, out))
    return floor, cases, note


def prime(cases: list[Case], timeout: float) -> None:
    """One unmeasured run of every warm case: fills netviz's cache."""
    for case in cases:
        if case.tool == "warm":
            run = run_once(case.argv, timeout, case.env)
            if run.code != 0:
                case.error = f"priming run: exit {run.code}: {run.tail}"


def measure(floor: Case, cases: list[Case], repeat: int, timeout: float) -> None:
    """Run everything ``repeat`` times round-robin (after one discarded warm-up of the floor)."""
    # netviz's bytecode, as a regular install has it (PYTHONDONTWRITEBYTECODE would
    # otherwise make every run compile netviz again, which `import torch` never does)
    for package in ("netviz", "models"):
        compileall.compile_dir(REPO / package, quiet=1)
    run_once(floor.argv, timeout)  # warm the page cache for torch's shared libraries
    prime(cases, timeout)
    for i in range(repeat):
        for case in [floor, *in_pairs(cases, i)]:
            if case.error:
                continue
            if case.output is not None and case.output.exists():
                case.output.unlink()
            run = run_once(case.argv, timeout, case.env)
            if run.code != 0:
                case.error = f"exit {run.code}: {run.tail}" if run.code != -9 else run.tail
                continue
            if case.output is not None and (not case.output.exists() or case.output.stat().st_size == 0):
                case.error = "no output file written"
                continue
            case.times.append(run.wall)
            case.cpu.append(run.cpu)
            case.rss_kb.append(run.rss_kb)
            print(
                f"  run {i + 1}/{repeat} {case.tool:9} {case.name:12} {run.wall:6.2f}s "
                f"(cpu {run.cpu:6.2f}s) {run.rss_kb / 1024:7.1f} MB",
                file=sys.stderr,
                flush=True,
            )


def in_pairs(cases: list[Case], round_: int) -> list[Case]:
    """``cases`` in the order of round ``round_``: each model's build floor right next to
    its cold render (the two a ratio is made of), build first in even rounds and cold
    first in odd ones, so that the machine's drift in speed hits both alike."""
    builds = {c.name: c for c in cases if c.tool == "build"}
    order: list[Case] = []
    for case in cases:
        if case.tool == "build":
            continue  # placed with its cold render
        pair = builds.pop(case.name, None) if case.tool == "cold" else None
        if pair is None:
            order.append(case)
        else:
            order += [pair, case] if round_ % 2 == 0 else [case, pair]
    return order + list(builds.values())


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def report(floor: Case, cases: list[Case], note: str) -> tuple[list[dict[str, object]], bool]:
    """Print the table; return its rows and whether every target was met.

    A cold row's target, ``cpu x`` and ``+MB`` are against its model's build floor (the
    ``build`` row: import torch, build the model on meta, ``os._exit``); every other row's
    against the ``import torch`` floor. ``x torch`` is every row's wall-time ratio to
    ``import torch``, ``x build`` a cold row's to its build floor."""
    if floor.error:
        raise SystemExit(f"bench_render: the floor failed: {floor.error}")
    builds = {c.name: c for c in cases if c.tool == "build" and not c.error}
    header = (
        f"{'tool':9} {'case':12} {'median s':>8} {'x torch':>8} {'x build':>8} {'max x':>6} "
        f"{'':>5} {'cpu x':>6} {'peak MB':>8} {'+MB':>7} {'':>5}  output"
    )
    print(header)
    print("-" * len(header))
    print(
        f"{'floor':9} {floor.name:12} {floor.time:8.2f} {1.0:8.2f} {'':>8} {'':>6} {'':>5} "
        f"{1.0:6.2f} {floor.rss_mb:8.1f}"
    )
    rows: list[dict[str, object]] = [
        {
            "tool": "floor",
            "case": "import torch",
            "seconds": floor.time,
            "cpu_seconds": floor.cpu_time,
            "rss_mb": floor.rss_mb,
        }
    ]
    all_ok = True
    for case in cases:
        if case.error:
            print(f"{case.tool:9} {case.name:12} FAILED: {case.error}")
            rows.append({"tool": case.tool, "case": case.name, "error": case.error})
            all_ok = all_ok and case.target is None
            continue
        to_torch = case.time / floor.time
        base = builds.get(case.name) if case.tool == "cold" else None
        if case.tool == "cold" and base is None:
            print(f"{case.tool:9} {case.name:12} FAILED: no build floor to compare with")
            rows.append({"tool": case.tool, "case": case.name, "error": "no build floor"})
            all_ok = False
            continue
        ref = base or floor
        ratio = case.time / ref.time
        cpu_ratio = case.cpu_time / ref.cpu_time
        extra = case.rss_mb - ref.rss_mb
        size = case.output.stat().st_size if case.output and case.output.exists() else 0
        same = _same_bytes(case)
        row: dict[str, object] = {
            "tool": case.tool,
            "case": case.name,
            "seconds": case.time,
            "ratio_to_import_torch": to_torch,
            "ratio": ratio,
            "ratio_of": "build floor" if base else "import torch",
            "cpu_seconds": case.cpu_time,
            "cpu_ratio": cpu_ratio,
            "rss_mb": case.rss_mb,
            "rss_over_floor_mb": extra,
            "output_bytes": size,
        }
        if same is not None:
            row["same_as_cold"] = same
            all_ok = all_ok and same
        if case.target is not None:
            t_ok, m_ok = ratio <= case.target, extra <= RSS_TARGET_MB
            all_ok = all_ok and t_ok and m_ok
            row.update(target=case.target, time_ok=t_ok, rss_ok=m_ok)
            marks = f"{case.target:6.2f} {verdict(t_ok):>5}"
            mem = f"{verdict(m_ok):>5}"
        else:
            marks, mem = f"{'':>6} {'':>5}", f"{'':>5}"
        build = f"{ratio:8.2f}" if base else f"{'':>8}"
        print(
            f"{case.tool:9} {case.name:12} {case.time:8.2f} {to_torch:8.2f} {build} {marks} "
            f"{cpu_ratio:6.2f} {case.rss_mb:8.1f} {extra:7.1f} {mem}  "
            f"{f'{size:,} B' if case.output else ''}"
            + ("" if same is None else " same" if same else " DIFFERENT from cold")
        )
        rows.append(row)
    print(
        f"targets: cold: wall time <= 'max x' times the model's build floor ('x build') and "
        f"peak RSS <= the build floor's + {RSS_TARGET_MB:.0f} MB; warm: <= 'max x' times "
        "import torch ('x torch'); 'cpu x': user+sys time ratio to the same floor as the "
        "target (steadier on a busy machine)"
    )
    if note:
        print(note)
    return rows, all_ok


def _same_bytes(case: Case) -> bool | None:
    """Whether the case's output equals the one it must equal (``None``: no such check)."""
    if case.same_as is None or case.output is None:
        return None
    try:
        return case.output.read_bytes() == case.same_as.read_bytes()
    except OSError:
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per command (median is shown)")
    parser.add_argument(
        "--only", help=f"comma-separated models: {','.join(m.name for m in MODELS)}"
    )
    parser.add_argument("--no-torchview", dest="torchview", action="store_false")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per run")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be >= 1")

    only = set(args.only.split(",")) if args.only else None
    print(
        f"python {sys.version.split()[0]} ({sys.executable}); {os.cpu_count()} CPUs; "
        f"dot: {shutil.which('dot') or 'missing'}; {args.repeat} runs each, median",
        file=sys.stderr,
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="netviz-bench-") as tmp:
        floor, cases, note = build_cases(Path(tmp), only, args.torchview)
        measure(floor, cases, args.repeat, args.timeout)
        rows, all_ok = report(floor, cases, note)
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "all_targets_met": all_ok}, indent=2) + "\n")
    return 1 if args.check and not all_ok else 0


if __name__ == "__main__":
    sys.exit(main())
