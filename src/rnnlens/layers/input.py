"""``Input`` and ``InputLayer``: where a model graph starts.

``Input(shape=(time, features))`` returns a symbolic tensor of shape ``(batch, time,
features)`` (batch first, ``None`` unless ``batch_size`` is given), made by an
:class:`InputLayer` that computes nothing. Layers are then called on it: ``LSTM(32)(x)``.
``Sequential([Input(...), ...])`` accepts it too, as Keras 3 does.

>>> x = Input(shape=(None, 8), name="tokens")
>>> x.shape, x.layer.name, type(x.layer).__name__
((None, None, 8), 'tokens', 'InputLayer')
"""

from __future__ import annotations

from typing import Any

from ..errors import ConfigError
from ..nodes import Node, SymbolicTensor
from ..shapes import Shape, as_shape
from .base import Layer


class InputLayer(Layer):
    """The layer behind :func:`Input`: one node with no arguments and one output tensor.

    Accepts Keras 3's ``shape``/``batch_size``/``batch_shape`` and Keras 2's
    ``input_shape``/``batch_input_shape``. It has no weights and hands its input on as is.
    """

    supports_masking = False

    def __init__(
        self,
        shape: tuple[int | None, ...] | None = None,
        batch_size: int | None = None,
        dtype: str | None = None,
        batch_shape: tuple[int | None, ...] | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        for keras2, keras3 in (("input_shape", "shape"), ("batch_input_shape", "batch_shape")):
            if kwargs.get(keras2) is not None:
                value = kwargs.pop(keras2)
                shape, batch_shape = (value, batch_shape) if keras3 == "shape" else (shape, value)
        for option in ("sparse", "ragged", "optional"):
            if kwargs.pop(option, None):
                raise ConfigError(f"Input: {option}=True is not supported by rnnlens")
        if kwargs.pop("input_tensor", kwargs.pop("tensor", None)) is not None:
            raise ConfigError("Input: input_tensor= is not supported; give shape=...")
        if shape is None and batch_shape is not None:
            full = tuple(batch_shape)
            shape, batch_size = full[1:], full[0]
        if shape is None:
            raise ConfigError(
                "InputLayer needs shape=(time, features), for example InputLayer(shape=(10, 2))"
            )
        super().__init__(name=name, **kwargs)
        self.shape: Shape = as_shape(shape, what="Input shape")
        self.batch_size: int | None = batch_size
        self.dtype = dtype or "float32"
        full_shape: Shape = (batch_size, *self.shape)
        self.input_shape = self.output_shape = full_shape
        node = Node(self, [], {})
        self.inbound_nodes.append(node)
        #: The symbolic tensor this input hands to the layers called on it.
        self.output = SymbolicTensor(full_shape, self.dtype, self, 0, 0)
        node.outputs.append(self.output)

    @property
    def batch_shape(self) -> Shape:
        """``(batch_size, *shape)``, Keras's ``batch_shape``."""
        return (self.batch_size, *self.shape)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "batch_shape": list(self.batch_shape), "dtype": self.dtype}


def Input(
    shape: tuple[int | None, ...] | None = None,
    batch_size: int | None = None,
    dtype: str | None = None,
    batch_shape: tuple[int | None, ...] | None = None,
    name: str | None = None,
    **kwargs: Any,
) -> SymbolicTensor:
    """A symbolic input tensor ``(batch_size, *shape)``, as ``keras.Input``.

    Args:
        shape: the sizes of one sample, batch excluded (``None`` for a size that varies).
        batch_size: a fixed batch size (``None``: any).
        dtype: ``"float32"`` unless told otherwise (``"int32"`` for token ids).
        batch_shape: ``(batch, *shape)`` instead of ``shape`` and ``batch_size``.
        name: the input's name (``input_layer``, ``input_layer_1``, ... by default).

    Returns:
        The :class:`~rnnlens.nodes.SymbolicTensor` to call layers on.

    Raises:
        ConfigError: no shape given.
    """
    if (
        shape is None
        and batch_shape is None
        and not {"input_shape", "batch_input_shape"} & set(kwargs)
    ):
        raise ConfigError("Input needs shape=(time, features), for example Input(shape=(10, 2))")
    return InputLayer(
        shape=shape,
        batch_size=batch_size,
        dtype=dtype,
        batch_shape=batch_shape,
        name=name,
        **kwargs,
    ).output
