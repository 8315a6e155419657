"""The one place where Keras's weight layout becomes torch's fused-kernel layout.

Keras stores ``kernel (d, G·u)``, ``recurrent_kernel (u, G·u)``, ``bias (G·u,)`` (GRU with
``reset_after``: ``(2, 3u)``), gates side by side in columns. torch's fused kernels want
``weight_ih (G·u, d)``, ``weight_hh (G·u, u)`` and two biases, gates stacked in rows, and
GRU gates in the order r, z, n instead of Keras's z, r, h. These functions are differentiable,
so gradients reach the Keras-layout parameters.

The kernels are *stored* the torch way round (:func:`torch_major`): a Keras ``(d, G·u)``
kernel is the transpose of a contiguous ``(G·u, d)`` tensor. Its shape, values and every
Keras-facing use are unchanged, but ``kernel.t()`` is then already the contiguous matrix the
fused kernel wants: a training step converts LSTM and SimpleRNN weights without a copy in
the forward pass or the backward pass (the gradient arrives in the parameter's own strides),
and GRU only reorders whole rows. When no gradient is wanted (``predict``) and
the call is small enough for the conversion to matter (:data:`CACHE_MAX_ROWS`),
:class:`LayoutCache` keeps the converted weights between calls instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

Weights = list[torch.Tensor]


def torch_major(keras_shape: tuple[int, ...]) -> torch.Tensor:
    """An uninitialised tensor of ``keras_shape`` (d, G·u) whose transpose is contiguous.

    >>> w = torch_major((2, 8))
    >>> tuple(w.shape), w.is_contiguous(), w.t().is_contiguous()
    ((2, 8), False, True)
    """
    rows, cols = keras_shape
    return torch.empty(cols, rows).t()


def _gru_reorder(rows: torch.Tensor) -> torch.Tensor:
    """Keras z, r, h -> torch r, z, n along the first axis. # (3U, ...)"""
    z, r, h = rows.chunk(3, dim=0)
    return torch.cat([r, z, h], dim=0)


def keras_to_torch(
    kind: str, kernel: torch.Tensor, recurrent_kernel: torch.Tensor, bias: torch.Tensor | None
) -> Weights:
    """``[weight_ih, weight_hh, bias_ih, bias_hh]`` (biases omitted when ``bias`` is None)."""
    w_ih, w_hh = kernel.t(), recurrent_kernel.t()  # (G·U, D), (G·U, U)
    if kind == "GRU":
        w_ih, w_hh = _gru_reorder(w_ih), _gru_reorder(w_hh)
    if bias is None:
        return [w_ih, w_hh]
    if bias.dim() == 2:  # GRU reset_after: row 0 input bias, row 1 recurrent bias
        return [w_ih, w_hh, _gru_reorder(bias[0]), _gru_reorder(bias[1])]
    b_ih = _gru_reorder(bias) if kind == "GRU" else bias
    # Keras has one bias per gate; torch adds two. The second is zero and stays zero.
    return [w_ih, w_hh, b_ih, torch.zeros_like(b_ih)]


def torch_to_keras(kind: str, weights: Weights, reset_after: bool = True) -> Weights:
    """Inverse of :func:`keras_to_torch` for ``torch.nn.LSTM/GRU/RNN`` parameters of one direction.

    torch's two LSTM/RNN biases are summed into Keras's one (exact in the forward pass).
    """

    def to_keras_rows(rows: torch.Tensor) -> torch.Tensor:
        if kind != "GRU":
            return rows
        r, z, n = rows.chunk(3, dim=0)
        return torch.cat([z, r, n], dim=0)

    w_ih, w_hh, *biases = weights
    out = [to_keras_rows(w_ih).t().contiguous(), to_keras_rows(w_hh).t().contiguous()]
    if biases:
        b_ih, b_hh = biases
        if kind == "GRU":
            if not reset_after:
                raise ValueError("torch.nn.GRU is the reset_after=True variant")
            out.append(torch.stack([to_keras_rows(b_ih), to_keras_rows(b_hh)]))
        else:
            out.append(b_ih + b_hh)
    return out


# Converting costs up to one pass over the weights (GRU's row reorder; LSTM and SimpleRNN,
# stored torch-major, only take views and a zero bias); the kernel costs batch × time passes.
# Below this many rows (batch × time) the conversion is a visible share of an inference call
# and worth caching: it was 5-10 % of W1's before the kernels were stored torch-major, about
# 1 % (10 µs) for LSTM now, more for GRU. Above it, a cached GRU copy would only add the
# weights' size to the memory a model holds.
CACHE_MAX_ROWS = 2048


def worth_caching(x: torch.Tensor) -> bool:
    """Whether an inference call on ``x`` (B, T, D) should use the :class:`LayoutCache`."""
    return x.shape[0] * x.shape[1] <= CACHE_MAX_ROWS


def needs_grad(parameters: Sequence[torch.Tensor]) -> bool:
    """Whether a forward pass now must let gradients reach ``parameters``."""
    return torch.is_grad_enabled() and any(p.requires_grad for p in parameters)


def fused_weights(
    parameters: Sequence[torch.Tensor],
    views: Callable[[], Weights],
    cache: LayoutCache | None,
) -> Weights:
    """The fused kernel's weights for one call, given ``views()`` (:func:`keras_to_torch`).

    * gradients wanted: through autograd, made contiguous. LSTM and SimpleRNN views already
      are (:func:`torch_major`), so nothing is copied; GRU's reordered rows are one copy
      that serves the forward and the backward;
    * no gradients, ``cache`` given: from the cache (views on the first call after a change,
      contiguous copies kept from the second on);
    * no gradients, no cache (a call too large for the conversion to matter): the views.
    """
    if needs_grad(parameters):
        return [w.contiguous() for w in views()]
    if cache is None:
        return views()
    return cache.get(parameters, views)


def _fingerprint(parameters: Sequence[torch.Tensor]) -> tuple[tuple[object, ...], ...]:
    # Every in-place write (set_weights' copy_, an optimizer step, load_state_dict) bumps
    # _version; moving or replacing .data (model.to, p.data = ...) changes data_ptr, dtype
    # or device. The cache holds the sources alive, so a new tensor cannot reuse the old
    # address with the same version.
    return tuple((p._version, p.data_ptr(), p.dtype, p.device) for p in parameters)


class LayoutCache:
    """Torch-layout weights converted once and reused while their Keras parameters are unchanged.

    Converting at every call costs GRU's row reorder (a copy of the weights) and, for every
    kind, the zero second bias and a few view calls: a visible share of a short inference
    call for GRU, about 1 % for LSTM. Only for calls without gradients: a training step must
    convert through autograd.

    A write that bypasses the version counter (``p.data.copy_(...)``) is not seen: write
    through the parameter itself (``set_weights``, ``with torch.no_grad(): p.copy_(...)``),
    or call :meth:`clear`.
    """

    def __init__(self) -> None:
        self._key: tuple[tuple[object, ...], ...] | None = None
        self._seen: tuple[tuple[object, ...], ...] | None = None
        self._sources: list[torch.Tensor] = []
        self._weights: Weights = []

    def get(self, parameters: Sequence[torch.Tensor], convert: Callable[[], Weights]) -> Weights:
        """``convert()``'s result, kept once the same ``parameters`` come back a second time.

        The first call after a change just converts: when every call follows a training step
        (an inference between two steps), building a cache that is never hit would only add
        its own cost.
        """
        key = _fingerprint(parameters)
        if key == self._key:
            return self._weights
        if key != self._seen:
            self._seen = key
            return convert()
        # Plain tensors even under inference_mode: inference tensors could not be saved for
        # a backward pass through the input (saliency on frozen weights).
        with torch.inference_mode(False), torch.no_grad():
            weights = [w.detach().contiguous() for w in convert()]
            if weights and weights[0].is_cuda:
                from .fused import packed

                weights = packed(weights)
            self._sources = [p.detach() for p in parameters]
        self._weights, self._key = weights, key
        return weights

    def clear(self) -> None:
        """Drop the cached weights (and the sources they keep alive)."""
        self._key, self._seen, self._sources, self._weights = None, None, [], []
