"""rl.explain / rl.diagram / rl.trace / rl.report dispatch on what they are given."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch
from torch import nn

import rnnlens as rl
from rnnlens.errors import ConfigError
from rnnlens.layers import LSTM


class _Story(nn.Module):
    """The user story in PyTorch: nn.LSTM(2, 64, num_layers=2, batch_first=True)."""

    def __init__(self) -> None:
        super().__init__()
        self.lstm = nn.LSTM(input_size=2, hidden_size=64, num_layers=2, batch_first=True)
        self.fc = nn.Linear(64, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, (h_n, c_n) = self.lstm(x)  # noqa: RUF059 (the user story's line)
        return self.fc(out[:, -1, :])


def test_importing_rnnlens_and_the_spec_does_not_import_torch() -> None:
    code = (
        "import sys, rnnlens, rnnlens.api, rnnlens.pytorch.spec, rnnlens.pytorch.explain;"
        "rnnlens.explain; rnnlens.trace; rnnlens.report; rnnlens.diagram;"
        "print('torch' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_explain_an_nn_module_with_input_size() -> None:
    e = rl.explain(_Story(), input_size=(32, 10, 2))
    (lstm,) = e.recurrent
    assert lstm.shapes == {"out": (32, 10, 64), "h_n": (2, 32, 64), "c_n": (2, 32, 64)}
    assert [layer.count for layer in lstm.layers] == [17408, 33280]
    assert e.params == sum(p.numel() for p in _Story().parameters())
    text = str(e)
    assert "4·h·(d + h) + 8·h = 4·64·(2 + 64) + 8·64 = 17,408" in text
    assert "h_n[1] = layer 1 forward" in text and "Keras LSTM(64) stack" in text
    assert "`weight_ih_l0` | `(256, 2)`" in e.to_markdown()
    assert e.to_dict()["recurrent"][0]["shapes"]["h_n"] == (2, 32, 64)
    assert '"convention": "pytorch"' in e.to_json()


def test_explain_a_module_built_on_the_meta_device_allocates_nothing() -> None:
    with torch.device("meta"):
        big = nn.LSTM(4096, 8192, num_layers=4, batch_first=True)  # 1.3 G parameters
    e = rl.explain(big, input_size=(64, 1000, 4096))
    assert e.recurrent[0].shapes["out"] == (64, 1000, 8192)
    assert e.params == sum(p.numel() for p in big.parameters())


def test_explain_with_an_example_tensor_and_embedding_ids() -> None:
    net = nn.Sequential(nn.Embedding(10, 3), nn.Flatten(), nn.Linear(12, 2))
    e = rl.explain(net, input_size=(5, 4))  # ids, because the first module is an Embedding
    assert [r.output_shape for r in e.rows] == [(5, 4, 3), (5, 12), (5, 2)]
    e2 = rl.explain(_Story(), torch.zeros(3, 7, 2))
    assert e2.recurrent[0].shapes["out"] == (3, 7, 64)


def test_explain_a_module_without_input_says_what_to_pass() -> None:
    with pytest.raises(rl.InputDataError, match="input_size=\\(batch, time, features\\)"):
        rl.explain(_Story())


def test_rnnlens_models_go_to_their_own_methods() -> None:
    model = rl.Sequential([LSTM(4, input_shape=(3, 2))])
    assert rl.explain(model).layers[0].params == 112
    t = rl.trace(model, np.zeros((2, 3, 2)))
    assert t[0]["c_hat"].shape == (2, 3, 4)
    assert rl.diagram(model).startswith("<svg")
    with pytest.raises(ConfigError, match=r"rl\.explain takes an rnnlens model"):
        rl.explain(42)


def test_dispatch_survives_importing_the_packages_of_the_same_name() -> None:
    import rnnlens.explain.flow
    import rnnlens.report
    import rnnlens.trace  # noqa: F401

    assert rl.explain(_Story(), input_size=(2, 3, 2)).recurrent[0].type_name == "LSTM"
    assert rl.trace(_Story(), torch.zeros(2, 3, 2))[0].name == "lstm.l0"


def test_diagram_of_a_module_draws_its_recurrent_stack(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "net.svg"
    svg = rl.diagram(_Story(), path, input_size=(32, 10, 2))
    assert svg.startswith("<svg") and path.read_text() == svg
    assert "lstm.l0" in svg and "lstm.l1" in svg
    from rnnlens.pytorch.diagram import recurrent_chain
    from rnnlens.pytorch.memory import network_from_module

    chain, _ = recurrent_chain(*network_from_module(_Story(), (32, 10, 2)))
    # out[:, -1] feeds the head: the last layer hands on one vector, the first its sequence
    assert [layer.return_sequences for layer in chain.layers] == [True, False]
    assert chain.input_shape == (None, 10, 2)


def test_report_of_a_module(tmp_path) -> None:  # type: ignore[no-untyped-def]
    x = np.random.default_rng(0).normal(size=(6, 5, 2)).astype("float32")
    out = rl.report(_Story(), x, tmp_path / "r.html", samples=2, y_true=np.zeros((6, 1)))
    page = out.read_text()
    assert "report-data" in page and "lstm.l1" in page and "<svg" in page
    from rnnlens.pytorch.report import build_torch_content

    content = build_torch_content(_Story(), x, samples=2)
    assert len(content.samples) == 2 and content.total_params == 50753
    layer = content.samples[0]["layers"][0]
    assert layer["name"] == "lstm.l0" and set(layer["directions"][0]["arrays"]) == {
        "i",
        "f",
        "g",
        "o",
        "c",
        "h",
    }


# Keras 3.15 converts its variables with np.array(variable), which numpy 2 flags as deprecated.
@pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")
def test_in_memory_keras_model_is_converted_with_its_weights() -> None:
    keras = pytest.importorskip("keras")
    inputs = keras.Input((5, 2))
    k_model = keras.Sequential(
        [inputs, keras.layers.LSTM(4, return_sequences=True), keras.layers.GRU(3)]
    )
    x = np.random.default_rng(1).normal(size=(2, 5, 2)).astype("float32")
    flow = rl.explain(k_model)
    assert [layer.params for layer in flow.layers] == [
        k_model.layers[0].count_params(),
        k_model.layers[1].count_params(),
    ]
    t = rl.trace(k_model, x)
    np.testing.assert_allclose(
        t.output, keras.ops.convert_to_numpy(k_model(x)), rtol=1e-5, atol=1e-5
    )


def test_numpy_inputs_are_accepted_for_modules() -> None:
    x = np.random.default_rng(2).normal(size=(3, 4, 2))  # float64: cast to the module's float32
    net = _Story().eval()
    t = rl.trace(net, x)
    with torch.no_grad():
        out, _ = net.lstm(torch.as_tensor(x, dtype=torch.float32))
    np.testing.assert_allclose(t["lstm.l1"].output, out.numpy(), rtol=1e-5, atol=1e-6)
    assert rl.explain(net, x).recurrent[0].shapes["out"] == (3, 4, 64)
