"""``rl.trace(model, x)``: what every layer received, carried and handed on at every step.

How it records: each recurrent layer runs its fused kernel (oneDNN/cuDNN) as ``predict`` does.
An LSTM on oneDNN (float32 on CPU) hands back the gates it computed: its training forward pass
keeps them in a workspace, which is read (:mod:`rnnlens.engine.workspace`); elsewhere the gates
of every step are recomputed from the kernel's own hidden states (one batched matrix product
over ``h(t-1)`` and ``x(t)``, :mod:`rnnlens.engine.record`). Either way ``h`` is recomputed from
the recorded gates and checked against the kernel's on every trace
(:attr:`DirectionTrace.h_check`). Layers
the fused kernel cannot compute (other activations, GRU ``reset_after=False``) run on the
reference step loop, which records as it goes (``path="reference"`` forces it everywhere).

The trace data type (shared with :mod:`rnnlens.pytorch`, which fills it for ``nn.LSTM``,
``nn.GRU`` and ``nn.RNN`` inside any module)::

    Trace
      inputs: np.ndarray                  what was traced, (batch, time, features)
      layers: list[LayerTrace]            in the order the data flows; trace["name"] or trace[0]
    LayerTrace
      name, kind                          "lstm", "LSTM" ("Bidirectional(LSTM)", "nn.LSTM", ...)
      inputs, input_axes                  what the layer received
      output, output_axes                 exactly what it handed on (a list for several tensors)
      mask                                (batch, time) bool, True at real steps; None unmasked
      directions: tuple[DirectionTrace]   empty for non-recurrent layers
    DirectionTrace
      direction                           "forward" or "backward"
      arrays: dict[str, np.ndarray]       each (batch, time, units), in RECORD_ORDER
      path                                "fused" (recomputed from the kernel's outputs) or
                                          "reference" (recorded by the step loop)
      h_check                             max |h recomputed - h of the kernel|; None on
                                          "reference" (the loop's h is the output itself)
      gates_from                          on "fused": "workspace" (the LSTM gates oneDNN
                                          computed, read back) or "recomputed"

Array names are Keras's, whatever the source: LSTM ``i, f, c_hat, o, c, h``; GRU ``z, r,
h_hat, h``; SimpleRNN ``h`` (torch's ``g`` is ``c_hat``, its ``n`` is ``h_hat``). Every
per-step array has axes ``("batch", "time", "unit")`` and its time axis is the *input* time:
for a backward direction, step ``t`` is the state after reading ``x[t]`` (the layer read the
steps from last to first, so that state has seen ``x[t:]``). At a masked step the states
repeat the previous step's and the gates are what the cell would compute there (they are not
used).
"""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import ConfigError

if TYPE_CHECKING:
    import torch

    from .engine.reference import RunResult
    from .graph import ModelSpec

STEP_AXES = ("batch", "time", "unit")
#: The order in which gates and states are shown, per layer kind.
RECORD_ORDER = {
    "LSTM": ("i", "f", "c_hat", "o", "c", "h"),
    "GRU": ("z", "r", "h_hat", "h"),
    "SimpleRNN": ("h",),
}


@dataclass(frozen=True)
class DirectionTrace:
    """The recorded arrays of one direction of a recurrent layer.

    ``arrays[name]`` has shape (batch, time, units), axes :data:`STEP_AXES`.
    """

    direction: str  # "forward" or "backward"
    arrays: dict[str, np.ndarray]
    axes: tuple[str, ...] = STEP_AXES
    path: str = "reference"  # "fused": recomputed from the kernel's states; "reference": the loop
    h_check: float | None = None  # max |h recomputed - h of the fused kernel|; None on "reference"
    # On "fused": "workspace" (the gates oneDNN computed, read from its training workspace)
    # or "recomputed" (batched products over the kernel's states); None on "reference".
    gates_from: str | None = None

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self.arrays:
            raise KeyError(f"{self.direction} direction recorded {list(self.arrays)}, not {name!r}")
        return self.arrays[name]


@dataclass(frozen=True)
class LayerTrace:
    """One layer: its input, the mask it saw, its recorded directions and its output.

    ``inputs`` has axes ``input_axes``: (batch, time, features) for sequence inputs, else
    (batch, features). ``output`` is exactly what the layer hands to the next one (a list when
    the last layer returns several tensors). Non-recurrent layers have no directions.
    """

    name: str
    kind: str  # "LSTM", "GRU", "SimpleRNN", "Dense", ...; "Bidirectional(LSTM)" for wrappers
    inputs: np.ndarray
    input_axes: tuple[str, ...]
    output: Any
    output_axes: tuple[str, ...]
    mask: np.ndarray | None = None  # (batch, time) True at real steps, None when unmasked
    directions: tuple[DirectionTrace, ...] = field(default=())

    @property
    def recurrent(self) -> bool:
        return bool(self.directions)

    @property
    def forward(self) -> DirectionTrace:
        return self._direction("forward")

    @property
    def backward(self) -> DirectionTrace:
        return self._direction("backward")

    def _direction(self, which: str) -> DirectionTrace:
        for d in self.directions:
            if d.direction == which:
                return d
        raise ConfigError(
            f"layer '{self.name}' ({self.kind}) has no {which} direction recorded"
            + ("" if self.directions else ": only recurrent layers record states and gates")
        )

    def __getitem__(self, name: str) -> np.ndarray:
        """``layer["h"]``: the array of the only (or forward) direction."""
        return self.forward[name]


@dataclass(frozen=True)
class Trace:
    """Per-layer records of one pass of ``inputs`` through a model; index by name or position."""

    inputs: np.ndarray
    layers: list[LayerTrace]

    @property
    def output(self) -> Any:
        """The model's output, equal to ``model.predict(inputs)``."""
        return self.layers[-1].output

    def __getitem__(self, key: str | int) -> LayerTrace:
        if isinstance(key, int):
            return self.layers[key]
        for layer in self.layers:
            if layer.name == key:
                return layer
        raise KeyError(f"no layer {key!r} in this trace; it has {[t.name for t in self.layers]}")

    def __len__(self) -> int:
        return len(self.layers)

    @property
    def max_h_difference(self) -> float:
        """The largest :attr:`DirectionTrace.h_check` over every fused-recorded direction (0.0
        when none was recorded from a fused kernel)."""
        checks = [d.h_check for layer in self.layers for d in layer.directions]
        return max((c for c in checks if c is not None), default=0.0)


def _axes(array: Any, last: str = "unit") -> tuple[str, ...]:
    ndim = len(array[0].shape) if isinstance(array, list) else len(array.shape)
    return ("batch", "time", last) if ndim == 3 else ("batch", last)[:ndim]


def _numpy(value: Any) -> Any:
    if isinstance(value, list):
        return [v.detach().cpu().numpy() for v in value]
    return value.detach().cpu().numpy()


def _direction(name: str, result: RunResult, kind: str, flip: bool) -> DirectionTrace:
    from .engine.record import H_ERROR

    arrays = {}
    for key in RECORD_ORDER[kind]:
        array = result.record[key].detach().cpu().numpy()  # (B, T, U), processing order
        arrays[key] = array[:, ::-1] if flip else array  # a view on input time, not a copy
    error = result.record.get(H_ERROR)  # (B, T); only the fused recording checks itself
    if error is None:
        return DirectionTrace(name, arrays)
    check = float(error.max()) if error.numel() else 0.0
    return DirectionTrace(name, arrays, path="fused", h_check=check, gates_from=result.gates_from)


def layer_output(module: Any, first: RunResult, second: RunResult | None = None) -> Any:
    """What a recurrent layer hands on, given its pass: one :class:`RunResult` for a plain
    layer (processing order), forward then backward for a ``Bidirectional`` (both aligned
    with input time). A list when the layer returns several tensors."""
    from .engine.bidirectional import merge

    if second is None:
        spec = module.spec
        output: Any = first.sequence if spec.return_sequences else first.last
        return [output, *first.states] if spec.return_state else output
    wrapper = module.spec
    pair = (
        (first.sequence, second.sequence) if wrapper.return_sequences else (first.last, second.last)
    )
    merged = merge(wrapper.merge_mode, *pair)
    if wrapper.return_state:
        return [*merged, *first.states, *second.states]
    return merged[0] if len(merged) == 1 else merged


def _run_layer(
    module: Any, x: torch.Tensor, mask: torch.Tensor | None
) -> tuple[Any, tuple[DirectionTrace, ...]]:
    """The layer's output, computed on the recording path, and its recorded directions."""
    from .engine.bidirectional import BidirectionalModule
    from .engine.recurrent import RecurrentModule

    if isinstance(module, RecurrentModule):
        result = module.run(x, mask, record=True)
        # go_backwards: the record is in processing order; put it back on input time.
        direction = _direction("forward", result, module.kind, module.spec.go_backwards)
        return layer_output(module, result), (direction,)
    if isinstance(module, BidirectionalModule):
        fw, bw = module.run(x, mask, record=True)  # records in processing order
        directions = (
            _direction("forward", fw, module.forward_layer.kind, False),
            _direction("backward", bw, module.backward_layer.kind, True),  # as its sequence
        )
        return layer_output(module, fw, bw), directions
    return module(x, mask), ()


def recorded_chain(model: ModelSpec, doing: str) -> list[tuple[Any, Any]]:
    """The model's layers in the order data flows through them, each with its module.

    Recording and interventions follow one path of layers; a functional model qualifies when
    it is a chain (one input, each layer reading the previous one's only output).

    Raises:
        ConfigError: the model is a graph with branches, merges or several outputs.
    """
    from .graph import Functional, SequentialSpec

    layers: list[Any] = list(model.layers)
    if isinstance(model, Functional) and not isinstance(model, SequentialSpec):
        chain = model.as_chain()
        if chain is None:
            raise ConfigError(
                f"{doing}: model '{model.name}' is a graph (branches, merges, shared layers, "
                f"several outputs or initial_state); {doing} follows a chain of layers: build "
                "the recurrent part as its own model, or use model.module on tensors"
            )
        layers = chain
    module = model.module
    by_name = dict(zip(module.names, module.layers))
    return [(layer, by_name[layer.name]) for layer in layers]


def trace(model: ModelSpec, x: Any, *, path: str = "auto") -> Trace:
    """Run ``x`` through ``model`` once, recording every layer at every time step.

    Recurrent layers run their fused kernel where it computes them exactly (masks included):
    an LSTM on oneDNN hands back the gates it computed (:mod:`rnnlens.engine.workspace`),
    other layers' gates are recomputed from its states in batched products, and the ``h``
    the recorded gates give is checked against the kernel's
    (:attr:`DirectionTrace.h_check`); the others, or all with ``path="reference"``, run
    the reference step loop. The outputs equal ``predict``'s up to float rounding. Dropout
    is off (inference mode). Stateful layers start from, and update, their carried states as
    in ``predict``.

    >>> import numpy as np, rnnlens as rl
    >>> from rnnlens.layers import LSTM
    >>> model = rl.Sequential([LSTM(4, return_sequences=True, input_shape=(3, 2)), LSTM(2)])
    >>> t = rl.trace(model, np.zeros((5, 3, 2)))
    >>> t[0]["f"].shape, t[0].forward.axes, t[1]["c"].shape, t.output.shape
    ((5, 3, 4), ('batch', 'time', 'unit'), (5, 3, 2), (5, 2))
    >>> t[0].forward.path, t.max_h_difference < 1e-4
    ('fused', True)

    Args:
        model: a :class:`~rnnlens.Sequential` model.
        x: inputs (batch, time, features), numbers; a few samples are enough.
        path: ``"auto"`` (fused recording where exact) or ``"reference"`` (the step loop).

    Returns:
        A :class:`Trace`: ``trace[name_or_index]`` is a :class:`LayerTrace` whose
        ``["h"]``, ``["c"]``, ``["i"]``... are numpy arrays (batch, time, units).

    Raises:
        InputDataError: ``x`` does not fit the model's input shape.
        ConfigError: ``path`` is neither ``"auto"`` nor ``"reference"``.
        RecordingMismatchError: the gates recomputed from a fused kernel do not reproduce
            its ``h`` (the recording would not be what the model computed).
    """
    import torch

    from .engine.predict import as_input_array, require_one_input, to_tensor, warn_non_finite
    from .engine.recurrent import RecurrentModule

    if path not in ("auto", "reference"):
        raise ConfigError(f"trace: path must be 'auto' or 'reference', received {path!r}")
    require_one_input(model, "trace")
    array = as_input_array(model, x)
    warn_non_finite(array)
    module = model.module
    device, dtype = module.placement()
    layers: list[LayerTrace] = []
    was_training = module.training
    recurrent = [m for m in module.modules() if isinstance(m, RecurrentModule)]
    paths = [m.path for m in recurrent]
    if path == "reference":
        for m in recurrent:
            m.path = "reference"
    module.eval()
    try:
        with torch.inference_mode():
            out: Any = to_tensor(array, dtype, device)
            mask: torch.Tensor | None = None
            for layer, layer_module in recorded_chain(model, "trace"):
                inputs = out
                next_mask = layer_module.next_mask(inputs, mask)
                out, directions = _run_layer(layer_module, inputs, mask)
                kind = type(layer).__name__
                if directions and kind == "Bidirectional":
                    kind = f"Bidirectional({layer_module.forward_layer.kind})"
                numpy_out = _numpy(out)
                layers.append(
                    LayerTrace(
                        name=layer.name,
                        kind=kind,
                        inputs=_numpy(inputs),
                        input_axes=_axes(inputs, "features"),
                        output=numpy_out,
                        output_axes=_axes(numpy_out),
                        mask=None if mask is None else mask.cpu().numpy(),
                        directions=directions,
                    )
                )
                mask = next_mask
    finally:
        module.train(was_training)
        for m, previous in zip(recurrent, paths):
            m.path = previous
    return Trace(inputs=array, layers=layers)


class _CallableModule(types.ModuleType):
    """Once ``rnnlens.trace`` (this module) is imported, Python binds the name ``trace`` on the
    package to the module, shadowing the function ``rl.trace``; calling the module calls it."""

    def __call__(self, model: ModelSpec, x: Any, *, path: str = "auto") -> Trace:
        return trace(model, x, path=path)


sys.modules[__name__].__class__ = _CallableModule
