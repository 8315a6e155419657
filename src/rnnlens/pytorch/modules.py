"""The non-recurrent ``torch.nn`` modules a recurrent model is built from, as pure data.

Each spec holds the constructor's arguments under torch's names, lists its parameters as
``named_parameters()`` would (name, shape) and computes its output shape from an input shape.
Sizes may be ints or symbolic sizes (objects with ``+ - * //``, e.g. from
:mod:`rnnlens.symbolic`); ``None`` in a shape is a size nobody knows (often the batch).

>>> Linear(128, 1).parameters()
[Param(name='weight', shape=(1, 128), role='in_features → out_features'), Param(name='bias', shape=(1,), role='added to each output')]
>>> Conv1d(2, 16, 3, padding=1).output_shapes((32, 2, 10))
{'out': (32, 16, 10)}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import ShapeError

#: An int, a symbolic size, or None (unknown).
Size = Any
Shape = tuple[Any, ...]


def known(value: Any) -> bool:
    """True for a concrete int (not a symbol, not None)."""
    return isinstance(value, int) and not isinstance(value, bool)


def size_text(value: Any) -> str:
    """``17,408`` for ints, the symbol's own text otherwise, ``?`` for None."""
    if value is None:
        return "?"
    return f"{value:,}" if known(value) else str(value)


def product(shape: Shape) -> Size:
    total: Size = 1
    for dim in shape:
        total = total * dim
    return total


def check_features(what: str, received: Any, expected: Size, layout: str) -> None:
    """Raise a ShapeError when the last axis is known on both sides and differs."""
    if known(received) and known(expected) and received != expected:
        raise ShapeError(
            f"{what} expects input {layout} with features={expected} on the last axis, "
            f"received {received}"
        )


@dataclass(frozen=True)
class Param:
    """One parameter tensor, named as ``module.named_parameters()`` names it."""

    name: str
    shape: tuple[Size, ...]
    role: str

    @property
    def count(self) -> Size:
        return product(self.shape)


@dataclass(frozen=True)
class ModuleSpec:
    """Base of every module spec: parameters, their count, output shapes, what it returns."""

    @property
    def type_name(self) -> str:
        """The ``torch.nn`` class name (``"LSTM"``, ``"Linear"``...)."""
        return type(self).__name__

    def parameters(self) -> list[Param]:
        return []

    def count_params(self) -> Size:
        total: Size = 0
        for param in self.parameters():
            total = total + param.count
        return total

    def returns(self) -> Any:
        """Names of what ``forward`` returns (nested like torch's tuples); most return ``"out"``."""
        return "out"

    def output_shapes(self, input_shape: Shape) -> dict[str, Shape]:
        """Shapes of what ``forward`` returns, keyed by the names of :meth:`returns`."""
        return {"out": tuple(input_shape)}


def _last_axis(what: str, shape: Shape, expected: Size) -> None:
    if not shape:
        raise ShapeError(f"{what} needs at least one axis, received a scalar")
    if known(shape[-1]) and known(expected) and shape[-1] != expected:
        raise ShapeError(
            f"{what} expects {expected} features on the last axis, received shape {tuple(shape)}"
        )


@dataclass(frozen=True)
class Linear(ModuleSpec):
    """``nn.Linear(in_features, out_features, bias=True)``: ``weight (out, in)``, ``bias (out,)``."""

    in_features: Size
    out_features: Size
    bias: bool = True

    def parameters(self) -> list[Param]:
        params = [
            Param("weight", (self.out_features, self.in_features), "in_features → out_features")
        ]
        if self.bias:
            params.append(Param("bias", (self.out_features,), "added to each output"))
        return params

    def output_shapes(self, input_shape: Shape) -> dict[str, Shape]:
        _last_axis("nn.Linear", tuple(input_shape), self.in_features)
        return {"out": (*tuple(input_shape)[:-1], self.out_features)}


@dataclass(frozen=True)
class Embedding(ModuleSpec):
    """``nn.Embedding(num_embeddings, embedding_dim, padding_idx=None)``: ids → vectors."""

    num_embeddings: Size
    embedding_dim: Size
    padding_idx: int | None = None

    def parameters(self) -> list[Param]:
        return [Param("weight", (self.num_embeddings, self.embedding_dim), "one row per token id")]

    def output_shapes(self, input_shape: Shape) -> dict[str, Shape]:
        return {"out": (*tuple(input_shape), self.embedding_dim)}


def _conv_length(length: Size, kernel: int, stride: int, padding: int, dilation: int) -> Size:
    if length is None:
        return None
    return (length + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


@dataclass(frozen=True)
class Conv1d(ModuleSpec):
    """``nn.Conv1d``: input ``(batch, channels, length)`` (channels first, unlike Keras)."""

    in_channels: Size
    out_channels: Size
    kernel_size: int
    stride: int = 1
    padding: int = 0
    dilation: int = 1
    groups: int = 1
    bias: bool = True

    def parameters(self) -> list[Param]:
        weight = (self.out_channels, self.in_channels // self.groups, self.kernel_size)
        params = [Param("weight", weight, "out_channels × in_channels/groups × kernel_size")]
        if self.bias:
            params.append(Param("bias", (self.out_channels,), "added to each output channel"))
        return params

    def output_shapes(self, input_shape: Shape) -> dict[str, Shape]:
        shape = tuple(input_shape)
        if len(shape) not in (2, 3):
            raise ShapeError(f"nn.Conv1d expects (batch, channels, length), received shape {shape}")
        channels = shape[-2]
        if known(channels) and known(self.in_channels) and channels != self.in_channels:
            raise ShapeError(
                f"nn.Conv1d expects (batch, channels={self.in_channels}, length), received "
                f"shape {shape}: a (batch, time, features) tensor needs x.transpose(1, 2) first"
            )
        length = _conv_length(shape[-1], self.kernel_size, self.stride, self.padding, self.dilation)
        return {"out": (*shape[:-2], self.out_channels, length)}


@dataclass(frozen=True)
class MaxPool1d(ModuleSpec):
    """``nn.MaxPool1d(kernel_size, stride=kernel_size, padding=0, dilation=1)`` on the last axis."""

    kernel_size: int
    stride: int | None = None
    padding: int = 0
    dilation: int = 1

    def output_shapes(self, input_shape: Shape) -> dict[str, Shape]:
        shape = tuple(input_shape)
        stride = self.stride or self.kernel_size
        length = _conv_length(shape[-1], self.kernel_size, stride, self.padding, self.dilation)
        return {"out": (*shape[:-1], length)}


@dataclass(frozen=True)
class Dropout(ModuleSpec):
    """``nn.Dropout(p)``: zeroes a fraction ``p`` in training, identity in ``eval()``."""

    p: float = 0.5


@dataclass(frozen=True)
class Flatten(ModuleSpec):
    """``nn.Flatten(start_dim=1, end_dim=-1)``."""

    start_dim: int = 1
    end_dim: int = -1

    def output_shapes(self, input_shape: Shape) -> dict[str, Shape]:
        shape = tuple(input_shape)
        end = self.end_dim % len(shape) if shape else 0
        merged = shape[self.start_dim : end + 1]
        size = None if any(d is None for d in merged) else product(merged)
        return {"out": (*shape[: self.start_dim], size, *shape[end + 1 :])}


#: Shape-preserving modules known by name (their options do not change shapes).
ACTIVATIONS = (
    "ReLU", "Tanh", "Sigmoid", "Softmax", "LogSoftmax", "GELU", "LeakyReLU", "ELU", "SELU",
    "SiLU", "Softplus", "Softsign", "Mish", "Hardtanh", "ReLU6", "Hardsigmoid", "Identity",
    "PReLU", "LayerNorm", "BatchNorm1d",
)  # fmt: skip


@dataclass(frozen=True)
class Activation(ModuleSpec):
    """An element-wise module such as ``nn.ReLU()`` or ``nn.Softmax(dim=-1)`` (no parameters)."""

    name: str
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def type_name(self) -> str:
        return self.name


@dataclass(frozen=True)
class Container(ModuleSpec):
    """``nn.Sequential`` (``kind="Sequential"``: each child feeds the next), ``nn.ModuleList``,
    or (in memory) any module with children; ``own`` are parameters it holds itself."""

    kind: str
    children: tuple[tuple[str, ModuleSpec], ...]
    own: tuple[Param, ...] = ()

    @property
    def type_name(self) -> str:
        return self.kind

    def parameters(self) -> list[Param]:
        return list(self.own) + [
            Param(f"{name}.{p.name}", p.shape, p.role)
            for name, child in self.children
            for p in child.parameters()
        ]

    def output_shapes(self, input_shape: Shape) -> dict[str, Shape]:
        if self.kind != "Sequential":
            return super().output_shapes(input_shape)
        shape: Shape = tuple(input_shape)
        for _, child in self.children:
            outputs = child.output_shapes(shape)
            shape = outputs["out"] if "out" in outputs else next(iter(outputs.values()))
        return {"out": shape}


@dataclass(frozen=True)
class Unknown(ModuleSpec):
    """A module outside this vocabulary: its type and, when known (in memory), its parameters."""

    name: str
    params: tuple[Param, ...] = ()

    @property
    def type_name(self) -> str:
        return self.name

    def parameters(self) -> list[Param]:
        return list(self.params)
