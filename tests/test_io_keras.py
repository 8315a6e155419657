"""Keras files made by the real keras package, read without TensorFlow; refusals with reasons."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

import rnnlens as rl  # noqa: E402
from tests.io_support import assert_same, sample  # noqa: E402

L = keras.layers
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning",
    # Keras warns that .h5 is a legacy format when asked to write one: that is the point here.
    "ignore:You are saving your model as an HDF5 file",
)


def keras_model(layers: list) -> object:
    keras.backend.clear_session()
    model = keras.Sequential([keras.Input((5, 3)), *layers])
    rng = np.random.default_rng(3)
    model.set_weights([rng.normal(0, 0.5, w.shape).astype("float32") for w in model.get_weights()])
    return model


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_real_keras_files_give_the_same_predictions(tmp_path: Path, suffix: str) -> None:
    model = keras_model(
        [
            L.Masking(0.0),
            L.LSTM(4, return_sequences=True, name="encoder"),
            L.Bidirectional(L.GRU(3, reset_after=False, return_sequences=True), merge_mode="sum"),
            L.TimeDistributed(L.Dense(2)),
            L.SimpleRNN(3, go_backwards=True),
            L.Dropout(0.2),
            L.RepeatVector(2),
            L.GRU(2, return_sequences=True),
            L.Flatten(),
            L.Dense(3, activation="relu"),  # a second Dense: Keras numbers its weight group
            L.Dense(1, activation="sigmoid"),
        ]
    )
    path = tmp_path / f"m{suffix}"
    model.save(path)
    ours = rl.from_keras(path)
    assert [layer.name for layer in ours.layers][:2] == ["masking", "encoder"]
    assert ours.count_params() == model.count_params()
    x = sample()
    assert_same(ours.predict(x), model.predict(x, verbose=0))


def test_config_only_import_reads_no_weights(tmp_path: Path) -> None:
    model = keras_model([L.LSTM(4)])
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        config = archive.read("config.json")
    with zipfile.ZipFile(tmp_path / "c.keras", "w") as archive:
        archive.writestr("config.json", config)  # no weights at all
    shell = rl.from_keras(tmp_path / "c.keras", weights=False)
    assert shell.layers[0].output_shape == (None, 4)
    with pytest.raises(rl.ModelFileError, match=r"no model\.weights\.h5"):
        rl.from_keras(tmp_path / "c.keras")


def rewrite(path: Path, edit) -> Path:
    """Copy of the .keras archive at ``path`` with its config.json passed through ``edit``."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(members["config.json"])
    edit(config)
    members["config.json"] = json.dumps(config).encode()
    out = path.with_name("edited.keras")
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out


@pytest.fixture
def story(tmp_path: Path) -> Path:
    keras_model([L.LSTM(4, return_sequences=True), L.LSTM(2, name="second")]).save(
        tmp_path / "m.keras"
    )
    return tmp_path / "m.keras"


def test_unsupported_layers_and_options_are_all_listed(story: Path) -> None:
    def edit(config: dict) -> None:
        layers = config["config"]["layers"]
        layers[1]["config"]["kernel_regularizer"] = {
            "class_name": "OrthogonalRegularizer",  # a regularizer rnnlens does not have
            "config": {"factor": 0.01},
        }
        layers.append({"module": "keras.layers", "class_name": "Lambda", "config": {"name": "f"}})
        layers.append(
            {
                "module": "my_pkg",
                "class_name": "Attention2",
                "config": {"name": "a"},
                "registered_name": "my_pkg>Attention2",
            }
        )
        layers.append(
            {"module": "keras.layers", "class_name": "ConvLSTM2D", "config": {"name": "c"}}
        )

    with pytest.raises(rl.ModelFileError) as error:
        rl.from_keras(rewrite(story, edit))
    message = str(error.value)
    assert "kernel_regularizer=" in message
    assert "Lambda layers hold Python code" in message
    assert "custom object from 'my_pkg'" in message
    assert "rnnlens has no ConvLSTM2D layer" in message


def test_functional_model_is_read(tmp_path: Path) -> None:
    # Functional files are read since the model graph (tests/test_graph_io.py has the grid).
    keras.backend.clear_session()
    inputs = keras.Input((5, 3))
    model = keras.Model(inputs, L.LSTM(2)(inputs))
    model.save(tmp_path / "f.keras")
    ours = rl.from_keras(tmp_path / "f.keras")
    assert type(ours).__name__ == "Model"
    x = sample()
    assert_same(ours.predict(x), model.predict(x, verbose=0))


def test_weights_of_wrong_shape_name_the_layer(story: Path) -> None:
    def edit(config: dict) -> None:
        config["config"]["layers"][2]["config"]["units"] = 3

    with pytest.raises(
        rl.ModelFileError,
        match=r"weights for layer 'second' kernel: expected \(4, 12\), file has \(4, 8\)",
    ):
        rl.from_keras(rewrite(story, edit))


def zip_bytes(entries: dict[str, bytes], compression: int = zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize("name", ["../config.json", "/etc/config.json", "a\\..\\b", "C:evil"])
def test_zip_entries_with_odd_paths_are_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / "odd.keras"
    path.write_bytes(zip_bytes({"config.json": b"{}", name: b"x"}))
    with pytest.raises(rl.ModelFileError, match="paths outside the archive"):
        rl.from_keras(path)


def test_zip_bomb_is_refused_before_decompressing(tmp_path: Path) -> None:
    path = tmp_path / "bomb.keras"
    path.write_bytes(zip_bytes({"config.json": b" " * (64 << 20)}, zipfile.ZIP_DEFLATED))
    with pytest.raises(rl.ModelFileError, match=r"more than|zip bomb"):
        rl.from_keras(path)


def test_h5_links_to_other_files_are_refused(tmp_path: Path) -> None:
    import h5py

    model = keras_model([L.LSTM(2)])
    model.save(tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5", "a") as store:
        group = store["model_weights/lstm"]
        names = [n.decode() if isinstance(n, bytes) else n for n in group.attrs["weight_names"]]
        del group[names[0]]
        group[names[0]] = h5py.ExternalLink(str(tmp_path / "other.h5"), "/x")
    with pytest.raises(rl.ModelFileError, match="ExternalLink"):
        rl.from_keras(tmp_path / "m.h5")


def test_not_a_model_file(tmp_path: Path) -> None:
    (tmp_path / "x.keras").write_bytes(b"hello")
    with pytest.raises(rl.ModelFileError, match=r"neither a \.keras archive"):
        rl.from_keras(tmp_path / "x.keras")


def test_weights_only_h5_is_explained(tmp_path: Path) -> None:
    keras_model([L.LSTM(2)]).save_weights(tmp_path / "w.weights.h5")
    with pytest.raises(rl.ModelFileError, match="without a model_config"):
        rl.from_keras(tmp_path / "w.weights.h5")


def test_to_keras_refuses_a_missing_folder(tmp_path: Path) -> None:
    model = rl.Sequential([rl.layers.LSTM(2, input_shape=(3, 1))])
    with pytest.raises(rl.ModelFileError, match="does not exist"):
        rl.to_keras(model, tmp_path / "no" / "m.keras")


def test_keras2_flavoured_h5(tmp_path: Path) -> None:
    """A legacy .h5 whose model_config is in Keras 2's dialect: no InputLayer but
    batch_input_shape on the first layer, dtype strings, initializers without module,
    time_major/implementation keys, Bidirectional without backward_layer."""
    import h5py

    model = keras_model(
        [L.LSTM(4, return_sequences=True, name="lstm"), L.Bidirectional(L.GRU(2), name="bi")]
    )
    model.save(tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5", "a") as store:
        config = json.loads(store.attrs["model_config"])
        layers = config["config"]["layers"]
        del layers[0]  # InputLayer
        first = layers[0]["config"]
        first["batch_input_shape"] = [None, 5, 3]
        inner = layers[1]["config"]["layer"]
        inner["config"]["name"] = "gru"
        del layers[1]["config"]["backward_layer"]
        for entry in (layers[0], layers[1], inner):
            entry["config"]["dtype"] = "float32"
            entry.pop("module", None)
            entry.pop("registered_name", None)
        for key in ("kernel_initializer", "recurrent_initializer", "bias_initializer"):
            first[key] = {"class_name": first[key]["class_name"], "config": {"seed": None}}
        first.update(time_major=False, implementation=2)
        store.attrs["model_config"] = json.dumps(config)
    ours = rl.from_keras(tmp_path / "m.h5")
    assert ours.layers[1].weight_specs()[0].name == "forward_gru/kernel"
    x = sample()
    assert_same(ours.predict(x), model.predict(x, verbose=0))
