"""``rl.diagram(module, input_size=...)``: the unrolled picture of a torch model's recurrent stack.

The recurrent modules that feed one another (in the order ``forward`` calls them) are mapped
onto rnnlens layer specs: one ``LSTM``/``GRU``/``SimpleRNN`` per stacked layer, named
``lstm.l0``, ``lstm.l1``..., a ``Bidirectional`` for a bidirectional module, and drawn by the
one SVG renderer (:mod:`rnnlens.explain.svg`). Only specs are built: no weight is copied.
"""

from __future__ import annotations

from typing import Any

from ..errors import ConfigError
from .explain import ModuleRow
from .network import NetworkSpec
from .recurrent import RNNSpec

_KIND = {"LSTM": "LSTM", "GRU": "GRU", "RNN": "SimpleRNN"}


def _hands_on_sequence(net: NetworkSpec, path: str) -> bool:
    """Whether the module's whole ``out`` is used (False: only a last step or ``h_n``)."""
    for step in net.steps:
        if step.op != "getitem" or not step.inputs:
            continue
        origin = net.origin(step.inputs[0])
        if origin is None or origin[0] != path:
            continue
        if origin[1] in ("h_n", "(h_n, c_n)") and step.args.get("index") in (1, -1):
            return False
        index = step.args.get("index")
        if origin[1] == "out" and isinstance(index, tuple) and -1 in index[:2]:
            return False
        if origin[1] == "out" and index == -1:
            return False
    return True


def recurrent_chain(net: NetworkSpec, rows: list[ModuleRow]) -> tuple[Any, list[str]]:
    """An rnnlens ``Sequential`` of specs for the chained recurrent modules, and notes."""
    from .. import layers as L
    from ..hooks import runtime

    Sequential = runtime().model_class("sequential")

    called = [r for r in rows if isinstance(net.modules.get(r.path), RNNSpec) and r.calls]
    if not called:
        raise ConfigError(
            f"diagram: {net.name} calls no nn.LSTM/GRU/RNN; there is no recurrent stack to draw"
        )
    notes: list[str] = []
    chain: list[tuple[str, RNNSpec]] = []
    for row in called:
        spec = net.modules[row.path]
        assert isinstance(spec, RNNSpec)
        if chain and chain[-1][1].out_size != spec.input_size:
            notes.append(f"'{row.path}' does not read '{chain[-1][0]}''s out and is not drawn")
            continue
        chain.append((row.path, spec))
    first = called[0]
    shape = first.input_shape if isinstance(first.input_shape, tuple) else None
    first_spec = chain[0][1]
    steps = None
    if shape is not None and len(shape) == 3:
        steps = shape[1] if first_spec.batch_first else shape[0]
    built = []
    for position, (path, spec) in enumerate(chain):
        for k in range(spec.num_layers):
            last = position == len(chain) - 1 and k == spec.num_layers - 1
            sequences = not last or _hands_on_sequence(net, path)
            options: dict[str, Any] = {"return_sequences": sequences, "use_bias": spec.bias}
            if spec.mode == "RNN":
                options["activation"] = spec.nonlinearity
            units = spec.state_size if not spec.proj_size else spec.hidden_size
            name = f"{path}.l{k}"
            if spec.bidirectional:
                built.append(
                    L.Bidirectional(getattr(L, _KIND[spec.mode])(units, **options), name=name)
                )
            else:
                built.append(getattr(L, _KIND[spec.mode])(units, name=name, **options))
        if spec.proj_size:
            notes.append(
                f"'{path}' projects h to proj_size={spec.proj_size}; the picture shows hidden_size"
            )
    model = Sequential([L.Input(shape=(steps, first_spec.input_size)), *built], name=net.name)
    return model, notes


def draw(net: NetworkSpec, rows: list[ModuleRow], path: Any = None, **options: Any) -> str:
    """The SVG text (also written to ``path``) of the recurrent stack of ``net``."""
    from ..explain.svg import write_diagram

    model, _ = recurrent_chain(net, rows)
    return write_diagram(model, path, **options)
