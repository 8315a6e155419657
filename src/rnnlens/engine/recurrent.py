"""``RecurrentModule``: one LSTM/GRU/SimpleRNN layer, parameters kept in Keras's layout.

It picks the fused kernel whenever that computes exactly the layer's function, else the
reference step loop. ``path`` can force either (tests hold the two equal).
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import nn

from ..errors import ConfigError, ShapeError
from ..layers.recurrent import Recurrent
from .activations import activation
from .base import LayerModule
from .fused import run_fused
from .initializers import initialize
from .layout import LayoutCache, fused_weights, keras_to_torch, torch_major, worth_caching
from .reference import CellMath, RunResult, run_reference

Path = Literal["auto", "fused", "reference"]


class RecurrentModule(LayerModule):
    """Computes a :class:`~rnnlens.layers.Recurrent` layer on tensors (B, T, D)."""

    def __init__(self, spec: Recurrent) -> None:
        super().__init__()
        self.spec = spec
        self.kind = type(spec).__name__
        # Keras's use_cudnn chooses the path: True insists on the fused kernel, False the loop
        cudnn = getattr(spec, "use_cudnn", "auto")
        self.path: Path = "auto" if cudnn == "auto" else ("fused" if cudnn else "reference")
        shapes = {w.name: w.shape for w in spec.weight_specs()}
        self.kernel = nn.Parameter(torch_major(shapes["kernel"]))
        self.recurrent_kernel = nn.Parameter(torch_major(shapes["recurrent_kernel"]))
        self.bias = nn.Parameter(torch.empty(shapes["bias"])) if "bias" in shapes else None
        self.cell = CellMath(
            kind=self.kind,
            units=spec.units,
            activation=activation(spec.activation),
            recurrent_activation=activation(getattr(spec, "recurrent_activation", "sigmoid")),
            reset_after=getattr(spec, "reset_after", True),
        )
        self.stored_states: list[torch.Tensor] | None = None
        self.generator: torch.Generator | None = None
        self.layout_cache = LayoutCache()
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw fresh weights with the layer's Keras initializers (forget bias 1 for LSTM)."""
        spec = self.spec
        initialize(self.kernel, spec.kernel_initializer)
        initialize(self.recurrent_kernel, spec.recurrent_initializer)
        if self.bias is not None:
            initialize(self.bias, spec.bias_initializer)
            if getattr(spec, "unit_forget_bias", False):
                with torch.no_grad():  # Keras starts the forget gate open: bias 1
                    self.bias[spec.units : 2 * spec.units] = 1.0

    def keras_parameters(self) -> list[nn.Parameter]:
        return [p for p in (self.kernel, self.recurrent_kernel, self.bias) if p is not None]

    def propagates_mask(self) -> bool:
        return self.spec.return_sequences

    def torch_weights(self, cache: bool = True) -> list[torch.Tensor]:
        """The weights in the fused kernels' layout (see :mod:`rnnlens.engine.layout`).

        Converted through autograd when a gradient may be asked for; otherwise taken from
        :attr:`layout_cache`, which converts again only after the parameters change, unless
        ``cache`` is False (calls large enough for the conversion not to matter).
        """
        return fused_weights(
            self.keras_parameters(), self.converted_views, self.layout_cache if cache else None
        )

    def converted_views(self) -> list[torch.Tensor]:
        """The fused kernel's weights as views of the Keras-layout parameters where possible."""
        return keras_to_torch(self.kind, self.kernel, self.recurrent_kernel, self.bias)

    # -------------------------------------------------------------- forward
    def forward(
        self,
        x: torch.Tensor,
        mask: torch.Tensor | None = None,
        initial_state: list[torch.Tensor] | None = None,
    ) -> torch.Tensor | list[torch.Tensor]:
        """The layer's output: (B, T, U) or (B, U), then the final states if ``return_state``."""
        result = self.run(
            x, mask, initial_state, zero_output_for_mask=self.spec.zero_output_for_mask
        )
        output = result.sequence if self.spec.return_sequences else result.last
        return [output, *result.states] if self.spec.return_state else output

    def uses_fused(self, mask: torch.Tensor | None, record: bool = False) -> bool:
        """Whether a call with these arguments goes to torch's fused kernel.

        ``path="fused"`` forces it, but only where it is exact: forcing it onto a layer or a
        call it cannot compute (another activation, recurrent_dropout, a mask, recording the
        gates) raises :class:`ConfigError` rather than returning a different function.
        """
        exact = self.spec.fusable and mask is None and not record
        if self.path == "fused" and not exact:
            raise ConfigError(
                f"{self.spec.describe()}: path='fused' cannot compute this call exactly "
                f"(fusable={self.spec.fusable}, mask={'given' if mask is not None else 'none'}, "
                f"record={record}); use path='auto' or 'reference'"
            )
        if self.path != "auto":
            return self.path == "fused"
        return exact

    def run(
        self,
        x: torch.Tensor,
        mask: torch.Tensor | None = None,
        initial_state: list[torch.Tensor] | None = None,
        record: bool = False,
        zero_output_for_mask: bool = False,
    ) -> RunResult:
        """The whole pass; outputs in processing order (reversed when ``go_backwards``).

        Args:
            x: the input (B, T, D) in time order.
            mask: (B, T), True at real steps; masked steps carry the state over.
            initial_state: h (and c for LSTM), each (B, U); default zeros or the stored
                state of a stateful layer.
            record: keep every step's gates and states in :attr:`RunResult.record`.
            zero_output_for_mask: output zeros at masked steps (Keras does inside
                ``Bidirectional``) instead of repeating the previous output.

        Raises:
            ShapeError: ``x`` is not (B, T, D) with this layer's D.
        """
        spec = self.spec
        if x.dim() != 3 or x.shape[-1] != self.kernel.shape[0]:
            raise ShapeError(
                f"{spec.describe()} expects input (batch, time, {self.kernel.shape[0]}), "
                f"received {tuple(x.shape)}"
            )
        states = self._initial_states(x, initial_state)
        if spec.go_backwards:
            x = x.flip(1)
            mask = None if mask is None else mask.flip(1)
        dropping = self.training and spec.dropout > 0
        if self.uses_fused(mask, record):
            if dropping:  # one mask per sequence, the same at every step, as Keras
                x = x * self._dropout_mask((x.shape[0], 1, x.shape[2]), spec.dropout, x)
            sequence, finals = run_fused(
                self.kind,
                self.torch_weights(cache=worth_caching(x)),
                x,  # as is: the kernel makes it time-major itself; a batch-first copy here is a wasted (B, T, D) copy
                [s.unsqueeze(0) for s in states],
                activation=spec.activation,
                training=self.training,
            )
            result = RunResult(sequence, finals[0][0], [f[0] for f in finals])
        else:
            result = run_reference(
                self.cell,
                self.kernel,
                self.recurrent_kernel,
                self.bias,
                x,
                states,
                mask=mask,
                input_masks=self._gate_masks(x.shape[0], x.shape[2], spec.dropout, x)
                if dropping
                else None,
                recurrent_masks=(
                    self._gate_masks(x.shape[0], spec.units, spec.recurrent_dropout, x)
                    if self.training and spec.recurrent_dropout > 0
                    else None
                ),
                record=record,
                zero_output_for_mask=zero_output_for_mask,
            )
        if spec.stateful:
            self.stored_states = [s.detach() for s in result.states]
        return result

    def _initial_states(
        self, x: torch.Tensor, given: list[torch.Tensor] | None
    ) -> list[torch.Tensor]:
        n_states = len(self.spec.state_names)
        if given is not None:
            if len(given) != n_states:
                raise ShapeError(
                    f"{self.spec.describe()} carries {n_states} state(s) {self.spec.state_names}, "
                    f"received initial_state with {len(given)}"
                )
            return list(given)
        if self.stored_states is not None:
            if self.stored_states[0].shape[0] != x.shape[0]:
                raise ShapeError(
                    f"{self.spec.describe()} is stateful with batch size {self.stored_states[0].shape[0]}, "
                    f"received a batch of {x.shape[0]}: keep the batch size fixed or call reset_states()"
                )
            if torch.is_inference_mode_enabled():
                return list(self.stored_states)
            # States stored by predict() are inference tensors, which autograd refuses to
            # save; a plain copy lets training continue from them.
            return [s.clone() if s.is_inference() else s for s in self.stored_states]
        zeros = x.new_zeros(x.shape[0], self.spec.units)
        return [zeros] * n_states

    def _gate_masks(self, batch: int, width: int, rate: float, like: torch.Tensor) -> torch.Tensor:
        # Keras uses one mask per gate when recurrent_dropout is on (implementation 1),
        # a single shared mask otherwise.
        count = len(self.spec.gates) if self.spec.recurrent_dropout > 0 else 1
        return self._dropout_mask((count, batch, width), rate, like)

    def _dropout_mask(
        self, shape: tuple[int, ...], rate: float, like: torch.Tensor
    ) -> torch.Tensor:
        seed = self.spec.seed
        if seed is not None and (self.generator is None or self.generator.device != like.device):
            # seed=...: the layer's own generator, so its masks repeat run after run (Keras's
            # SeedGenerator), whatever else draws random numbers
            self.generator = torch.Generator(device=like.device).manual_seed(seed)
        generator = self.generator if seed is not None else None
        draw = torch.rand(shape, device=like.device, dtype=like.dtype, generator=generator)
        keep = draw >= rate
        return keep.to(like.dtype) / (1.0 - rate)

    def reset_states(self) -> None:
        self.stored_states = None
