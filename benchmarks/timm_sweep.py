#!/usr/bin/env python
"""Fold one model of every timm architecture family (and torchvision's four) and count its nodes.

Issue 21 asks that what repeats folds whoever wrote it: at least 90 of timm's 98
architecture families (``timm.list_modules()``) draw in at most 60 nodes, torchvision's
GoogLeNet, Inception-v3, MobileNetV2 and EfficientNet-B0 too, and no drawing takes more
than 5 s in-process. This script measures it.

**The representative of a family** is its smallest model by parameter count among the
models ``timm.list_models(module=family)`` lists (timm's synthetic ``test_*`` models
excluded), with its default config, ties broken by name: deterministic, and the model a
reader would try first. Finding them builds every one of timm's ~1,400 models on the meta
device (about two minutes here); the choice is kept in ``timm_families.json`` beside this
script and only recomputed with ``--reselect`` (or when the file is missing or names
another timm version).

Each model is built on meta (``netviz.building.building_on("meta")``: no weights) and
drawn at its default config's input size; the time is ``netviz.trace(model)``, the
transforms and the DOT text (everything ``netviz.diagram(model).dot`` does, but
Graphviz's layout), in this process, with netviz's cache off: the wall time and the
process's CPU time (on a shared machine the wall time grows with the others' load).
The folded figure's parameter, MAC and op totals are checked against the unfolded
figure's (a row says FAIL when they differ).

Run it in the measurement venv, which has timm, torchvision and transformers::

    NETVIZ_NO_CACHE=1 PYTHONPATH=. /work/venv-tv/bin/python benchmarks/timm_sweep.py \
        [--only convmixer,hrnet] [--json out.json] [--titles] [--reselect]

Not part of the test suite: nothing here asserts; the table and the summary lines say
PASS/MISS against the targets.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import sys
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SELECTION = HERE / "timm_families.json"
PAGE = 60
"""Most nodes a folded figure may have."""
FAMILIES_TARGET = 90
"""Families that must fold to a page (of 98)."""
SECONDS_TARGET = 5.0
"""Longest a drawing may take in-process."""
TIMEOUT = 120
"""Seconds after which a drawing is given up (counted as a failure)."""

TORCHVISION = (
    ("googlenet", (3, 224, 224)),
    ("inception_v3", (3, 299, 299)),
    ("mobilenet_v2", (3, 224, 224)),
    ("efficientnet_b0", (3, 224, 224)),
)
"""torchvision's models of issue 21, with the input size each was trained at."""


@dataclass
class Row:
    """One measured model."""

    family: str
    model: str
    params: int = 0
    shape: tuple[int, ...] = ()
    nodes: int | None = None
    unfolded: int | None = None
    clusters: int = 0
    seconds: float | None = None
    cpu: float | None = None
    error: str = ""
    titles: list[str] = field(default_factory=list)


def _params(module: Any) -> int:
    return sum(p.numel() for p in module.parameters())


def select(reselect: bool) -> dict[str, str]:
    """Family → its representative model (see the module docs)."""
    import timm

    if SELECTION.exists() and not reselect:
        saved = json.loads(SELECTION.read_text())
        if saved.get("timm") == timm.__version__:
            return dict(saved["families"])
        print(f"{SELECTION.name} is for timm {saved.get('timm')}: reselecting", file=sys.stderr)
    from netviz.building import building_on

    chosen: dict[str, tuple[int, str]] = {}
    for family in timm.list_modules():
        for name in timm.list_models(module=family):
            if name.startswith("test_"):
                continue
            try:
                with building_on("meta"):
                    size = _params(timm.create_model(name))
            except Exception as error:  # noqa: BLE001 - a model that fails to build is skipped
                print(f"  {name}: cannot build ({error})", file=sys.stderr)
                continue
            if family not in chosen or (size, name) < chosen[family]:
                chosen[family] = (size, name)
    families = {family: name for family, (_, name) in sorted(chosen.items())}
    SELECTION.write_text(json.dumps({"timm": timm.__version__, "families": families},
                                    indent=1, sort_keys=True) + "\n")
    return families


class _Timeout(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise _Timeout


def measure(family: str, model_name: str, build: Any, shape: tuple[int, ...] | None,
            unfolded: bool) -> Row:
    """Build ``model_name`` on meta with ``build()``, draw it, count and time."""
    import netviz
    from netviz.building import building_on
    from netviz.diagrams import Diagram
    from netviz.ir import Kind
    from netviz.ir.accounting import count_macs, count_ops, count_params

    row = Row(family, model_name)
    try:
        with building_on("meta"):
            module = build()
        row.params = _params(module)
        if shape is None:
            cfg = getattr(module, "pretrained_cfg", None) or {}
            shape = tuple(cfg.get("input_size", (3, 224, 224)))
        row.shape = shape
        signal.alarm(TIMEOUT)
        start, cpu = time.perf_counter(), time.process_time()
        raw = netviz.trace(module, [shape])
        diagram = Diagram.of(raw)
        diagram.dot  # noqa: B018 - the DOT text is part of a drawing
        row.seconds = time.perf_counter() - start
        row.cpu = time.process_time() - cpu
        signal.alarm(0)
        graph = diagram.graph
        row.nodes = len(graph.nodes)
        row.clusters = len(graph.clusters)
        row.titles = [c.title for c in graph.clusters]
        whole = Diagram.of(raw, fold=False).graph
        if unfolded:
            row.unfolded = len(whole.nodes)
        kinds = (Kind.CONV, Kind.LINEAR, Kind.ATTENTION, Kind.NORM, Kind.ACT, Kind.ADD, Kind.CAT)
        if ((count_params(graph), count_macs(graph), *(count_ops(graph, k) for k in kinds))
                != (count_params(whole), count_macs(whole), *(count_ops(whole, k) for k in kinds))):
            row.error = "folded totals (params, MACs, ops) differ from the unfolded ones"
    except _Timeout:
        row.error = f"over {TIMEOUT} s"
    except Exception as error:  # noqa: BLE001 - every failure is a row of the table
        row.error = f"{type(error).__name__}: {str(error).splitlines()[0][:100]}"
    finally:
        signal.alarm(0)
    return row


def _line(row: Row) -> str:
    nodes = "-" if row.nodes is None else str(row.nodes)
    if row.unfolded is not None:
        nodes = f"{row.unfolded} → {nodes}"
    seconds = "-" if row.seconds is None else f"{row.seconds:.2f}"
    cpu = "-" if row.cpu is None else f"{row.cpu:.2f}"
    verdict = "FAIL" if row.nodes is None or row.error else (
        "ok" if row.nodes <= PAGE else "OVER")
    text = (f"{row.family:<26} {row.model:<34} {row.params / 1e6:>8.1f}M {nodes:>12} "
            f"{row.clusters:>4} {seconds:>7} {cpu:>6} {verdict}")
    return text + (f"  {row.error}" if row.error else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only",
                        help="comma-separated families (timm modules) or torchvision names")
    parser.add_argument("--json", type=Path, help="write the rows to this file")
    parser.add_argument("--titles", action="store_true", help="print each model's cluster titles")
    parser.add_argument("--unfolded", action="store_true",
                        help="also count the nodes of the unfolded figure")
    parser.add_argument("--reselect", action="store_true",
                        help="recompute the representatives (builds every timm model on meta)")
    parser.add_argument("--no-torchvision", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("NETVIZ_NO_CACHE", "1")
    warnings.simplefilter("ignore")
    signal.signal(signal.SIGALRM, _alarm)

    import timm
    import torchvision

    only = set(args.only.split(",")) if args.only else None
    families = select(args.reselect)
    rows: list[Row] = []
    header = (f"{'family':<26} {'model':<34} {'params':>9} {'nodes':>12} {'cl':>4} "
              f"{'seconds':>7} {'cpu':>6}")
    print(header)
    for family, name in families.items():
        if only and family not in only and name not in only:
            continue
        row = measure(family, name, lambda n=name: timm.create_model(n), None, args.unfolded)
        rows.append(row)
        print(_line(row), flush=True)
        if args.titles:
            print("    " + " | ".join(row.titles), flush=True)
    tv_rows: list[Row] = []
    if not args.no_torchvision:
        for name, shape in TORCHVISION:
            if only and name not in only:
                continue
            row = measure("torchvision", name,
                          lambda n=name: torchvision.models.get_model(n, weights=None),
                          shape, args.unfolded)
            tv_rows.append(row)
            print(_line(row), flush=True)
            if args.titles:
                print("    " + " | ".join(row.titles), flush=True)

    timed = [r for r in rows + tv_rows if r.seconds is not None]
    if rows:
        sizes = [r.nodes for r in rows if r.nodes is not None]
        fits = sum(n <= PAGE for n in sizes)
        verdict = "PASS" if fits >= FAMILIES_TARGET or only else "MISS"
        print(f"\ntimm {timm.__version__}: {fits} of {len(rows)} families ≤ {PAGE} nodes "
              f"(target ≥ {FAMILIES_TARGET} of 98) {verdict}; median "
              f"{statistics.median(sizes) if sizes else '-'}; failed: "
              f"{sum(r.nodes is None for r in rows)}")
        over = sorted((r for r in rows if r.nodes is None or r.nodes > PAGE),
                      key=lambda r: -(r.nodes or 10**9))
        if over:
            print("over the page: " + ", ".join(f"{r.model} {r.nodes}" for r in over))
    if tv_rows:
        fits = sum(r.nodes is not None and r.nodes <= PAGE for r in tv_rows)
        print(f"torchvision {torchvision.__version__}: {fits} of {len(tv_rows)} ≤ {PAGE} nodes "
              f"{'PASS' if fits == len(tv_rows) else 'MISS'}")
    if timed:
        slow = max(timed, key=lambda r: r.seconds or 0.0)
        print(f"slowest: {slow.model} {slow.seconds:.2f} s (target ≤ {SECONDS_TARGET} s) "
              f"{'PASS' if (slow.seconds or 0) <= SECONDS_TARGET else 'MISS'}; "
              f"total {sum(r.seconds or 0 for r in timed):.1f} s")
        busy = max(timed, key=lambda r: r.cpu or 0.0)
        print(f"most CPU: {busy.model} {busy.cpu or 0:.2f} s "
              f"{'PASS' if (busy.cpu or 0) <= SECONDS_TARGET else 'MISS'}; "
              f"total {sum(r.cpu or 0 for r in timed):.1f} s (on a shared machine the wall "
              "time grows with the load; the CPU time is what the drawing costs)")
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in rows + tv_rows], indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
