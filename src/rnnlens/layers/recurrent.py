"""LSTM, GRU and SimpleRNN as Keras 3 defines them: options, shapes, weights.

One base class (:class:`Recurrent`) owns everything the three share — the loop options
``return_sequences``, ``return_state``, ``go_backwards``, ``stateful``, dropout — while each
subclass only states its gates. The equations themselves live in :mod:`rnnlens.engine`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..errors import ConfigError, ShapeError
from ..shapes import Shape, ShapeOrList, format_shape
from .base import Layer, WeightSpec, fraction, positive_int
from .options import (
    activation_name,
    constraint_option,
    initializer_name,
    regularizer_option,
    seed_option,
)


class Recurrent(Layer):
    """Shared loop of the recurrent layers: one cell applied at every time step.

    Input ``(batch, time, features)``; output ``(batch, time, units)`` with
    ``return_sequences=True``, else ``(batch, units)``; with ``return_state=True`` a list
    ``[output, *final_states]`` where each state is ``(batch, units)``.
    """

    #: Gate names in Keras's kernel column order.
    gates: ClassVar[tuple[str, ...]] = ()
    #: Names of the carried states: ("h", "c") for LSTM, ("h",) otherwise.
    state_names: ClassVar[tuple[str, ...]] = ("h",)
    call_arguments = ("mask", "training", "initial_state")

    def __init__(
        self,
        units: int,
        *,
        activation: str | None = "tanh",
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        recurrent_initializer: Any = "orthogonal",
        bias_initializer: Any = "zeros",
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        kernel_regularizer: Any = None,
        recurrent_regularizer: Any = None,
        bias_regularizer: Any = None,
        kernel_constraint: Any = None,
        recurrent_constraint: Any = None,
        bias_constraint: Any = None,
        seed: int | None = None,
        zero_output_for_mask: bool = False,
        **kwargs: Any,
    ) -> None:
        kind = type(self).__name__
        super().__init__(**kwargs)
        self.kernel_regularizer = regularizer_option(kind, "kernel_regularizer", kernel_regularizer)
        self.recurrent_regularizer = regularizer_option(
            kind, "recurrent_regularizer", recurrent_regularizer
        )
        self.bias_regularizer = regularizer_option(kind, "bias_regularizer", bias_regularizer)
        self.kernel_constraint = constraint_option(kind, "kernel_constraint", kernel_constraint)
        self.recurrent_constraint = constraint_option(
            kind, "recurrent_constraint", recurrent_constraint
        )
        self.bias_constraint = constraint_option(kind, "bias_constraint", bias_constraint)
        self.seed = seed_option(kind, seed)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.units = positive_int(kind, "units", units)
        self.activation = activation_name(kind, "activation", activation, in_cell=True)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializer_name(kind, "kernel_initializer", kernel_initializer)
        self.recurrent_initializer = initializer_name(
            kind, "recurrent_initializer", recurrent_initializer
        )
        self.bias_initializer = initializer_name(kind, "bias_initializer", bias_initializer)
        self.dropout = fraction(kind, "dropout", dropout)
        self.recurrent_dropout = fraction(kind, "recurrent_dropout", recurrent_dropout)
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)

    # ----------------------------------------------------------------- shapes
    @property
    def input_features(self) -> int:
        """Size of the vector x(t) this layer reads at each step."""
        self._require_input_shape("its weight shapes")
        assert isinstance(self.input_shape, tuple)  # attach() guarantees a single shape
        features = self.input_shape[-1]
        assert isinstance(features, int)
        return features

    def compute_output_shape(self, input_shape: Shape) -> ShapeOrList:
        if len(input_shape) != 3:
            raise ShapeError(
                f"{self.describe()} expects input (batch, time, features), received shape "
                f"{format_shape(input_shape)}"
            )
        batch, time, features = input_shape
        if features is None:
            raise ShapeError(
                f"{self.describe()} needs a known feature size (last axis), received "
                f"{format_shape(input_shape)}: give input_shape=(time, features)"
            )
        output: Shape = (batch, time, self.units) if self.return_sequences else (batch, self.units)
        if not self.return_state:
            return output
        return [output, *[(batch, self.units) for _ in self.state_names]]

    def check_call(self, input_shape: ShapeOrList, kwargs: dict[str, Any]) -> None:
        check_initial_state(self, kwargs.get("initial_state"), self.state_names, self.units)

    # ---------------------------------------------------------------- weights
    @property
    def kernel(self) -> Any:
        """The ``(features, gates·units)`` input weight, a torch parameter."""
        return self.module.kernel

    @property
    def recurrent_kernel(self) -> Any:
        """The ``(units, gates·units)`` recurrent weight, a torch parameter."""
        return self.module.recurrent_kernel

    @property
    def bias(self) -> Any:
        """The bias parameter, or None with ``use_bias=False``."""
        return self.module.bias

    @property
    def states(self) -> list[Any]:
        """The carried states (h, and c for LSTM), each ``(batch, units)``; ``None`` each
        until a stateful layer has run, as Keras's ``layer.states`` before its first call."""
        stored: Any = getattr(self.module, "stored_states", None) if self.materialized else None
        return list(stored) if stored is not None else [None] * len(self.state_names)

    def reset_states(self) -> None:
        """Forget the carried states: the next call starts from zeros (Keras's ``reset_states``)."""
        if self.materialized:
            self.module.reset_states()

    def reset_state(self) -> None:
        """Keras 3's spelling of :meth:`reset_states`."""
        self.reset_states()

    def weight_specs(self) -> list[WeightSpec]:
        d, u, g = self.input_features, self.units, len(self.gates)
        specs = [
            WeightSpec("kernel", (d, g * u), self.kernel_initializer),
            WeightSpec("recurrent_kernel", (u, g * u), self.recurrent_initializer),
        ]
        if self.use_bias:
            specs.append(WeightSpec("bias", self.bias_shape(), self.bias_initializer))
        return specs

    def bias_shape(self) -> tuple[int, ...]:
        return (len(self.gates) * self.units,)

    def param_formula(self) -> tuple[str, str]:
        """The Keras parameter count as a formula, and with this layer's numbers filled in."""
        g, d, u = len(self.gates), self.input_features, self.units
        bias = 1 if self.use_bias else 0
        if bias:
            return (f"{g}·u·(d + u + 1)", f"{g}·{u}·({d} + {u} + 1)")
        return (f"{g}·u·(d + u)", f"{g}·{u}·({d} + {u})")

    @property
    def fusable(self) -> bool:
        """Whether torch's fused kernel computes exactly this layer (checked by the engine)."""
        return self.recurrent_dropout == 0 and self.activation == "tanh"


def cudnn_option(kind: str, value: object) -> bool | str:
    """Keras's ``use_cudnn``: ``"auto"`` (the fused kernel when exact), True (insist on it),
    False (the step loop). The engine reads it as its path: fused, reference or auto."""
    if value not in (True, False, "auto"):
        raise ConfigError(f"{kind}: use_cudnn must be True, False or 'auto', received {value!r}")
    return value


class LSTM(Recurrent):
    """Long short-term memory (Hochreiter & Schmidhuber, 1997), Keras 3 semantics.

    Math, per step, with ``[x_t, h_{t-1}]`` mapped by ``kernel`` ``(d, 4u)`` and
    ``recurrent_kernel`` ``(u, 4u)``, gates in Keras's order i, f, c, o::

        i = σ(x W_i + h U_i + b_i)     f = σ(x W_f + h U_f + b_f)
        c̃ = tanh(x W_c + h U_c + b_c)  o = σ(x W_o + h U_o + b_o)
        c_t = f ⊙ c_{t-1} + i ⊙ c̃       h_t = o ⊙ tanh(c_t)

    Parameters: ``4u(d + u + 1)``.

    >>> layer = LSTM(32)
    >>> layer.build((None, 10, 64))
    >>> layer.output_shape, layer.count_params()
    ((None, 32), 12416)
    """

    gates = ("i", "f", "c", "o")
    state_names = ("h", "c")

    def __init__(
        self,
        units: int,
        activation: str | None = "tanh",
        recurrent_activation: str | None = "sigmoid",
        use_bias: bool = True,
        unit_forget_bias: bool = True,
        use_cudnn: bool | str = "auto",
        **kwargs: Any,
    ) -> None:
        super().__init__(units, activation=activation, use_bias=use_bias, **kwargs)
        self.use_cudnn = cudnn_option("LSTM", use_cudnn)
        self.recurrent_activation = activation_name(
            "LSTM", "recurrent_activation", recurrent_activation, in_cell=True
        )
        self.unit_forget_bias = bool(unit_forget_bias)

    @property
    def fusable(self) -> bool:
        return super().fusable and self.recurrent_activation == "sigmoid"


class GRU(Recurrent):
    """Gated recurrent unit (Cho et al., 2014), Keras 3 semantics.

    Gates in Keras's order z (update), r (reset), h (candidate)::

        z = σ(x W_z + b_z + h U_z + b'_z)      r = σ(x W_r + b_r + h U_r + b'_r)
        h̃ = tanh(x W_h + b_h + r ⊙ (h U_h + b'_h))        (reset_after=True, the default)
        h̃ = tanh(x W_h + b_h + (r ⊙ h) U_h)               (reset_after=False)
        h_t = z ⊙ h_{t-1} + (1 - z) ⊙ h̃

    ``reset_after=True`` keeps a second, recurrent bias: bias ``(2, 3u)`` and ``3u(d + u + 2)``
    parameters; ``reset_after=False`` has bias ``(3u,)`` and ``3u(d + u + 1)``.

    >>> layer = GRU(4)
    >>> layer.build((None, 5, 3))
    >>> layer.count_params(), [s.shape for s in layer.weight_specs()]
    (108, [(3, 12), (4, 12), (2, 12)])
    """

    gates = ("z", "r", "h")

    def __init__(
        self,
        units: int,
        activation: str | None = "tanh",
        recurrent_activation: str | None = "sigmoid",
        use_bias: bool = True,
        reset_after: bool = True,
        use_cudnn: bool | str = "auto",
        **kwargs: Any,
    ) -> None:
        super().__init__(units, activation=activation, use_bias=use_bias, **kwargs)
        self.use_cudnn = cudnn_option("GRU", use_cudnn)
        self.recurrent_activation = activation_name(
            "GRU", "recurrent_activation", recurrent_activation, in_cell=True
        )
        self.reset_after = bool(reset_after)

    def bias_shape(self) -> tuple[int, ...]:
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def param_formula(self) -> tuple[str, str]:
        if not (self.use_bias and self.reset_after):
            return super().param_formula()
        d, u = self.input_features, self.units
        return ("3·u·(d + u + 2)", f"3·{u}·({d} + {u} + 2)")

    @property
    def fusable(self) -> bool:
        # torch's GRU is the reset_after variant; reset_after=False needs the step loop.
        return super().fusable and self.recurrent_activation == "sigmoid" and self.reset_after


class SimpleRNN(Recurrent):
    """Fully connected recurrence (Elman network): ``h_t = tanh(x W + h_{t-1} U + b)``.

    Parameters: ``u(d + u + 1)``.

    >>> layer = SimpleRNN(8)
    >>> layer.build((None, 4, 2))
    >>> layer.count_params()
    88
    """

    gates = ("h",)

    def __init__(
        self,
        units: int,
        activation: str | None = "tanh",
        use_bias: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(units, activation=activation, use_bias=use_bias, **kwargs)

    @property
    def fusable(self) -> bool:
        return self.recurrent_dropout == 0 and self.activation in ("tanh", "relu")


def check_initial_state(layer: Layer, given: Any, names: tuple[str, ...], units: int) -> None:
    """``initial_state=`` must be one ``(batch, units)`` tensor per carried state."""
    if given is None:
        return
    states = list(given) if isinstance(given, (list, tuple)) else [given]
    shapes = [getattr(s, "shape", None) for s in states]
    if len(states) != len(names):
        raise ShapeError(
            f"{layer.describe()} carries {len(names)} state(s) ({', '.join(names)}), received "
            f"initial_state with {len(states)}: pass initial_state=[{', '.join(names)}] "
            "(an LSTM encoder's return_state=True gives output, h, c: pass [h, c])"
        )
    for name, shape in zip(names, shapes):
        if shape is None or len(shape) != 2 or shape[-1] != units:
            raise ShapeError(
                f"{layer.describe()}: initial_state '{name}' must be (batch, {units}), received "
                f"{format_shape(shape) if shape is not None else type(shape).__name__}: the "
                f"encoder handing over its state needs units={units} too"
            )
