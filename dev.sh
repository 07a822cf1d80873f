#!/usr/bin/env bash
# netviz developer entry point: sets everything up on a fresh Debian/Ubuntu machine, then works.
#
#   ./dev.sh render [MODEL] [OUT]   set up, then draw MODEL (default wrn28_2) to OUT (default diagram.svg)
#   ./dev.sh test [PYTEST ARGS...]  set up (docs + test extras, system tools), run the whole test suite
#                                   on every core (pytest-xdist; NETVIZ_TEST_WORKERS=N to choose)
#   ./dev.sh setup                  set up only (the same as `test` minus running pytest)
#   ./dev.sh bench                  set up, run benchmarks/bench_render.py
#
# Idempotent and cheap on re-run: system packages are only installed when missing, and pip only
# runs when pyproject.toml changed (a stamp in .venv records its hash).
#
# Environment:
#   PYTHON=python3.11   interpreter for the venv (default: python3; must be >= 3.10)
#   NETVIZ_VENV=path    venv location (default: .venv in the repo)
#   NETVIZ_NO_APT=1     never try to install system packages, just say what is missing
set -euo pipefail

CALLER_PWD=$PWD # MODEL file specs and OUT are relative to where dev.sh was called from
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

VENV="${NETVIZ_VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"
TORCH_VERSION="2.13.0" # the CPU build; pinned exactly so pip never pulls a multi-GB CUDA build

T0=$(date +%s.%N)
STEP_T=$T0
STEP_NAME=""

log() { printf '[dev.sh] %s\n' "$*" >&2; }
die() {
    printf '[dev.sh] error: %s\n' "$*" >&2
    exit 1
}
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1fs", b - a }'; }
step() { # step NAME: close the previous step (print its time), open the next
    [[ -n "$STEP_NAME" ]] && log "done: $STEP_NAME ($(elapsed "$STEP_T"))"
    STEP_NAME="$1"
    STEP_T=$(date +%s.%N)
    [[ -n "$STEP_NAME" ]] && log "==> $STEP_NAME"
    return 0
}

# --- system packages ------------------------------------------------------------------------

APT_UPDATED=0
# ensure_apt PKG...: install Debian packages if we can (root, or passwordless sudo); otherwise
# print what to install and return 1 so the caller can continue without them.
ensure_apt() {
    local -a sudo_cmd=()
    if [[ ${NETVIZ_NO_APT:-0} == 1 ]] || ! command -v apt-get >/dev/null 2>&1; then
        log "please install these system packages yourself: $*"
        return 1
    fi
    if [[ $(id -u) -ne 0 ]]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            sudo_cmd=(sudo -n)
        else
            log "not root and no passwordless sudo; please run:"
            log "    sudo apt-get update && sudo apt-get install -y $*"
            return 1
        fi
    fi
    export DEBIAN_FRONTEND=noninteractive
    if [[ $APT_UPDATED -eq 0 ]]; then
        "${sudo_cmd[@]}" apt-get update -qq </dev/null || log "warning: apt-get update failed"
        APT_UPDATED=1
    fi
    log "apt-get install -y $*"
    if ! "${sudo_cmd[@]}" apt-get install -y -qq "$@" </dev/null >/dev/null; then
        log "warning: apt-get install failed; please install: $*"
        return 1
    fi
}

# missing_system_packages render|test: the Debian packages whose binaries are not on PATH.
missing_system_packages() {
    command -v dot >/dev/null 2>&1 || echo graphviz
    if [[ $1 == test ]]; then
        command -v chromium >/dev/null 2>&1 || echo chromium
        command -v pdflatex >/dev/null 2>&1 || echo texlive-latex-base
        # booktabs.sty (LaTeX tables) lives in texlive-latex-recommended, tikz.sty (the
        # TikZ figures) in texlive-pictures, lmodern.sty (their fonts) in lmodern
        tex_file booktabs.sty || echo texlive-latex-recommended
        tex_file tikz.sty || echo texlive-pictures
        tex_file lmodern.sty || echo lmodern
        # pdftotext, pdfinfo: the tests read the compiled figures back
        command -v pdftotext >/dev/null 2>&1 || echo poppler-utils
    fi
}

tex_file() { command -v kpsewhich >/dev/null 2>&1 && [[ -n $(kpsewhich "$1" 2>/dev/null) ]]; }

# ensure_system_tools render|test: install what netviz (and its tests) call, where we can.
ensure_system_tools() {
    local -a missing
    mapfile -t missing < <(missing_system_packages "$1")
    if [[ ${#missing[@]} -eq 0 ]]; then
        log "system tools present (dot$([[ $1 == test ]] && echo ", chromium, pdflatex, tikz, pdftotext"))"
        return 0
    fi
    ensure_apt "${missing[@]}" || true
    mapfile -t missing < <(missing_system_packages "$1")
    [[ ${#missing[@]} -eq 0 ]] && return 0
    log "still missing: ${missing[*]}"
    if [[ $1 == render ]]; then
        log "without Graphviz, svg/png/pdf fail; text formats still work:"
        log "    ./dev.sh render wrn28_2 diagram.dot   (or .mmd, .txt)"
    else
        log "tests needing the missing tools will be skipped (with a reason)"
    fi
}

# --- python environment ---------------------------------------------------------------------

pip_install() { # pip install, minus this machine's noise about unused local index folders
    "$PY" -m pip install -q "$@" 2>&1 | { grep -v 'is ignored: it is neither a file nor a directory' || true; }
}

pick_python() {
    local py="${PYTHON:-python3}"
    command -v "$py" >/dev/null 2>&1 || die "'$py' not found; install Python >= 3.10 (apt-get install python3 python3-venv) or set PYTHON=..."
    "$py" -c 'import sys; sys.exit(sys.version_info < (3, 10))' ||
        die "$py is Python $("$py" -c 'import platform; print(platform.python_version())'); netviz needs >= 3.10 (set PYTHON=python3.11 or similar)"
    printf '%s\n' "$py"
}

ensure_venv() {
    if [[ -x $PY ]] && "$PY" -c 'import sys, pip; sys.exit(sys.version_info < (3, 10))' >/dev/null 2>&1; then
        return 0
    fi
    local py
    py=$(pick_python)
    [[ -e $VENV ]] && {
        log "recreating broken venv $VENV"
        rm -rf "$VENV"
    }
    log "creating $VENV with $py ($("$py" --version 2>&1))"
    if ! "$py" -m venv "$VENV" 2>/dev/null; then
        rm -rf "$VENV"
        log "'$py -m venv' failed (Debian/Ubuntu split it into python3-venv)"
        local ver
        ver=$("$py" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
        ensure_apt "python$ver-venv" || die "install python$ver-venv (or python3-venv), then re-run"
        "$py" -m venv "$VENV"
    fi
}

ensure_torch() {
    if "$PY" - "$TORCH_VERSION" <<'EOF' 2>/dev/null; then
import sys
from importlib.metadata import version
sys.exit(version("torch").split("+")[0] != sys.argv[1])
EOF
        return 0
    fi
    log "pip install torch==$TORCH_VERSION (CPU build)"
    pip_install "torch==$TORCH_VERSION"
    if ! "$PY" -c 'import sys, torch; sys.exit(torch.version.cuda is not None)' 2>/dev/null; then
        log "warning: pip installed a CUDA build of torch; it works on the CPU but is several GB"
        log "         (netviz wants the CPU build: pip install torch==$TORCH_VERSION --index-url <a CPU wheel index>)"
    fi
}

stamp_value() { # what the stamp records: inputs that, when changed, require a fresh pip install
    {
        sha256sum pyproject.toml
        printf '%s\n' "$ROOT" "$TORCH_VERSION"
        "$PY" -c 'import sys; print(sys.version)'
    } | sha256sum | cut -d' ' -f1
}

# ensure_package EXTRAS: `pip install -e .[EXTRAS]`, skipped when the stamp is current.
ensure_package() {
    local extras=$1 stamp value spec=.
    [[ -n $extras ]] && spec=".[$extras]"
    stamp="$VENV/.netviz-installed${extras:+-${extras//,/-}}"
    value=$(stamp_value)
    if [[ -f $stamp && $(<"$stamp") == "$value" ]] && [[ -x $VENV/bin/netviz ]]; then
        log "pip install -e '$spec' is up to date (stamp matches pyproject.toml)"
        return 0
    fi
    # render's base install is covered by the docs+test install
    if [[ -z $extras && -f "$VENV/.netviz-installed-docs-test" && $(<"$VENV/.netviz-installed-docs-test") == "$value" && -x $VENV/bin/netviz ]]; then
        log "pip install -e . is up to date (stamp matches pyproject.toml)"
        return 0
    fi
    ensure_torch # again: never let the resolver pick torch for us
    log "pip install -e '$spec'"
    pip_install -e "$spec"
    printf '%s\n' "$value" >"$stamp"
}

setup() { # setup render|test
    local target=$1
    step "system packages"
    ensure_system_tools "$target"
    step "python venv ($VENV)"
    ensure_venv
    step "torch $TORCH_VERSION (CPU)"
    ensure_torch
    step "netviz (editable)"
    if [[ $target == test ]]; then ensure_package docs,test; else ensure_package ""; fi
    compile_bytecode
    step ""
}

# An editable install leaves netviz's own modules uncompiled; where PYTHONDONTWRITEBYTECODE
# is set, every command would compile them again (~0.04 s). Only changed files are redone.
compile_bytecode() {
    "$PY" -m compileall -q netviz models >/dev/null || log "warning: could not precompile netviz (it still runs)"
}

usage() {
    sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

# --- commands -------------------------------------------------------------------------------

cmd=${1:-help}
[[ $# -gt 0 ]] && shift
case $cmd in
render)
    model=${1:-wrn28_2}
    out=${2:-diagram.svg}
    setup render
    step "netviz render $model -o $out"
    rc=0
    (cd "$CALLER_PWD" && "$VENV/bin/netviz" render "$model" -o "$out") || rc=$?
    step ""
    [[ $rc -eq 0 ]] || die "netviz render failed (exit code $rc); see the message above"
    log "wrote $(cd "$CALLER_PWD" && realpath "$out") in $(elapsed "$T0") total"
    ;;
test)
    setup test
    step "pytest $*"
    rc=0
    # every core (NETVIZ_TEST_WORKERS=0: one process); a file's tests stay on one worker
    "$PY" -m pytest -n "${NETVIZ_TEST_WORKERS:-auto}" --dist loadgroup "$@" || rc=$?
    step ""
    case $rc in
    0) log "all tests passed ($(elapsed "$T0") total)" ;;
    5) die "pytest collected no tests (exit code 5): that counts as a failure" ;;
    *) die "tests failed (pytest exit code $rc)" ;;
    esac
    ;;
setup)
    setup test
    log "ready ($(elapsed "$T0")): .venv/bin/netviz --help"
    ;;
bench)
    setup render
    step "benchmarks/bench_render.py $*"
    "$PY" benchmarks/bench_render.py "$@"
    step ""
    ;;
help | -h | --help)
    usage
    ;;
*)
    usage >&2
    die "unknown command '$cmd'"
    ;;
esac
