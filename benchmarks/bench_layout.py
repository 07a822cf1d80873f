#!/usr/bin/env python
"""Graphviz ``dot`` layout time of every gallery figure (issue 11: under 1 s each).

The DOT text of each figure is made first, as the gallery makes it (folded, with its
legend), plus the other figure options a user may pick (``--no-fold``, ``--direction LR``);
then ``dot -Tsvg`` runs on it ``--repeat`` times as its own process and the median wall
time is printed against the 1 s budget.

Usage:
    .venv/bin/python benchmarks/bench_layout.py [--repeat 5] [--only 'resnet*'] [--check]

Not part of the test suite: timings depend on the machine, so nothing here asserts;
``--check`` exits 1 when a figure takes 1 s or more (a manual gate).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time

BUDGET_S = 1.0
"""Issue 11: ``dot`` lays out each figure in under a second."""

VARIANTS = {
    "": {"legend": True},
    " --no-fold": {"legend": True, "fold": False},
    " LR": {"legend": True, "direction": "LR"},
}
"""Figure options per model: the gallery's, then every block, then left to right."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="dot runs per figure (median)")
    parser.add_argument("--only", help="shell-style pattern of model names")
    parser.add_argument("--check", action="store_true", help="exit 1 if a figure misses 1 s")
    args = parser.parse_args(argv)
    exe = shutil.which("dot")
    if exe is None:
        print("bench_layout: the Graphviz 'dot' binary is not installed", file=sys.stderr)
        return 2
    import netviz
    from netviz.registry import list_models

    print(f"{'figure':34s} {'nodes':>5s} {'median s':>9s} {'x budget':>9s}")
    print("-" * 61)
    missed = 0
    for name in list_models(args.only):
        for suffix, options in VARIANTS.items():
            graph = netviz.diagram(name, fold=options.get("fold", True)).graph
            source = netviz.render(name, "dot", **options)  # type: ignore[arg-type]
            times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                subprocess.run([exe, "-Tsvg"], input=source, capture_output=True, check=True)
                times.append(time.perf_counter() - start)
            median = statistics.median(times)
            missed += median >= BUDGET_S
            verdict = "PASS" if median < BUDGET_S else "MISS"
            print(f"{name + suffix:34s} {len(graph.nodes):5d} {median:9.3f} "
                  f"{median / BUDGET_S:8.2f}  {verdict}")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
