"""``rl.report(module, x, path)``: the offline HTML report, for any ``nn.Module``.

Fills the same :class:`~rnnlens.report.content.ReportContent` as for rnnlens models and
renders it with :func:`~rnnlens.report.html.render_html`: the module table (observed shapes),
the unrolled diagram of the recurrent stack, and the step-through of every recorded layer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import InputDataError
from .render import shape_text


def build_torch_content(
    module: Any, x: Any, *, samples: int = 4, title: str | None = None, y_true: Any = None
) -> Any:
    """The report's content for ``module`` on the first ``samples`` inputs of ``x``."""
    import numpy as np
    import torch

    from ..report.arrays import ArrayStore
    from ..report.content import MAX_BYTES, ReportContent, _predictions, trace_entries
    from ..report.sampling import pooling_strides
    from .diagram import draw
    from .memory import network_from_module
    from .tracing import trace_module

    if isinstance(samples, bool) or not isinstance(samples, int) or not 1 <= samples <= 32:
        raise InputDataError(
            f"report: samples must be an integer from 1 to 32, received {samples!r}"
        )
    tensor = x if isinstance(x, torch.Tensor) else torch.as_tensor(np.asarray(x))
    if tensor.is_floating_point():
        dtype = next((p.dtype for p in module.parameters()), torch.float32)
        tensor = tensor.to(dtype)
    head = tensor[:samples]
    traced = trace_module(module, head)
    net, rows = network_from_module(module, example=head)
    store = ArrayStore()
    strides = pooling_strides(traced, MAX_BYTES)
    picked = list(range(head.shape[0]))
    steps = int(traced.layers[0].inputs.shape[1])
    entries = trace_entries(traced, store, picked, [f"sample {i}" for i in picked], steps, strides)
    try:
        svg, note = draw(net, rows), ""
    except Exception as error:  # a module with no drawable stack still gets its report
        svg, note = None, f"no unrolled diagram: {error}"
    predictions = None
    if y_true is not None:
        with torch.no_grad():
            was = module.training
            module.eval()
            out = module(tensor)
            module.train(was)
        first = out[0] if isinstance(out, tuple) else out
        predictions = _predictions(first.detach().cpu().numpy(), y_true)
    name = type(module).__name__
    return ReportContent(
        title=title or f"rnnlens report: {name} (PyTorch)",
        model_name=name,
        summary=[
            {
                "name": r.path,
                "layer_type": r.type_name,
                "output_shape": shape_text(r.output_shape),
                "params": int(r.params),
            }
            for r in rows
        ],
        total_params=sum(p.numel() for p in module.parameters()),
        samples=entries,
        arrays=store,
        predictions=predictions,
        diagram_svg=svg,
        diagram_note=note,
    )


def write_torch_report(module: Any, x: Any, path: str | Path, **options: Any) -> Path:
    """Write the report for ``module`` on ``x`` to ``path`` (atomically); return the path."""
    from ..io.atomic import write_atomic
    from ..report.html import render_html

    content = build_torch_content(module, x, **options)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(target, render_html(content).encode("utf-8"))
