"""``--debug``: tracebacks for every command, and the traced IR for ``render`` (issue 6)."""

from __future__ import annotations

from pathlib import Path

import pytest

from netviz.cli import main
from netviz.commands._debug import describe_graph
from netviz.ir import Edge, Graph, Kind, Mark, Node
from tests.zoo import MODELS_FILE

TRACEBACK = "Traceback (most recent call last)"


def run(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:  # pragma: no cover - usage errors
        return exc.code if isinstance(exc.code, int) else 1


def check(capsys, code: int, out_dir: Path | None = None) -> str:  # type: ignore[no-untyped-def]
    """A traceback, then exactly one final ``netviz: error:`` line; no file written."""
    err = capsys.readouterr().err
    assert code != 0
    assert TRACEBACK in err
    lines = err.rstrip("\n").splitlines()
    assert lines[-1].startswith("netviz: error: ")
    assert sum(line.startswith("netviz: error: ") for line in lines) == 1
    if out_dir is not None:
        assert list(out_dir.iterdir()) == []
    return err


FORWARD_RAISES = f"{MODELS_FILE}:ForwardRaises"

PER_COMMAND = {
    "list": ["list", "zzz*"],
    "render": ["render", FORWARD_RAISES, "--input-shape", "3,8,8", "-o", "{out}/d.dot"],
    "pseudocode": ["pseudocode", FORWARD_RAISES, "--input-shape", "3,8,8", "-o", "{out}/p.txt"],
    "summary": ["summary", FORWARD_RAISES, "--input-shape", "3,8,8", "-o", "{out}/s.json"],
    "plot": ["plot", FORWARD_RAISES, "--input-shape", "3,8,8", "-o", "{out}/p.svg"],
}


@pytest.mark.parametrize("where", ["after", "before"])
@pytest.mark.parametrize("command", sorted(PER_COMMAND))
def test_debug_shows_a_traceback(command: str, where: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """``netviz CMD --debug ...`` and ``netviz --debug CMD ...`` both show the traceback."""
    argv = [a.format(out=tmp_path) for a in PER_COMMAND[command]]
    argv = [argv[0], "--debug", *argv[1:]] if where == "after" else ["--debug", *argv]
    err = check(capsys, run(argv), tmp_path)
    if command != "list":
        # the user's own frame, hidden behind the one-line error, is shown
        assert "models.py" in err and 'raise RuntimeError("boom' in err


@pytest.mark.parametrize("command", sorted(PER_COMMAND))
def test_without_debug_there_is_no_traceback(command: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code = run([a.format(out=tmp_path) for a in PER_COMMAND[command]])
    err = capsys.readouterr().err
    assert code != 0 and TRACEBACK not in err
    assert len(err.splitlines()) == 1 and err.startswith("netviz: error: ")


def _boom(*args: object, **kwargs: object) -> None:
    raise ValueError("renderer exploded")


@pytest.mark.parametrize(
    ("target", "fmt"),
    [
        ("netviz.renderers.render_dot", "dot"),
        ("netviz.renderers.render_mermaid", "mmd"),
        ("netviz.renderers.render_pseudocode", "txt"),
        ("netviz.transforms.to_notation", "dot"),
    ],
)
def test_render_debug_dumps_the_traced_ir_when_a_later_stage_fails(
    target: str, fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(target, _boom)
    spec = f"{MODELS_FILE}:PreActNet"
    code = run(["render", "--debug", spec, "--input-shape", "3,16,16", "-o", f"{tmp_path}/d.{fmt}"])
    err = check(capsys, code, tmp_path)
    assert "ValueError: renderer exploded" in err
    assert "IR graph 'PreActNet': " in err
    (line,) = [x for x in err.splitlines() if x.startswith("  'group1_0_conv1': ")]
    assert line.startswith(
        "  'group1_0_conv1': conv 'Conv2d' scope='group1.0.conv1' shape=16x8x8 params=1152 ["
    )
    assert "kernel_size=(3,3)" in line and "stride=(2,2)" in line
    assert line.endswith("] <- ['relu_4']")
    assert "IR graph 'PreActNet': 51 nodes, 56 edges, 0 clusters" in err
    assert err.rstrip().splitlines()[-1] == "netviz: error: unexpected ValueError: renderer exploded"


def test_render_without_debug_keeps_the_ir_to_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("netviz.renderers.render_dot", _boom)
    code = run(["render", f"{MODELS_FILE}:PreActNet", "--input-shape", "3,16,16",
                "-o", f"{tmp_path}/d.dot"])
    err = capsys.readouterr().err
    assert code == 1 and list(tmp_path.iterdir()) == []
    assert err == (
        "netviz: error: unexpected ValueError: renderer exploded "
        "(run again with --debug for details)\n"
    )


def test_an_unexpected_error_with_a_huge_message_is_still_one_short_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    """A bug whose message lists a whole graph (graphlib's CycleError names every node of
    the cycle) is cut to a readable line; ``--debug``'s traceback keeps the whole message."""
    from netviz.cli import UNEXPECTED_CHARS

    def cycle(*args: object, **kwargs: object) -> None:
        raise ValueError("nodes are in a cycle: " + ", ".join(f"'layers.{i}.add()'" for i in range(500)))

    monkeypatch.setattr("netviz.renderers.render_dot", cycle)
    argv = ["render", f"{MODELS_FILE}:PreActNet", "--input-shape", "3,16,16", "-o", f"{tmp_path}/d.dot"]
    code = run(argv)
    err = capsys.readouterr().err
    assert code == 1 and list(tmp_path.iterdir()) == [] and err.count("\n") == 1
    assert err.startswith("netviz: error: unexpected ValueError: nodes are in a cycle: 'layers.0.add()'")
    assert err.endswith("… (run again with --debug for details)\n")
    assert len(err) < UNEXPECTED_CHARS + 100
    code = run(["render", "--debug", *argv[1:]])
    assert "'layers.499.add()'" in capsys.readouterr().err  # in the traceback


def test_render_debug_says_when_there_is_no_ir(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code = run(["render", "--debug", FORWARD_RAISES, "--input-shape", "3,8,8",
                "-o", f"{tmp_path}/d.dot"])
    err = check(capsys, code, tmp_path)
    assert "no IR: tracing failed (ModelForwardError: model forward raised" in err


def test_describe_graph_keeps_one_line_per_node_for_nasty_names() -> None:
    nasty = 'We<ird&\n"name"\\'
    mark = Mark(("BatchNorm2d", "ReLU"), (Kind.NORM, Kind.ACT), ("bn", "relu"), "a.b")
    graph = Graph(
        name=nasty,
        nodes=(
            Node("x", Kind.INPUT, "input", shape=(3, 8, 8)),
            Node("c\nv", Kind.CONV, "Conv2d", scope=nasty, attrs=(("stride", (1, 2)),),
                 shape=(4, 8, 4), params=112),
            Node("w", Kind.OTHER, nasty, shape=None),
            Node("output", Kind.OUTPUT, "output"),
        ),
        edges=(Edge("x", "c\nv"), Edge("c\nv", "w", mark), Edge("w", "output")),
    )
    text = describe_graph(graph)
    lines = text.splitlines()
    assert len(lines) == 1 + len(graph.nodes)
    assert lines[0] == f"IR graph {nasty!r}: 4 nodes, 3 edges, 0 clusters"
    assert lines[2] == (
        f"  'c\\nv': conv 'Conv2d' scope={nasty!r} shape=4x8x4 params=112 [stride=(1,2)] <- ['x']"
    )
    assert lines[3].endswith("shape=? params=0 <- ['c\\nv' via BatchNorm2d>ReLU]")
