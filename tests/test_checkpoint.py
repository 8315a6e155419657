"""Checkpoints: what they hold, that writing them is atomic, and that resuming is exact."""

from __future__ import annotations

import json
import os
import random
import struct

import numpy as np
import pytest
import torch

import rnnlens as rl
from rnnlens.layers import LSTM, Dense, Dropout
from rnnlens.train.checkpoint import list_checkpoints, load_latest, read_checkpoint

X = np.random.default_rng(0).uniform(-1, 1, size=(40, 4, 2)).astype(np.float32)
Y = X[:, :, 0].mean(axis=1, keepdims=True)
FIT = {"batch_size": 8, "verbose": 0, "validation_split": 0.2}


def _model(seed: int = 0) -> rl.Sequential:
    """Dropout in both places that draw random numbers: resuming must restore the generators."""
    rl.clear_session()
    rl.set_seed(seed)
    model = rl.Sequential([LSTM(4, dropout=0.2, input_shape=(4, 2)), Dropout(0.3), Dense(1)])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"], learning_rate=0.01)
    return model


def _scramble_generators() -> None:
    """What a fresh process would have: unrelated random states."""
    torch.manual_seed(987)
    np.random.seed(654)
    random.seed(321)


class Crash(Exception):
    pass


def _crash_at(epoch: int, batch: int) -> rl.callbacks.Callback:
    class CrashAt(rl.callbacks.Callback):
        def on_epoch_begin(self, e, logs=None):
            self.epoch = e

        def on_batch_end(self, b, logs=None):
            if (self.epoch, b) == (epoch, batch):
                raise Crash

    return CrashAt()


def _assert_same_weights(a: rl.Sequential, b: rl.Sequential) -> None:
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)


@pytest.fixture(scope="module")
def reference() -> tuple[list[np.ndarray], dict[str, list[float]]]:
    model = _model()
    history = model.fit(X, Y, epochs=4, **FIT)
    return model.get_weights(), history.history


def test_resume_after_whole_epochs_is_exact(tmp_path, reference) -> None:
    _model().fit(X, Y, epochs=2, checkpoint_dir=tmp_path, **FIT)
    _scramble_generators()
    model = _model(seed=99)  # other initial weights: the checkpoint must replace them
    history = model.fit(X, Y, epochs=4, checkpoint_dir=tmp_path, resume=True, **FIT)
    for w, r in zip(model.get_weights(), reference[0]):
        np.testing.assert_array_equal(w, r)
    assert history.epoch == [0, 1, 2, 3]
    assert history.history == reference[1]


def test_resume_mid_epoch_is_exact(tmp_path, reference) -> None:
    with pytest.raises(Crash):
        _model().fit(
            X,
            Y,
            epochs=4,
            checkpoint_dir=tmp_path,
            checkpoint_every=2,
            callbacks=[_crash_at(2, 2)],
            **FIT,
        )
    latest = read_checkpoint(list_checkpoints(tmp_path)[-1])
    assert (latest.position.epoch, latest.position.batch) == (2, 2)
    _scramble_generators()
    model = _model(seed=5)
    history = model.fit(
        X, Y, epochs=4, checkpoint_dir=tmp_path, checkpoint_every=2, resume=True, **FIT
    )
    for w, r in zip(model.get_weights(), reference[0]):
        np.testing.assert_array_equal(w, r)
    assert history.history == reference[1]  # the interrupted epoch's running means were kept


def _stateful_callbacks(folder) -> list[rl.callbacks.Callback]:
    """Callbacks whose decisions depend on earlier epochs. The loss never improves by 10, so
    the learning rate halves at epochs 2 and 4 and training stops at epoch 4 (patience 4),
    restoring epoch 0's weights; CSVLogger keeps one row per epoch."""
    return [
        rl.callbacks.EarlyStopping(
            monitor="loss", min_delta=10.0, patience=4, restore_best_weights=True
        ),
        rl.callbacks.ReduceLROnPlateau(monitor="loss", min_delta=10.0, patience=2, factor=0.5),
        rl.callbacks.CSVLogger(folder / "log.csv"),
    ]


def test_resume_restores_what_the_callbacks_had_counted(tmp_path) -> None:
    """Patience counters, best values and weights, and CSV rows survive a crash: the resumed
    run stops, lowers the learning rate, restores and logs exactly as the uninterrupted one."""
    (tmp_path / "ref").mkdir()
    reference = _model()
    expected = reference.fit(X, Y, epochs=9, callbacks=_stateful_callbacks(tmp_path / "ref"), **FIT)
    assert expected.epoch == [0, 1, 2, 3, 4]  # early stopping did stop it
    assert expected.history["learning_rate"][-1] < expected.history["learning_rate"][0]

    run = tmp_path / "run"
    run.mkdir()
    with pytest.raises(Crash):
        _model().fit(
            X,
            Y,
            epochs=9,
            checkpoint_dir=run / "ck",
            callbacks=[*_stateful_callbacks(run), _crash_at(2, 1)],  # counters at 1: mid-patience
            **FIT,
        )
    _scramble_generators()
    model = _model(seed=5)
    history = model.fit(
        X, Y, epochs=9, checkpoint_dir=run / "ck", resume=True,
        callbacks=_stateful_callbacks(run), **FIT,
    )  # fmt: skip
    assert history.history == expected.history
    _assert_same_weights(model, reference)  # epoch 0's weights, restored at the end
    assert (run / "log.csv").read_text() == (tmp_path / "ref" / "log.csv").read_text()


def test_resume_without_checkpoint_starts_from_scratch(tmp_path, reference) -> None:
    model = _model()
    model.fit(X, Y, epochs=4, checkpoint_dir=tmp_path / "new", resume=True, **FIT)
    for w, r in zip(model.get_weights(), reference[0]):
        np.testing.assert_array_equal(w, r)


def test_checkpoint_file_is_safetensors_with_json_metadata_and_no_pickle(tmp_path) -> None:
    model = _model()
    model.fit(X, Y, epochs=3, checkpoint_dir=tmp_path, **FIT)
    files = list_checkpoints(tmp_path)
    assert [p.name for p in files] == [
        "ckpt-e000002-b00000000.safetensors",
        "ckpt-e000003-b00000000.safetensors",
    ]
    raw = files[-1].read_bytes()
    header_length = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8 : 8 + header_length])  # a safetensors header: plain JSON
    assert b"\x80\x04" not in raw[:2] and raw[8:9] == b"{"
    meta = json.loads(header["__metadata__"]["rnnlens"])
    assert meta["format"] == "rnnlens-checkpoint" and (meta["epoch"], meta["batch"]) == (3, 0)
    assert meta["optimizer"]["class"] == "Adam"
    assert meta["optimizer"]["param_groups"][0]["lr"] > 0
    assert meta["optimizer"]["param_groups"][0]["iterations"] > 0  # Keras's step count
    assert set(meta["rng"]) == {"numpy", "python"}
    names = set(header) - {"__metadata__"}
    assert "rng/torch" in names and header["rng/torch"]["dtype"] == "U8"
    assert {"optimizer/0/m", "optimizer/0/v"} <= names  # Keras's Adam moments
    state = read_checkpoint(files[-1])
    kernel = state.tensors["module/layers.0.kernel"].numpy()
    np.testing.assert_array_equal(kernel, model.get_weights()[0])


def test_a_failed_write_leaves_the_previous_checkpoint_intact(tmp_path, monkeypatch) -> None:
    model = _model()
    model.fit(X, Y, epochs=1, checkpoint_dir=tmp_path, **FIT)
    before = list_checkpoints(tmp_path)
    real_replace = os.replace

    def failing_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        model.fit(X, Y, epochs=2, checkpoint_dir=tmp_path, resume=True, **FIT)
    monkeypatch.setattr(os, "replace", real_replace)
    assert list_checkpoints(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [p.name for p in before]  # no temp left
    assert read_checkpoint(before[0]).position.epoch == 1


def test_a_damaged_newest_checkpoint_falls_back_to_the_previous_one(tmp_path) -> None:
    _model().fit(X, Y, epochs=2, checkpoint_dir=tmp_path, **FIT)
    older, newest = list_checkpoints(tmp_path)
    newest.write_bytes(newest.read_bytes()[:100])  # as a disk that lost the end of a file
    with pytest.raises(rl.ModelFileError, match="cannot be read"):
        read_checkpoint(newest)
    with pytest.warns(RuntimeWarning, match="trying an older checkpoint"):
        found = load_latest(tmp_path)
    assert found is not None and found.path == older


def test_resuming_into_a_different_model_is_refused(tmp_path) -> None:
    _model().fit(X, Y, epochs=1, checkpoint_dir=tmp_path, **FIT)
    rl.clear_session()
    other = rl.Sequential([LSTM(5, input_shape=(4, 2)), Dropout(0.3), Dense(1)])
    other.compile(optimizer="adam", loss="mse")
    with pytest.raises(
        rl.ModelFileError,
        match=r"weight 'layers.0.bias' has shape \(16,\), the model's has \(20,\)",
    ):
        other.fit(X, Y, epochs=2, checkpoint_dir=tmp_path, resume=True, **FIT)
    sgd = _model()
    sgd.compile(optimizer="sgd", loss="mse")
    with pytest.raises(rl.ModelFileError, match="written with optimizer Adam"):
        sgd.fit(X, Y, epochs=2, checkpoint_dir=tmp_path, resume=True, **FIT)


def test_not_a_checkpoint_is_refused(tmp_path) -> None:
    from safetensors.torch import save_file

    path = tmp_path / "ckpt-e000001-b00000000.safetensors"
    save_file({"w": torch.zeros(2)}, str(path))
    with pytest.raises(rl.ModelFileError, match="not an rnnlens training checkpoint"):
        read_checkpoint(path)
