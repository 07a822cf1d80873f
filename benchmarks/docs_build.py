"""Time the docs build, cold and from netviz's cache, against a build without diagrams.

    python benchmarks/docs_build.py [--repeat N]

Every build uses the project's ``mkdocs.yml`` with ``--strict`` and generates the same
pages (gallery, CLI and API reference included), in a fresh interpreter like
``mkdocs build``:

- ``cold``: every fence rendered, netviz's cache off (``NETVIZ_NO_CACHE=1``): what a
  first build costs;
- ``plain-cold``: the same without diagrams: the netviz plugin's ``render: false``, so
  every ```netviz fence becomes a placeholder (the gallery's model list still builds
  every model, importing torch);
- ``warm``: every fence rendered, with the cache a previous build of the unchanged site
  left (primed once before the timed runs): what a rebuild costs;
- ``plain-warm``: ``render: false`` with that cache (the model list comes from it).

The cache lives in a temporary folder. The variants alternate and the best of
``--repeat`` runs of each is kept. Prints the times and each full build's ratio to
its plain twin (targets: cold at most 2x, warm at most 1.2x).
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
TARGETS = {"cold": 2.0, "warm": 1.2}
VARIANTS = ("plain-cold", "cold", "plain-warm", "warm")


def build_once(variant: str, site: str) -> None:
    """Build the site in this process (the child side of :func:`timed`)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(str(ROOT / "mkdocs.yml"), site_dir=site, strict=True)
    if variant.startswith("plain"):
        config.plugins["netviz"].config.render = False
    build(config)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(variant: str, cache: str) -> tuple[float, float]:
    """Wall and CPU seconds (render workers and ``dot`` included) of one ``variant``
    build in a fresh interpreter; exits on failure."""
    with tempfile.TemporaryDirectory(prefix=f"netviz-docs-{variant}-") as tmp:
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "NETVIZ_CACHE_DIR": cache}
        env.pop("NETVIZ_NO_CACHE", None)
        if variant.endswith("cold"):
            env["NETVIZ_NO_CACHE"] = "1"
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
    parser.add_argument("--child", choices=VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--site", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        build_once(args.child, args.site)
        return 0
    times: dict[str, list[tuple[float, float]]] = {variant: [] for variant in VARIANTS}
    with tempfile.TemporaryDirectory(prefix="netviz-docs-cache-") as cache:
        wall, cpu = timed("warm", cache)  # primes the cache: the first build of the site
        print(f"priming build (empty cache): {wall:6.1f} s wall {cpu:6.1f} s CPU", flush=True)
        for run in range(args.repeat):
            for variant in times:  # alternate, so load on the machine hits all alike
                wall, cpu = timed(variant, cache)
                times[variant].append((wall, cpu))
                print(f"run {run + 1}: {variant:10} {wall:6.1f} s wall {cpu:6.1f} s CPU", flush=True)
    best = {variant: min(runs) for variant, runs in times.items()}
    labels = {
        "plain-cold": "plain build (render: false), cache off",
        "cold": "full build, cache off",
        "plain-warm": "plain build (render: false), cached",
        "warm": "full build, nothing changed, cached",
    }
    for variant in VARIANTS:
        wall, cpu = best[variant]
        line = f"{labels[variant] + ':':41} {wall:6.1f} s wall {cpu:6.1f} s CPU"
        if variant in TARGETS:
            plain, plain_cpu = best[f"plain-{variant}"]
            ratio, target = wall / plain, TARGETS[variant]
            verdict = "within" if ratio <= target else "over"
            line += (
                f"   {ratio:5.2f}x plain wall, {cpu / plain_cpu:.2f}x CPU "
                f"({verdict} the {target:g}x target)"
            )
        print(line)
    print(f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
