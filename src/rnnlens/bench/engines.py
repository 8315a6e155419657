"""One builder per framework: the same workload, the same weights, two timed calls.

Every engine gets the weights of one rnnlens model (Keras order and layout), so all of them
compute the same function and tests can hold their outputs equal. The timed calls are what a
user of each framework writes:

* ``infer``: a numpy batch in, numpy out, gradients off (``model.predict`` for rnnlens,
  ``predict_on_batch`` for Keras, ``eval()`` + ``inference_mode`` for raw torch);
* ``train_step``: forward, mean squared error on the ``Dense(1)`` head, backward, one Adam
  step (learning rate 1e-3).
"""

from __future__ import annotations

import importlib
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .workloads import Workload

#: Engines in the order of the report; raw torch is the reference every ratio divides by.
ENGINE_NAMES = ("rnnlens", "torch", "keras", "tf-keras")
REFERENCE = "torch"


class EngineUnavailable(Exception):
    """The framework is not installed (or cannot run here); the engine is skipped."""


@dataclass
class EngineRun:
    """The two timed calls of one engine on one workload, and what they measure."""

    name: str
    infer: Callable[[], np.ndarray]
    train_step: Callable[[], float]
    train_method: str
    #: Inference on one sample: loads what the first call loads (lazy imports, kernel
    #: set-up) without the batch's activations, so the memory probe can leave it out.
    prime: Callable[[], object] = lambda: None


def make_data(workload: Workload, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Inputs (B, T, D) and regression targets (B, 1), float32, fixed by ``seed``."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((workload.batch, workload.steps, workload.features), dtype=np.float32)
    y = rng.standard_normal((workload.batch, 1), dtype=np.float32)
    return x, y


def build_rnnlens_model(workload: Workload) -> Any:
    """The workload as an rnnlens ``Sequential`` (its weights seed every other engine)."""
    from .. import Sequential
    from ..layers import GRU, LSTM, Bidirectional, Dense, Input

    kinds = {"LSTM": LSTM, "GRU": GRU}
    model = Sequential(name=f"bench_{workload.key.lower()}")
    model.add(Input(shape=(workload.steps, workload.features)))
    for spec in workload.layers:
        layer = kinds[spec.kind](spec.units, return_sequences=spec.return_sequences)
        model.add(Bidirectional(layer) if spec.bidirectional else layer)
    model.add(Dense(1))
    return model


def _has_train_on_batch() -> bool:
    try:
        loop = importlib.import_module("rnnlens.train.loop")
    except ModuleNotFoundError:
        return False
    return hasattr(loop, "train_on_batch")


def rnnlens_engine(model: Any, x: np.ndarray, y: np.ndarray, predictor: Any = None) -> EngineRun:
    """rnnlens through its public API: ``predict`` and ``train_on_batch`` when it exists.

    ``predictor`` (default ``model``) is the model ``predict`` runs on. The benchmark passes a
    second instance with the same weights: the rounds interleave inference with training
    steps, and on one instance every ``predict`` would follow a weight update, which makes
    rnnlens convert the weight layout again (see ``LayoutCache``) — not how a model serves
    predictions. ``docs/benchmarks.md`` says so and gives the figures of both set-ups.
    """
    predictor = model if predictor is None else predictor

    def predict(batch: np.ndarray) -> np.ndarray:
        return np.asarray(predictor.predict(batch, batch_size=len(batch)))

    infer = partial(predict, x)

    if _has_train_on_batch():
        model.compile(optimizer="adam", loss="mse")

        def train_step() -> float:
            return float(model.train_on_batch(x, y))

        return EngineRun(
            "rnnlens", infer, train_step, "model.train_on_batch (numpy in)", partial(predict, x[:1])
        )
    module = model.module
    module.train()
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    return EngineRun(
        "rnnlens",
        infer,
        _manual_step(module, xt, yt),
        "model.module + torch.optim.Adam (train_on_batch not available)",
        partial(predict, x[:1]),
    )


def _manual_step(module: nn.Module, x: torch.Tensor, y: torch.Tensor) -> Callable[[], float]:
    optimizer = torch.optim.Adam(module.parameters(), lr=1e-3)

    def train_step() -> float:
        optimizer.zero_grad(set_to_none=True)
        loss = F.mse_loss(module(x), y)
        loss.backward()
        optimizer.step()
        return float(loss.detach())

    return train_step


class TorchStack(nn.Module):
    """The workload hand-wired from ``torch.nn.LSTM``/``GRU`` and ``nn.Linear``, batch first."""

    def __init__(self, workload: Workload) -> None:
        super().__init__()
        classes = {"LSTM": nn.LSTM, "GRU": nn.GRU}
        rnns: list[nn.Module] = []
        features = workload.features
        for spec in workload.layers:
            rnn = classes[spec.kind](
                features, spec.units, batch_first=True, bidirectional=spec.bidirectional
            )
            rnns.append(rnn)
            features = spec.width
        self.rnns = nn.ModuleList(rnns)
        self.keep_sequence = [spec.return_sequences for spec in workload.layers]
        self.head = nn.Linear(features, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for rnn, keep in zip(self.rnns, self.keep_sequence):
            x, state = rnn(x)  # (B, T, dirs·U)
            if not keep:  # the final hidden state of each direction, as Keras hands on
                h = state[0] if isinstance(state, tuple) else state  # (dirs, B, U)
                x = torch.cat(list(h), dim=-1)  # (B, dirs·U)
        return self.head(x)

    @torch.no_grad()
    def load_keras_weights(self, workload: Workload, weights: list[np.ndarray]) -> None:
        """Copy Keras-layout weights (kernel, recurrent_kernel, bias per direction, then the head)."""
        from ..engine.layout import keras_to_torch

        arrays = iter(torch.from_numpy(np.ascontiguousarray(w)) for w in weights)
        for spec, rnn in zip(workload.layers, self.rnns):
            for suffix in ["", "_reverse"][: spec.directions]:
                kernel, recurrent, bias = next(arrays), next(arrays), next(arrays)
                converted = keras_to_torch(spec.kind, kernel, recurrent, bias)
                for name, value in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"), converted):
                    getattr(rnn, f"{name}_l0{suffix}").copy_(value)
        kernel, bias = next(arrays), next(arrays)
        self.head.weight.copy_(kernel.t())
        self.head.bias.copy_(bias)


def torch_engine(
    workload: Workload, weights: list[np.ndarray], x: np.ndarray, y: np.ndarray
) -> EngineRun:
    """Raw PyTorch as its users write it: the reference of every ratio."""
    module = TorchStack(workload)
    module.load_keras_weights(workload, weights)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def predict(batch: np.ndarray) -> np.ndarray:
        module.eval()
        with torch.inference_mode():
            out = module(torch.from_numpy(batch)).numpy()
        module.train()
        return out

    return EngineRun(
        "torch",
        partial(predict, x),
        _manual_step(module, xt, yt),
        "hand-written loop, torch.optim.Adam",
        partial(predict, x[:1]),
    )


def _keras_model(keras: Any, workload: Workload, weights: list[np.ndarray]) -> Any:
    kinds = {"LSTM": keras.layers.LSTM, "GRU": keras.layers.GRU}
    layers: list[Any] = [keras.Input(shape=(workload.steps, workload.features))]
    for spec in workload.layers:
        layer = kinds[spec.kind](spec.units, return_sequences=spec.return_sequences)
        layers.append(keras.layers.Bidirectional(layer) if spec.bidirectional else layer)
    layers.append(keras.layers.Dense(1))
    model = keras.Sequential(layers)
    model.set_weights(weights)
    model.compile(optimizer="adam", loss="mse")
    return model


def _keras_run(name: str, model: Any, x: np.ndarray, y: np.ndarray, method: str) -> EngineRun:
    def predict(batch: np.ndarray) -> np.ndarray:
        # Keras 3.15 turns its torch output into numpy through a deprecated numpy path; the
        # warning is Keras's own and says nothing about the measurement.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return np.asarray(model.predict_on_batch(batch))

    def train_step() -> float:
        return float(model.train_on_batch(x, y))

    return EngineRun(name, partial(predict, x), train_step, method, partial(predict, x[:1]))


def keras_engine(
    workload: Workload, weights: list[np.ndarray], x: np.ndarray, y: np.ndarray
) -> EngineRun:
    """Keras 3 on its torch backend (the backend must be chosen before Keras is imported)."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    try:
        keras = importlib.import_module("keras")
    except ImportError as error:
        raise EngineUnavailable(f"Keras 3 is not installed ({error})") from None
    backend = keras.backend.backend()
    if backend != "torch":
        raise EngineUnavailable(
            f"Keras runs on the {backend} backend here; set KERAS_BACKEND=torch"
        )
    model = _keras_model(keras, workload, weights)
    return _keras_run("keras", model, x, y, "model.train_on_batch (Keras 3, torch backend)")


def tf_keras_engine(
    workload: Workload, weights: list[np.ndarray], x: np.ndarray, y: np.ndarray
) -> EngineRun:
    """TensorFlow's Keras 2 (the ``tf_keras`` package), only where it is installed.

    Keras 3 with ``KERAS_BACKEND=tensorflow`` cannot share a process with the torch backend,
    so TensorFlow is measured through ``tf_keras``, which is independent of Keras 3.
    """
    try:
        tf_keras = importlib.import_module("tf_keras")
    except ImportError:
        raise EngineUnavailable("TensorFlow's tf_keras is not installed") from None
    model = _keras_model(tf_keras, workload, weights)
    return _keras_run("tf-keras", model, x, y, "model.train_on_batch (tf_keras)")


def build_engines(
    workload: Workload, names: tuple[str, ...], seed: int = 0
) -> tuple[list[EngineRun], dict[str, str]]:
    """The engines ``names`` for ``workload``, and the reason each unavailable one was skipped."""
    torch.manual_seed(seed)
    x, y = make_data(workload, seed)
    model = build_rnnlens_model(workload)
    weights = model.get_weights()

    def with_predictor() -> EngineRun:
        predictor = build_rnnlens_model(workload)
        predictor.set_weights(weights)
        return rnnlens_engine(model, x, y, predictor)

    builders: dict[str, Callable[[], EngineRun]] = {
        "rnnlens": with_predictor,
        "torch": lambda: torch_engine(workload, weights, x, y),
        "keras": lambda: keras_engine(workload, weights, x, y),
        "tf-keras": lambda: tf_keras_engine(workload, weights, x, y),
    }
    runs: list[EngineRun] = []
    skipped: dict[str, str] = {}
    for name in names:
        try:
            runs.append(builders[name]())
        except EngineUnavailable as error:
            skipped[name] = str(error)
    return runs, skipped
