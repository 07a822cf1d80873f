"""Sweep: does netviz draw every kind of model transformers has, from its default config?

For each base model transformers lists (``MODEL_MAPPING_NAMES``: one per model type), a
child process

1. builds the class from its default configuration on the meta device, as a user would
   (``with torch.device("meta"): Class(Config())``), and counts its parameters
   (``sum(p.numel() for p in model.parameters())``, each shared tensor once): the
   reference. A model that does not build is left out of the rate (transformers'
   problem, not netviz's);
2. has netviz trace ``hf:Class`` with no input flags (netviz builds it and makes its
   inputs), checks that the graph's parameters equal the reference exactly, and renders
   the diagram (the notation transforms and the DOT renderer; no Graphviz layout).

Each child runs with a one-minute limit of CPU time (``RLIMIT_CPU``: at low priority on
a shared machine, wall time would measure the other work) and an 8 GB address-space
limit (``RLIMIT_AS``), forked from a parent that has imported torch, transformers and
netviz once (so the minute is netviz's, not the imports'). The report gives the rate
(rendered with exact parameters / built) and the failures grouped by cause; a model
whose default inputs reach only part of it (a multimodal model fed text: its vision
tower never runs) draws fewer parameters than the model holds: the report says how many such
models there are, and which share of their parameters each draws; a count above the model's
is an error.

    nice -n 19 python benchmarks/hf_sweep.py                 # all (~30-60 min on 2 cores)
    python benchmarks/hf_sweep.py --only llama,bert,t5       # some model types
    python benchmarks/hf_sweep.py --limit 50 --json out.json # the first 50, results kept
    python benchmarks/hf_sweep.py --shard 0/2 --json a.json & # two at once, then
    python benchmarks/hf_sweep.py --shard 1/2 --json b.json; python benchmarks/hf_sweep.py --report a.json b.json
    python benchmarks/hf_sweep.py --only x,y --json again.json  # re-run some, then
    python benchmarks/hf_sweep.py --report a.json b.json again.json  # the last record wins

It needs transformers (the ``test`` extra). Run it in a venv with timm too, or models
with timm backbones are counted as not building.
"""

from __future__ import annotations

import argparse
import collections
import json
import multiprocessing
import os
import re
import resource
import shutil
import signal
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TIMEOUT_S = 60
"""CPU seconds a child may use (``RLIMIT_CPU``): on a shared machine, at low priority, the
wall time measures the other work as much as netviz."""
WALL_TIMEOUT_S = 1800
"""Wall-clock guard against a child that hangs (at nice 19 on a loaded machine, a minute of
CPU time can take many minutes of wall time)."""
ADDRESS_SPACE = 8 << 30


def base_models() -> list[tuple[str, str]]:
    """``(model_type, class name)`` of every base model transformers lists."""
    from transformers.models.auto.modeling_auto import MODEL_MAPPING_NAMES

    found = []
    for model_type, names in MODEL_MAPPING_NAMES.items():
        name = names if isinstance(names, str) else names[0]
        found.append((model_type, name))
    return found


def first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:240] if text else ''}"


def one(model_type: str, name: str) -> dict[str, Any]:
    """Build the reference, then trace and render ``hf:<name>`` (runs in the child)."""
    import torch
    import transformers
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING

    import netviz
    from netviz.diagrams import Diagram
    from netviz.errors import NetvizError

    record: dict[str, Any] = {"type": model_type, "class": name}
    started = time.perf_counter()
    try:
        cls = getattr(transformers, name)
        with torch.device("meta"):
            reference = cls(CONFIG_MAPPING[model_type]())
        record["reference"] = sum(p.numel() for p in reference.parameters())
    except Exception as exc:  # noqa: BLE001 - transformers' own failure
        record.update(stage="build", error=first_line(exc))
        return record
    try:
        graph = netviz.trace(f"hf:{name}")
        record["params"] = sum(node.params for node in graph.nodes)
        record["nodes"] = len(graph.nodes)
        record["inputs"] = [f"{n.id}={'x'.join(map(str, n.shape or ()))}"
                            for n in graph.nodes if n.kind.value == "input"]
        figure = Diagram.of(graph)  # the notation: what is drawn
        record["figure_nodes"] = len(figure.graph.nodes)
        assert figure.dot  # and the DOT renderer (a property)
    except NetvizError as exc:
        record.update(stage="netviz", error=first_line(exc))
    except Exception as exc:  # noqa: BLE001 - a netviz bug: report it as such
        record.update(stage="bug", error=first_line(exc))
    record["seconds"] = round(time.perf_counter() - started, 2)
    usage = resource.getrusage(resource.RUSAGE_SELF)  # the child's own: what RLIMIT_CPU counts
    record["cpu_seconds"] = round(usage.ru_utime + usage.ru_stime, 2)
    if "error" not in record and record["params"] > record["reference"]:
        record.update(stage="params", error=f"params {record['params']:,} > "
                                             f"reference {record['reference']:,}")
    return record


def _child(model_type: str, name: str, conn: Any) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
    resource.setrlimit(resource.RLIMIT_CPU, (TIMEOUT_S, TIMEOUT_S + 5))
    os.environ["NETVIZ_NO_CACHE"] = "1"
    warnings.simplefilter("ignore")
    import torch

    torch.set_num_threads(1)
    try:
        record = one(model_type, name)
    except MemoryError:
        record = {"type": model_type, "class": name, "stage": "memory",
                  "error": "MemoryError (8 GB address space)"}
    conn.send(record)
    conn.close()


def run(model_type: str, name: str) -> dict[str, Any]:
    """``one`` in a forked child with the time and memory limits."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(model_type, name, send))
    started = time.perf_counter()
    child.start()
    send.close()
    record = None
    if receive.poll(WALL_TIMEOUT_S):
        try:
            record = receive.recv()
        except EOFError:
            record = None
    child.join(5)
    if child.is_alive():
        child.kill()
        child.join()
    if record is None:
        cpu_limit = child.exitcode in (-signal.SIGXCPU, -signal.SIGKILL) and (
            time.perf_counter() - started < WALL_TIMEOUT_S)
        wall = time.perf_counter() - started >= WALL_TIMEOUT_S
        record = {"type": model_type, "class": name,
                  "stage": "timeout" if cpu_limit or wall else "crash",
                  "error": f"over {TIMEOUT_S} s of CPU time" if cpu_limit
                  else f"over {WALL_TIMEOUT_S} s of wall time" if wall
                  else f"the child died (exit code {child.exitcode})"}
    return record


def cause(record: dict[str, Any]) -> str:
    """A failure's cause, with numbers and quoted names blurred so alike failures group."""
    text = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", record["error"])
    text = re.sub(r"\d[\d,.]*", "N", text)
    return f"{record['stage']}: {text[:150]}"


def report(records: list[dict[str, Any]]) -> str:
    built = [r for r in records if r.get("stage") != "build"]
    ok = [r for r in built if "error" not in r]
    whole = [r for r in ok if r["params"] == r["reference"]]
    lines = [
        f"transformers base models: {len(records)}; built from their default config on meta: "
        f"{len(built)}",
        f"netviz rendered: {len(ok)} / {len(built)} = {100 * len(ok) / max(len(built), 1):.1f} %",
        f"  with every parameter in the figure (graph = sum(p.numel() for p in "
        f"model.parameters())): {len(whole)} / {len(built)} = "
        f"{100 * len(whole) / max(len(built), 1):.1f} %",
        f"  with fewer (the default inputs reach part of the model, such as a multimodal "
        f"model fed text, or modules hold weights this forward never applies): "
        f"{len(ok) - len(whole)}; more (counted twice): "
        f"{sum(1 for r in built if r.get('stage') == 'params')}",
    ]
    partial = sorted((r for r in ok if r["params"] != r["reference"]),
                     key=lambda r: r["params"] / r["reference"])
    if partial:
        lines.append("    " + ", ".join(f"{r['type']} {100 * r['params'] / r['reference']:.0f} %"
                                          for r in partial))
    drawn = sorted(r["figure_nodes"] for r in ok if "figure_nodes" in r)
    if drawn:
        lines.append(f"nodes drawn (folded figure): median {drawn[len(drawn) // 2]}, "
                     f"<= 40: {sum(n <= 40 for n in drawn)}, <= 60: {sum(n <= 60 for n in drawn)}"
                     f" of {len(drawn)}; most {drawn[-1]}")
    if ok:
        seconds = sorted(r["seconds"] for r in ok)
        lines.append(f"time per model: median {seconds[len(seconds) // 2]:.1f} s, "
                     f"max {seconds[-1]:.1f} s (wall)")
        cpu = sorted(r["cpu_seconds"] for r in ok if "cpu_seconds" in r)
        if cpu:
            lines.append(f"CPU time per model: median {cpu[len(cpu) // 2]:.1f} s, "
                         f"max {cpu[-1]:.1f} s (of {len(cpu)} records that have it)")
    commits = collections.Counter(r.get("commit") or "?" for r in records)
    lines.append("records by commit: " + ", ".join(f"{c} {n}" for c, n in commits.most_common()))
    groups: dict[str, list[str]] = collections.defaultdict(list)
    for record in built:
        if "error" in record:
            groups[cause(record)].append(record["type"])
    lines.append("")
    lines.append("failures by cause:")
    for text, types in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0])):
        lines.append(f"{len(types):4d}  {text}")
        lines.append(f"      {', '.join(sorted(types))}")
    not_built = collections.Counter(cause(r) for r in records if r.get("stage") == "build")
    if not_built:
        lines.append("")
        lines.append(f"not built by transformers itself ({sum(not_built.values())}):")
        for text, count in not_built.most_common():
            lines.append(f"{count:4d}  {text}")
    return "\n".join(lines)


def _commit() -> str:
    """The working copy's commit (``+`` when it has changes): what the records measured."""
    import subprocess

    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    head = git("rev-parse", "--short", "HEAD")
    return head + ("+" if head and git("status", "--porcelain", "--", "netviz") else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="comma-separated model types (e.g. llama,bert), run in "
                                       "that order")
    parser.add_argument("--limit", type=int, help="the first N model types only")
    parser.add_argument("--json", help="write every record to this file")
    parser.add_argument("--shard", metavar="I/N",
                        help="every N-th model type from the I-th (0-based): run N at once")
    parser.add_argument("--report", nargs="+", metavar="JSON",
                        help="only print the report of earlier --json files (shards); a model "
                             "type in several files counts once, by its record in the last")
    args = parser.parse_args()
    if args.report:
        latest: dict[str, dict[str, Any]] = {}  # a model type run again: its later record
        for name in args.report:
            for record in json.loads(Path(name).read_text()):
                latest[record["type"]] = record
        print(report(sorted(latest.values(), key=lambda r: r["type"])))
        return
    warnings.simplefilter("ignore")
    # A snapshot of netviz, first on the path: the children import some modules late, and
    # the sweep runs for an hour, during which the working copy may change.
    snapshot = Path(tempfile.mkdtemp(prefix="hf-sweep-"))
    shutil.copytree(ROOT / "netviz", snapshot / "netviz",
                    ignore=shutil.ignore_patterns("__pycache__"))
    sys.path.insert(0, str(snapshot))
    import torch  # noqa: F401 - imported once, before the children fork
    import transformers

    import netviz.api  # noqa: F401 - and netviz, as it is now
    import netviz.huggingface.inputs  # noqa: F401
    import netviz.summaries.collect  # noqa: F401

    transformers.logging.set_verbosity_error()
    models = base_models()
    if args.only:
        order = {name: index for index, name in enumerate(args.only.split(","))}
        models = sorted((m for m in models if m[0] in order), key=lambda m: order[m[0]])
    if args.limit:
        models = models[: args.limit]
    if args.shard:
        index, count = (int(part) for part in args.shard.split("/"))
        models = models[index::count]
    commit = _commit()
    records = []
    for index, (model_type, name) in enumerate(models, 1):
        record = {**run(model_type, name), "commit": commit}
        records.append(record)
        status = record.get("error") or (
            f"{record['params']:,} params ({100 * record['params'] / record['reference']:.0f} % "
            f"of {record['reference']:,}), {record['nodes']} ops traced, "
            f"{record['figure_nodes']} nodes drawn")
        print(f"[{index}/{len(models)}] {model_type} ({name}, {record.get('seconds', '-')} s): "
              f"{status}", flush=True)
        if args.json:
            Path(args.json).write_text(json.dumps(records, indent=1))
    print()
    print(report(records))


if __name__ == "__main__":
    main()
