"""A live ``nn.Module`` and its submodules as :mod:`rnnlens.pytorch.spec` specs.

Reads the modules' attributes only (``hidden_size``, ``batch_first``...); parameters keep
their real names and shapes, so ``count_params`` equals ``sum(p.numel())``.
"""

from __future__ import annotations

from typing import Any

from torch import nn

from .modules import ACTIVATIONS, Activation, Container, ModuleSpec, Param, Unknown
from .spec import CellSpec, RNNSpec, make_module


def _own(module: nn.Module) -> tuple[Param, ...]:
    return tuple(
        Param(name, tuple(p.shape), "held by the module itself")
        for name, p in module.named_parameters(recurse=False)
    )


def _single(value: Any) -> Any:
    return value[0] if isinstance(value, tuple) and len(value) == 1 else value


def spec_of(module: nn.Module) -> ModuleSpec:
    """The spec of one module (containers and custom modules include their children)."""
    if isinstance(module, nn.RNNBase) and type(module).__name__ in ("LSTM", "GRU", "RNN"):
        mode = {"RNN_TANH": "RNN", "RNN_RELU": "RNN"}.get(module.mode, module.mode)
        return RNNSpec(
            mode,
            module.input_size,
            module.hidden_size,
            num_layers=module.num_layers,
            bias=module.bias,
            batch_first=module.batch_first,
            dropout=float(module.dropout),
            bidirectional=module.bidirectional,
            proj_size=getattr(module, "proj_size", 0),
            nonlinearity="relu" if module.mode == "RNN_RELU" else "tanh",
        )
    if isinstance(module, (nn.LSTMCell, nn.GRUCell, nn.RNNCell)):
        mode = type(module).__name__[:-4]
        nonlinearity = getattr(module, "nonlinearity", "tanh")
        return CellSpec(mode, module.input_size, module.hidden_size, module.bias, nonlinearity)
    simple = _simple(module)
    if simple is not None:
        return simple
    children = tuple((name, spec_of(child)) for name, child in module.named_children())
    if children or isinstance(module, (nn.Sequential, nn.ModuleList, nn.ModuleDict)):
        return Container(type(module).__name__, children, _own(module))
    name = type(module).__name__
    if name in ACTIVATIONS and not _own(module):
        return Activation(name)
    return Unknown(name, _own(module))


def _simple(module: nn.Module) -> ModuleSpec | None:
    if type(module) is nn.Linear:
        return make_module(
            "Linear", module.in_features, module.out_features, module.bias is not None
        )
    if type(module) is nn.Embedding:
        return make_module(
            "Embedding", module.num_embeddings, module.embedding_dim, module.padding_idx
        )
    if type(module) is nn.Conv1d and isinstance(module.padding, tuple):
        return make_module(
            "Conv1d",
            module.in_channels,
            module.out_channels,
            _single(module.kernel_size),
            stride=_single(module.stride),
            padding=_single(module.padding),
            dilation=_single(module.dilation),
            groups=module.groups,
            bias=module.bias is not None,
        )
    if type(module) is nn.MaxPool1d and not module.ceil_mode:
        return make_module(
            "MaxPool1d", _single(module.kernel_size), _single(module.stride), _single(module.padding),
            _single(module.dilation),
        )  # fmt: skip
    if type(module) in (nn.Dropout, nn.Dropout1d):
        return make_module("Dropout", module.p)
    if type(module) is nn.Flatten:
        return make_module("Flatten", module.start_dim, module.end_dim)
    return None


def specs_of(root: nn.Module) -> dict[str, ModuleSpec]:
    """Every named submodule's spec by dotted path, in definition order (the root excluded)."""
    return {name: spec_of(sub) for name, sub in root.named_modules() if name}
