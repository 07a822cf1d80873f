"""The classic torchsummary table (``Layer (type) / Output Shape / Param #``).

Reproduces the layout of sksq96/pytorch-summary as revised in mdnc's
``contribs.torchsummary`` (the tables in mdnc's documentation): one row per
module call in the order the calls *finished* (so a block follows its layers),
``nn.Sequential``/``ModuleList`` left out, batch shown as ``-1``, names longer
than 20 characters shortened to ``head...tail``, and the size estimates
computed as torchsummary does (4 bytes per number, MB = 2**20 bytes,
forward/backward = 2 x all outputs). One deliberate difference: a parameter
shared by several calls is counted once.
"""

from __future__ import annotations

import math

from netviz.summaries.table import SummaryTable
from netviz.text import one_line

_RULE = "-" * 64
_DOUBLE = "=" * 64
_MB = 1024**2.0


def render_torchsummary(table: SummaryTable) -> str:
    """Render ``table`` as torchsummary prints it (module paths are not shown)."""
    calls = sorted(
        (r for r in table.rows if r.executed and not r.container and r.finish is not None),
        key=lambda r: r.finish,  # type: ignore[arg-type, return-value]
    )
    lines = [_RULE, _line("Layer (type)", "Output Shape", "Param #"), _DOUBLE]
    total_output = 0
    for number, row in enumerate(calls, start=1):
        name = one_line(f"{row.type}-{number}")
        if len(name) > 20:
            name = f"{name[:8]}...{name[-9:]}"
        shape = "[]" if row.output_shape is None else str([-1, *row.output_shape])
        lines.append(_line(name, shape, f"{row.params:,}"))
        if row.output_shape is not None:
            total_output += math.prod(row.output_shape)
    input_numbers = sum(math.prod(s) for s in table.input_shapes)
    input_size = abs(input_numbers * -1 * 4.0 / _MB)
    output_size = abs(2.0 * total_output * 4.0 / _MB)  # x2 for gradients
    params_size = abs(table.total_params * 4.0 / _MB)
    total_size = params_size + output_size + input_size
    lines += [
        _DOUBLE,
        f"Total params: {table.total_params:,}",
        f"Trainable params: {table.trainable_params:,}",
        f"Non-trainable params: {table.non_trainable_params:,}",
        _RULE,
        f"Input size (MB): {input_size:0.2f}",
        f"Forward/backward pass size (MB): {output_size:0.2f}",
        f"Params size (MB): {params_size:0.2f}",
        f"Estimated Total Size (MB): {total_size:0.2f}",
        _RULE,
    ]
    return "\n".join(lines) + "\n"


def _line(name: str, shape: str, params: str) -> str:
    return f"{name:>20}  {shape:>25} {params:>15}"
