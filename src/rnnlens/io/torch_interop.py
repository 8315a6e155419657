"""rnnlens models as plain ``torch.nn`` modules, and back.

:func:`to_torch` builds a :class:`KerasStack`: an ``nn.Module`` whose blocks hold stock
``nn.LSTM`` / ``nn.GRU`` / ``nn.RNN`` (``batch_first=True``) and ``nn.Linear`` modules with the
model's weights, plus the few lines of glue Keras's semantics need (last step vs. sequence,
``go_backwards``, ``merge_mode``, ``return_state``). Conversions, all exact in the forward
pass (the Keras -> torch layout lives in :mod:`rnnlens.engine.layout`):

* Keras's one bias per gate becomes ``bias_ih``; ``bias_hh`` is zero.
* GRU gates z, r, h become torch's r, z, n. Only ``reset_after=True`` GRUs exist in torch.
* Bidirectional layers become one ``nn.LSTM(bidirectional=True)`` when both directions match,
  else two single-direction modules.

Not representable, and refused with the reason: activations other than tanh (relu for
SimpleRNN) and recurrent activations other than sigmoid, GRU ``reset_after=False``, Masking,
stateful layers. Dropout inside recurrent layers acts only in training and is not carried
over: the modules reproduce inference. The stack is returned in ``eval()`` mode.

:func:`from_torch` goes back. It accepts a :class:`KerasStack`, one ``nn.LSTM/GRU/RNN``, or an
``nn.Sequential`` / list of ``nn.LSTM``, ``nn.GRU``, ``nn.RNN``, ``nn.Linear`` (optionally
followed by an activation module such as ``nn.ReLU``), ``nn.Dropout`` and ``nn.Flatten``, read
as a Keras stack: each recurrent layer hands its whole output sequence to the next; the last
recurrent layer hands on its final state unless ``return_sequences=True`` (for a
bidirectional module both directions' ``h_n``, as Keras does, not ``output[:, -1]``). ``num_layers > 1``
becomes that many stacked layers, ``bidirectional=True`` a ``Bidirectional`` (concat).

>>> import numpy as np, torch, rnnlens as rl
>>> from rnnlens.layers import LSTM, Dense
>>> model = rl.Sequential([LSTM(8, return_sequences=True, input_shape=(5, 3)), LSTM(4), Dense(1)])
>>> stack = rl.to_torch(model)
>>> x = np.random.default_rng(0).normal(size=(2, 5, 3)).astype("float32")
>>> bool(np.allclose(stack(torch.from_numpy(x)).detach().numpy(), model.predict(x), atol=1e-6))
True
>>> back = rl.from_torch([torch.nn.LSTM(3, 8, batch_first=True), torch.nn.Linear(8, 1)])
>>> [layer.output_shape for layer in back.layers]
[(None, 8), (None, 1)]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import nn

from ..engine.bidirectional import merge
from ..engine.layout import keras_to_torch, torch_to_keras
from ..errors import ConfigError
from ..hooks import runtime
from ..layers import (
    GRU,
    LSTM,
    Bidirectional,
    Dense,
    Dropout,
    Flatten,
    Input,
    Layer,
    Recurrent,
    RepeatVector,
    SimpleRNN,
    TimeDistributed,
)
from .torch_blocks import StepWise, layer_block

if TYPE_CHECKING:
    from ..graph import ModelSpec

_TORCH_RNN = {"LSTM": nn.LSTM, "GRU": nn.GRU, "SimpleRNN": nn.RNN}
_ACTIVATION_MODULES: dict[str, Any] = {
    "linear": nn.Identity,
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "hard_sigmoid": nn.Hardsigmoid,  # relu6(x + 3) / 6, Keras 3's definition
    "softmax": lambda: nn.Softmax(dim=-1),
    "elu": nn.ELU,
    "selu": nn.SELU,
    "softplus": nn.Softplus,
    "softsign": nn.Softsign,
    "swish": nn.SiLU,
    "silu": nn.SiLU,
    "relu6": nn.ReLU6,
    "leaky_relu": lambda: nn.LeakyReLU(0.2),  # Keras's default slope
    "mish": nn.Mish,
    "hard_tanh": nn.Hardtanh,
}


# ----------------------------------------------------------------- blocks
class RecurrentBlock(nn.Module):
    """One Keras recurrent layer around a stock ``nn.LSTM/GRU/RNN`` (batch first)."""

    def __init__(
        self, rnn: nn.RNNBase, *, return_sequences: bool, return_state: bool, go_backwards: bool
    ) -> None:
        super().__init__()
        self.rnn = rnn
        self.return_sequences, self.return_state = return_sequences, return_state
        self.go_backwards = go_backwards

    def run(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Output sequence in processing order (B, T, U) and the final states, each (B, U)."""
        if self.go_backwards:
            x = x.flip(1)  # Keras returns the outputs in this (reversed) order too
        sequence, state = self.rnn(x)
        states = list(state) if isinstance(state, tuple) else [state]
        return sequence, [s[0] for s in states]

    def forward(self, x: torch.Tensor) -> torch.Tensor | list[torch.Tensor]:
        sequence, states = self.run(x)
        output = sequence if self.return_sequences else sequence[:, -1]
        return [output, *states] if self.return_state else output


class BidirectionalBlock(nn.Module):
    """Keras's Bidirectional: one ``nn.RNNBase(bidirectional=True)``, or two single ones."""

    def __init__(
        self,
        *,
        fused: nn.RNNBase | None,
        pair: tuple[RecurrentBlock, RecurrentBlock] | None,
        merge_mode: str | None,
        return_sequences: bool,
        return_state: bool,
    ) -> None:
        super().__init__()
        self.fused = fused
        self.pair = None if pair is None else nn.ModuleList(pair)
        self.merge_mode = merge_mode
        self.return_sequences, self.return_state = return_sequences, return_state

    def forward(self, x: torch.Tensor) -> torch.Tensor | list[torch.Tensor]:
        if self.fused is not None:
            sequence, state = self.fused(x)  # (B, T, 2U); states (2, B, U)
            units = self.fused.hidden_size
            fw, bw = sequence[..., :units], sequence[..., units:]  # both time-aligned
            fw_last, bw_last = fw[:, -1], bw[:, 0]  # the backward pass ends at step 0
            states = list(state) if isinstance(state, tuple) else [state]
            fw_states, bw_states = [s[0] for s in states], [s[1] for s in states]
        else:
            assert self.pair is not None
            blocks = [b for b in self.pair if isinstance(b, RecurrentBlock)]
            fw, fw_states = blocks[0].run(x)
            bw, bw_states = blocks[1].run(x)
            fw_last, bw_last = fw[:, -1], bw[:, -1]
            fw = fw.flip(1) if blocks[0].go_backwards else fw  # back onto the input's time order
            bw = bw.flip(1) if blocks[1].go_backwards else bw
        if self.return_sequences:
            merged = merge(self.merge_mode, fw, bw)
        else:
            merged = merge(self.merge_mode, fw_last, bw_last)
        if not self.return_state:
            return merged[0] if len(merged) == 1 else merged
        return [*merged, *fw_states, *bw_states]


class RepeatSteps(nn.Module):
    """Keras's RepeatVector: (B, D) -> (B, n, D)."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = n

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.unsqueeze(1).expand(-1, self.n, -1)


class KerasStack(nn.Module):
    """A rnnlens model as stock torch modules; ``config`` is the rnnlens config it came from."""

    def __init__(self, blocks: list[nn.Module], config: dict[str, Any]) -> None:
        super().__init__()
        self.blocks = nn.ModuleList(blocks)
        self.config = config

    def forward(self, x: torch.Tensor) -> Any:
        out: Any = x
        for block in self.blocks:
            out = block(out)
        return out


# ------------------------------------------------------------ rnnlens -> torch
def to_torch(model: ModelSpec) -> KerasStack:
    """Stock torch modules computing ``model`` (in ``eval()`` mode, float32).

    Raises:
        ConfigError: a layer torch's modules cannot compute exactly (the reason is named).
    """
    from ..graph import Functional, SequentialSpec

    config, layers = model.get_config(), model.layers
    if isinstance(model, Functional) and not isinstance(model, SequentialSpec):
        chain, config = model.as_chain(), model.chain_config()  # type: ignore[assignment]
        if chain is None or config is None:
            raise ConfigError(
                f"model '{model.name}' is a graph (several inputs or outputs, merges, shared "
                "layers or initial_state): to_torch and ONNX export convert a chain of layers; "
                "use model.module, the torch.nn.Module that computes the whole graph"
            )
        layers = chain
    blocks = [_block(layer) for layer in layers]
    return KerasStack(blocks, config).eval()


def _block(layer: Layer) -> nn.Module:
    if isinstance(layer, Recurrent):
        return _recurrent_block(layer)
    if isinstance(layer, Bidirectional):
        return _bidirectional_block(layer)
    if isinstance(layer, TimeDistributed):
        if isinstance(layer.layer, (Dense, Dropout)):
            return _block(layer.layer)  # Linear and Dropout already act on the last axis
        return StepWise(_block(layer.layer))
    if isinstance(layer, Dense):
        weights = layer.get_weights()
        linear = nn.Linear(weights[0].shape[0], layer.units, bias=layer.use_bias)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(weights[0].T.copy()))
            if layer.use_bias:
                linear.bias.copy_(torch.from_numpy(weights[1]))
        if layer.activation not in _ACTIVATION_MODULES:
            raise ConfigError(
                f"{layer.describe()}: activation {layer.activation!r} has no torch.nn module"
            )
        return nn.Sequential(linear, _ACTIVATION_MODULES[layer.activation]())
    if isinstance(layer, Dropout):
        return nn.Dropout(layer.rate)
    if isinstance(layer, Flatten):
        return nn.Flatten()
    if isinstance(layer, RepeatVector):
        return RepeatSteps(layer.n)
    block = layer_block(layer, _block, _ACTIVATION_MODULES)  # the layers around the recurrent ones
    if block is not None:
        return block
    raise ConfigError(
        f"{layer.describe()}: no plain torch.nn equivalent (torch's recurrent modules take no "
        "time-step mask); convert a model without it, or use model.module"
    )


def _check_representable(layer: Recurrent) -> None:
    reasons = []
    if isinstance(layer, SimpleRNN):
        if layer.activation not in ("tanh", "relu"):
            reasons.append(f"activation={layer.activation!r} (nn.RNN has tanh or relu)")
    elif layer.activation != "tanh":
        reasons.append(f"activation={layer.activation!r} (torch's cell uses tanh)")
    if getattr(layer, "recurrent_activation", "sigmoid") != "sigmoid":
        reasons.append(f"recurrent_activation={layer.recurrent_activation!r} (torch uses sigmoid)")  # type: ignore[attr-defined]
    if isinstance(layer, GRU) and not layer.reset_after:
        reasons.append("reset_after=False (torch.nn.GRU is the reset_after=True variant)")
    if layer.stateful:
        reasons.append("stateful=True (torch modules carry no state between calls)")
    if reasons:
        raise ConfigError(
            f"{layer.describe()} cannot become a torch.nn module: {'; '.join(reasons)}"
        )


def _torch_rnn(layer: Recurrent, *, bidirectional: bool = False) -> nn.RNNBase:
    _check_representable(layer)
    kind = type(layer).__name__
    options: dict[str, Any] = {
        "batch_first": True,
        "bias": layer.use_bias,
        "bidirectional": bidirectional,
    }
    if kind == "SimpleRNN":
        options["nonlinearity"] = layer.activation
    rnn: nn.RNNBase = _TORCH_RNN[kind](layer.input_features, layer.units, **options)
    return rnn


def _load_direction(rnn: nn.RNNBase, layer: Recurrent, suffix: str = "") -> None:
    kind = type(layer).__name__
    kernel, recurrent, *bias = (torch.from_numpy(w) for w in layer.get_weights())
    weights = keras_to_torch(kind, kernel, recurrent, bias[0] if bias else None)
    names = ["weight_ih", "weight_hh", "bias_ih", "bias_hh"][: len(weights)]
    with torch.no_grad():
        for name, value in zip(names, weights):
            getattr(rnn, f"{name}_l0{suffix}").copy_(value)


def _recurrent_block(layer: Recurrent) -> RecurrentBlock:
    rnn = _torch_rnn(layer)
    _load_direction(rnn, layer)
    return RecurrentBlock(
        rnn,
        return_sequences=layer.return_sequences,
        return_state=layer.return_state,
        go_backwards=layer.go_backwards,
    )


def _bidirectional_block(layer: Bidirectional) -> BidirectionalBlock:
    fw, bw = layer.forward, layer.backward
    options: dict[str, Any] = {
        "merge_mode": layer.merge_mode,
        "return_sequences": layer.return_sequences,
        "return_state": layer.return_state,
    }
    same = (
        type(fw) is type(bw)
        and fw.units == bw.units
        and fw.use_bias == bw.use_bias
        and fw.activation == bw.activation
        and not fw.go_backwards
    )
    if same:
        rnn = _torch_rnn(fw, bidirectional=True)
        _check_representable(bw)
        _load_direction(rnn, fw)
        _load_direction(rnn, bw, "_reverse")
        return BidirectionalBlock(fused=rnn, pair=None, **options)
    pair = (_recurrent_block(fw), _recurrent_block(bw))
    for block in pair:  # the pair's own flags are unused: BidirectionalBlock merges
        block.return_sequences, block.return_state = True, False
    return BidirectionalBlock(fused=None, pair=pair, **options)


# ------------------------------------------------------------ torch -> rnnlens
def from_torch(
    source: nn.Module | Sequence[nn.Module],
    input_shape: tuple[int | None, int] | None = None,
    *,
    return_sequences: bool = False,
) -> ModelSpec:
    """A rnnlens model computing the same function as ``source`` (see the module docstring).

    Args:
        source: a :class:`KerasStack`, an ``nn.LSTM/GRU/RNN``, or an ``nn.Sequential`` / list
            of the supported modules.
        input_shape: ``(time, features)``; by default ``(None, <first module's input size>)``.
        return_sequences: whether the last recurrent layer hands on every step.

    Raises:
        ConfigError: unsupported modules (all listed) or options (``proj_size``).
    """
    Sequential = runtime().model_class("sequential")
    if isinstance(source, KerasStack):
        model = Sequential.from_config(source.config)
        weights = [w for block in source.blocks for w in _block_weights(block)]
        model.set_weights(weights)
        return model
    modules: list[nn.Module] = (
        list(source) if isinstance(source, (nn.Sequential, list, tuple)) else [source]  # type: ignore[list-item]
    )
    layers, weights = _layers_from_modules(modules, return_sequences)
    if not layers:
        raise ConfigError("from_torch received no modules")
    features = _input_size(modules[0])
    shape = input_shape if input_shape is not None else (None, features)
    model = Sequential([Input(shape=tuple(shape)), *layers])
    model.set_weights(weights)
    return model


def _input_size(module: nn.Module) -> int:
    size = getattr(module, "input_size", getattr(module, "in_features", None))
    if not isinstance(size, int):
        raise ConfigError(
            f"from_torch cannot tell the input size from {type(module).__name__}: pass input_shape=(time, features)"
        )
    return size


def _layers_from_modules(
    modules: list[nn.Module], return_sequences: bool
) -> tuple[list[Layer], list[np.ndarray]]:
    unsupported = [
        type(m).__name__
        for m in modules
        if not isinstance(m, (nn.RNNBase, nn.Linear, nn.Dropout, nn.Flatten, *_FOLDABLE))
    ]
    if unsupported:
        raise ConfigError(
            f"from_torch: unsupported modules {unsupported}; it reads nn.LSTM, nn.GRU, nn.RNN, "
            "nn.Linear (+ activation), nn.Dropout, nn.Flatten"
        )
    last_rnn = max((i for i, m in enumerate(modules) if isinstance(m, nn.RNNBase)), default=-1)
    layers: list[Layer] = []
    weights: list[np.ndarray] = []
    for i, module in enumerate(modules):
        if isinstance(module, nn.RNNBase):
            new, arrays = _recurrent_layers(module, return_sequences or i != last_rnn)
            layers += new
            weights += arrays
        elif isinstance(module, nn.Linear):
            follower = modules[i + 1] if i + 1 < len(modules) else None
            activation = (
                _FOLDABLE.get(type(follower), "linear") if follower is not None else "linear"
            )
            if isinstance(follower, nn.Softmax) and follower.dim not in (-1, None):
                raise ConfigError("from_torch: nn.Softmax must act on the last axis (dim=-1)")
            layers.append(
                Dense(module.out_features, activation=activation, use_bias=module.bias is not None)
            )
            weights.append(module.weight.detach().numpy().T.copy())
            if module.bias is not None:
                weights.append(module.bias.detach().numpy().copy())
        elif isinstance(module, nn.Dropout):
            layers.append(Dropout(module.p))
        elif isinstance(module, nn.Flatten):
            layers.append(Flatten())
        elif not (i > 0 and isinstance(modules[i - 1], nn.Linear)):
            raise ConfigError(
                f"from_torch: {type(module).__name__} at position {i} must follow an nn.Linear "
                "(rnnlens folds it into Dense(activation=...))"
            )
    return layers, weights


_FOLDABLE: dict[type, str] = {
    nn.ReLU: "relu",
    nn.Tanh: "tanh",
    nn.Sigmoid: "sigmoid",
    nn.Softmax: "softmax",
    nn.ELU: "elu",
    nn.SELU: "selu",
    nn.Softplus: "softplus",
    nn.Softsign: "softsign",
    nn.SiLU: "silu",
    nn.ReLU6: "relu6",
    nn.Mish: "mish",
    nn.Hardsigmoid: "hard_sigmoid",
    nn.Identity: "linear",
}


def _recurrent_layers(
    module: nn.RNNBase, sequences_out: bool
) -> tuple[list[Layer], list[np.ndarray]]:
    kind = {"LSTM": "LSTM", "GRU": "GRU", "RNN_TANH": "SimpleRNN", "RNN_RELU": "SimpleRNN"}.get(
        module.mode
    )
    if kind is None or getattr(module, "proj_size", False):
        raise ConfigError(f"from_torch: {module!r} has no Keras equivalent (proj_size or mode)")
    layers: list[Layer] = []
    weights: list[np.ndarray] = []
    for depth in range(module.num_layers):
        options: dict[str, Any] = {
            "use_bias": module.bias,
            "return_sequences": sequences_out or depth < module.num_layers - 1,
        }
        if kind == "SimpleRNN":
            options["activation"] = "relu" if module.mode == "RNN_RELU" else "tanh"
        cls = {"LSTM": LSTM, "GRU": GRU, "SimpleRNN": SimpleRNN}[kind]
        inner = cls(module.hidden_size, **options)
        suffixes = ["", "_reverse"] if module.bidirectional else [""]
        for suffix in suffixes:
            names = ["weight_ih", "weight_hh"] + (["bias_ih", "bias_hh"] if module.bias else [])
            tensors = [getattr(module, f"{n}_l{depth}{suffix}").detach() for n in names]
            weights += [t.numpy().copy() for t in torch_to_keras(kind, tensors)]
        layers.append(Bidirectional(inner) if module.bidirectional else inner)
        if module.dropout and depth < module.num_layers - 1:
            layers.append(Dropout(module.dropout))
    return layers, weights


def _block_weights(block: nn.Module) -> list[np.ndarray]:
    """Keras-order weights of a block built by :func:`to_torch` (after any torch training)."""

    def direction(rnn: nn.RNNBase, suffix: str) -> list[np.ndarray]:
        kind = {"LSTM": "LSTM", "GRU": "GRU"}.get(rnn.mode, "SimpleRNN")
        names = ["weight_ih", "weight_hh"] + (["bias_ih", "bias_hh"] if rnn.bias else [])
        tensors = [getattr(rnn, f"{n}_l0{suffix}").detach() for n in names]
        return [t.numpy().copy() for t in torch_to_keras(kind, tensors)]

    if isinstance(block, RecurrentBlock):
        return direction(block.rnn, "")
    if isinstance(block, BidirectionalBlock):
        if block.fused is not None:
            return direction(block.fused, "") + direction(block.fused, "_reverse")
        assert block.pair is not None
        return [w for inner in block.pair for w in _block_weights(inner)]
    if isinstance(block, nn.Sequential) and isinstance(block[0], nn.Linear):
        linear = block[0]
        out = [linear.weight.detach().numpy().T.copy()]
        return out + ([linear.bias.detach().numpy().copy()] if linear.bias is not None else [])
    return []
