"""Time the full docs build against a plain build of the same pages without diagrams.

    python benchmarks/docs_build.py [--repeat N]

Both builds use the project's ``mkdocs.yml`` with ``--strict`` and generate the same
pages (gallery, CLI and API reference included); the plain build sets the netviz
plugin's ``render: false``, so every ```netviz fence becomes a placeholder and no
diagram, table or chart is rendered. Each build runs in a fresh interpreter, like
``mkdocs build`` does, and the best of ``--repeat`` runs is kept. Prints both times and
their ratio (target: at most 2x).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 2.0


def build_once(variant: str, site: str) -> None:
    """Build the site in this process (the child side of :func:`timed`)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(str(ROOT / "mkdocs.yml"), site_dir=site, strict=True)
    if variant == "plain":
        config.plugins["netviz"].config.render = False
    build(config)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(variant: str) -> tuple[float, float]:
    """Wall and CPU seconds (render workers and ``dot`` included) of one ``variant``
    build in a fresh interpreter; exits on failure."""
    with tempfile.TemporaryDirectory(prefix=f"netviz-docs-{variant}-") as tmp:
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        command = [sys.executable, __file__, "--child", variant, "--site", tmp]
        cpu, start = _cpu(), time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        sys.exit(f"the {variant} build failed (exit code {done.returncode})")
    return seconds, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs per variant (best kept)")
    parser.add_argument("--child", choices=("full", "plain"), help=argparse.SUPPRESS)
    parser.add_argument("--site", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        build_once(args.child, args.site)
        return 0
    times: dict[str, list[tuple[float, float]]] = {"plain": [], "full": []}
    for run in range(args.repeat):
        for variant in times:  # alternate, so load on the machine hits both alike
            wall, cpu = timed(variant)
            times[variant].append((wall, cpu))
            print(f"run {run + 1}: {variant:5} {wall:6.1f} s wall {cpu:6.1f} s CPU", flush=True)
    (plain, plain_cpu), (full, full_cpu) = min(times["plain"]), min(times["full"])
    ratio = full / plain
    load = os.getloadavg()[0]
    print(f"plain build (render: false): {plain:6.1f} s wall {plain_cpu:6.1f} s CPU")
    print(f"full build (diagrams):       {full:6.1f} s wall {full_cpu:6.1f} s CPU")
    verdict = "within" if ratio <= TARGET else "over"
    print(f"ratio full/plain:            {ratio:6.2f}x wall, {full_cpu / plain_cpu:.2f}x CPU "
          f"({verdict} the {TARGET:.0f}x target; {os.cpu_count()} CPUs, load {load:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
