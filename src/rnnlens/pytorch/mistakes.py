"""The well-known mistakes with ``nn.LSTM/GRU/RNN`` outputs, found in a :class:`NetworkSpec`.

Each check reads the data flow of ``forward`` and names the line when the spec knows it:

* ``bidirectional-last-step``: ``out[:, -1]`` of a bidirectional layer. Its forward half is
  the final state, but its backward half has read one step only (x[T−1]).
* ``batch-index``: ``out[:, -1]`` of a ``batch_first=False`` layer picks the last *sample*.
* ``h_n-one-direction``: ``h_n[-1]`` of a bidirectional layer is the last layer's backward
  direction alone, not both directions.
* ``h_n-view``: ``h_n.view(batch, ...)`` reinterprets ``(layers·directions, batch, hidden)``
  memory and mixes samples, layers and directions.
* ``time-major-input``: a ``batch_first=False`` layer fed a ``(batch, time, features)``
  tensor, when the shapes tell.
* ``dropout-one-layer``: ``dropout`` on a one-layer module does nothing (it acts between
  layers only); torch warns at run time.

>>> from rnnlens.pytorch.spec import NetworkSpec, RNNSpec, Step
>>> net = NetworkSpec("Net", {"rnn": RNNSpec("GRU", 2, 8, bidirectional=True, batch_first=True)}, [
...     Step("input", (), "x"), Step("call", ("x",), "r", module="rnn"),
...     Step("getitem", ("r",), "h", args={"index": 1}),
...     Step("getitem", ("h",), "last", args={"index": -1}, line=7, source="return h[-1]")])
>>> [w.code for w in find_mistakes(net)]
['h_n-one-direction']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .modules import known, size_text
from .network import NetworkSpec, Step
from .recurrent import RNNSpec

_BATCH_NAMES = {"batch", "b", "batch_size", "bs", "n", "batch size"}
_PASS_THROUGH = {"Dropout", "Embedding", "Linear", "ReLU", "Tanh", "LayerNorm", "Identity"}


@dataclass(frozen=True)
class TorchWarning:
    """One mistake: a stable ``code``, the sentence a person reads, and the line if known."""

    code: str
    message: str
    module: str | None = None
    line: int | None = None


def find_mistakes(net: NetworkSpec) -> list[TorchWarning]:
    """Every known mistake in ``net``, in the order of ``forward`` (config ones first)."""
    found = [
        w
        for path, m in net.recurrent().items()
        if isinstance(m, RNNSpec)
        for w in _config(net, path, m)
    ]
    for step in net.steps:
        found += _step(net, step)
    return found


def _config(net: NetworkSpec, path: str, m: RNNSpec) -> list[TorchWarning]:
    if m.num_layers == 1 and float(m.dropout) > 0:
        line = net.module_lines.get(path)
        where = f"line {line}: " if line else ""
        return [
            TorchWarning(
                "dropout-one-layer",
                f"{where}nn.{m.mode} '{path}' has dropout={m.dropout} but num_layers=1: torch applies "
                "it between stacked layers only, so it does nothing here (torch warns at run "
                "time); add an nn.Dropout after the layer, or set num_layers > 1",
                path,
                line,
            )
        ]
    return []


def _where(step: Step) -> str:
    return f"{step.where}: " if step.where else ""


def _step(net: NetworkSpec, step: Step) -> list[TorchWarning]:
    if step.op == "call" and step.module is not None:
        return _time_major(net, step)
    if not step.inputs:
        return []
    origin = net.origin(step.inputs[0])
    if origin is None or net.step(step.inputs[0]) is None:
        return []
    path, value = origin
    module = net.modules.get(path)
    if not isinstance(module, RNNSpec):
        return []
    source = net.step(step.inputs[0])
    direct = source is not None and (
        source.op == "call"
        or (source.op == "getitem" and isinstance(source.args.get("index"), int))
    )
    if step.op == "getitem" and value == "out" and direct:
        return _last_step(step, path, module)
    if step.op == "getitem" and value == "h_n" and direct and module.bidirectional:
        index = step.args.get("index")
        both = any(
            other.op == "getitem"
            and other.inputs[:1] == step.inputs[:1]
            and _first(other.args.get("index")) == -2
            for other in net.steps
        )  # torch.cat((h_n[-2], h_n[-1])) is the right way to take both
        if _first(index) == -1 and not both:
            p = size_text(module.state_size)
            return [
                TorchWarning(
                    "h_n-one-direction",
                    f"{_where(step)}h_n[-1] of bidirectional nn.{module.mode} '{path}' is the last "
                    f"layer's backward direction only ({p} numbers), not both directions: h_n is "
                    f"(num_layers·2, batch, {p}) with index layer·2 + direction; both final states "
                    "are torch.cat((h_n[-2], h_n[-1]), dim=1)",
                    path,
                    step.line,
                )
            ]
    if (
        step.op == "method"
        and step.args.get("name") in ("view", "reshape")
        and value in ("h_n", "c_n")
        and direct
    ):
        return _view(step, path, module, value)
    return []


def _first(index: Any) -> Any:
    """The index on the first axis: ``-1`` for ``h_n[-1]`` and ``h_n[-1, :, :]``."""
    return index[0] if isinstance(index, tuple) and index else index


def _is_last(item: Any) -> bool:
    return item == -1


def _last_step(step: Step, path: str, module: RNNSpec) -> list[TorchWarning]:
    index = step.args.get("index")
    items = index if isinstance(index, tuple) else (index,)
    time_axis = 1 if module.batch_first else 0
    picks_time = len(items) > time_axis and _is_last(items[time_axis])
    picks_batch = not module.batch_first and len(items) > 1 and _is_last(items[1])
    p = size_text(module.state_size)
    if picks_batch:
        return [
            TorchWarning(
                "batch-index",
                f"{_where(step)}nn.{module.mode} '{path}' has batch_first=False, so out is (time, "
                "batch, features) and out[:, -1] picks the last sample of the batch at every "
                "step, not the last step; use out[-1], or build the layer with batch_first=True",
                path,
                step.line,
            )
        ]
    if picks_time and module.bidirectional:
        last = "out[:, -1]" if module.batch_first else "out[-1]"
        first = "out[:, 0, " if module.batch_first else "out[0, :, "
        return [
            TorchWarning(
                "bidirectional-last-step",
                f"{_where(step)}{last} of bidirectional nn.{module.mode} '{path}' is not the final "
                f"state of both directions: its first {p} numbers are the forward direction's "
                f"final state, but the last {p} are the backward direction after reading only "
                f"the last step (the backward final state is {first}{p}:]); use "
                "torch.cat((h_n[-2], h_n[-1]), dim=1) for both final states",
                path,
                step.line,
            )
        ]
    return []


def _view(step: Step, path: str, module: RNNSpec, value: str) -> list[TorchWarning]:
    stacked = module.num_layers * module.num_directions
    if known(stacked) and stacked == 1:
        return []
    sizes = tuple(step.args.get("args", ()))
    if len(sizes) == 1 and isinstance(sizes[0], tuple):
        sizes = sizes[0]
    first = sizes[0] if sizes else None
    if first == stacked or (
        first == module.num_layers and len(sizes) > 1 and sizes[1] == module.num_directions
    ):
        return []
    return [
        TorchWarning(
            "h_n-view",
            f"{_where(step)}{value}.{step.args.get('name')}{tuple(sizes)} on nn.{module.mode} "
            f"'{path}': {value} is (num_layers·num_directions = {stacked}, batch, hidden) in "
            "memory, so a view that does not keep that first axis mixes samples, layers and "
            f"directions; split it with {value}.view({module.num_layers}, "
            f"{module.num_directions}, batch, hidden), or take one sample's states with "
            f"{value}.permute(1, 0, 2).reshape(batch, -1)",
            path,
            step.line,
        )
    ]


def _network_input(net: NetworkSpec, name: str) -> Step | None:
    """The ``input`` step ``name`` comes from through shape-keeping modules, if any."""
    step = net.step(name)
    while step is not None:
        if step.op == "input":
            return step
        module = net.modules.get(step.module or "") if step.op == "call" else None
        if module is None or module.type_name not in _PASS_THROUGH or not step.inputs:
            return None
        step = net.step(step.inputs[0])
    return None


def _time_major(net: NetworkSpec, step: Step) -> list[TorchWarning]:
    module = net.modules.get(step.module or "")
    if not isinstance(module, RNNSpec) or module.batch_first or not step.inputs:
        return []
    source = _network_input(net, step.inputs[0])
    if source is None:
        return []
    axes = source.args.get("axes")
    shape = source.shape if isinstance(source.shape, tuple) else ()
    named = bool(shape) and str(shape[0]).strip().lower() in _BATCH_NAMES
    if not (axes and axes[0] == "batch") and not named and not _batch_survives(net, shape):
        return []
    return [
        TorchWarning(
            "time-major-input",
            f"{_where(step)}nn.{module.mode} '{step.module}' has batch_first=False, so it reads "
            f"its input as (time, batch, features), but it receives '{source.output}' "
            f"{tuple(shape) if shape else ''} laid out as (batch, time, features): it runs "
            "along the batch instead of the time steps; build it with batch_first=True or feed "
            "x.transpose(0, 1)",
            step.module,
            step.line,
        )
    ]


def _batch_survives(net: NetworkSpec, shape: tuple[Any, ...]) -> bool:
    """The model's output keeps the input's axis 0 and not axis 1: that axis was the batch."""
    outputs = [s for s in net.steps if s.op == "output"]
    if (
        len(shape) < 3
        or not outputs
        or not known(shape[0])
        or not known(shape[1])
        or shape[0] == shape[1]
    ):
        return False
    out = net.shape(outputs[-1].inputs[0]) if outputs[-1].inputs else None
    return (
        isinstance(out, tuple)
        and bool(out)
        and known(out[0])
        and out[0] == shape[0]
        and len(out) < 3
    )
