"""The code readers: the small language, symbols from data, several models, budgets, torch.

Parameter counts are compared with real Keras 3 building the same layers (``keras_counts``),
not with numbers rnnlens printed before.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from rnnlens.errors import ParseError
from rnnlens.readers import read_python, read_spec, split_spec
from rnnlens.symbolic import Size, substitute

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def keras() -> Any:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    return pytest.importorskip("keras")


def keras_counts(keras: Any, shape: tuple[Any, ...], *layers: Any) -> list[int]:
    model = keras.Sequential([keras.Input(shape=shape), *layers])
    return [layer.count_params() for layer in model.layers]


def counts(code: str, **settings: Any) -> list[list[Any]]:
    # A functional model lists its InputLayer (as Keras does); Keras's Sequential here does not.
    return [
        [x.count_params() for x in found.model.layers if type(x).__name__ != "InputLayer"]
        for found in read_python(textwrap.dedent(code), "s.py", settings or None).models
    ]


def test_functions_loops_comprehensions_and_defaults(keras: Any) -> None:
    code = """
    import numpy as np
    def build(units=(64, 32), n_out=1, bidirectional=False):
        model = Sequential()
        model.add(LSTM(units[0], return_sequences=True, input_shape=(10, 2)))
        for u in units[1:]:
            model.add(LSTM(u))
        if bidirectional:
            model.add(Dense(99))
        model.add(Dense(n_out))
        return model
    model = build(n_out=3)
    """
    L = keras.layers
    expected = keras_counts(
        keras, (10, 2), L.LSTM(64, return_sequences=True), L.LSTM(32), L.Dense(3)
    )
    result = read_python(textwrap.dedent(code), "s.py")
    assert [layer.count_params() for layer in result.models[0].model.layers] == expected
    assert result.models[0].label == "model in build()"
    assert any("'if bidirectional:' is False; no branch is read" in n for n in result.notes)


def test_list_comprehension_of_layers_and_uncalled_function_with_defaults(keras: Any) -> None:
    code = """
    def make(sizes=[16, 8, 4]):
        return Sequential([Input(shape=(7, 3))] + [GRU(s, return_sequences=True) for s in sizes])
    """
    L = keras.layers
    expected = keras_counts(keras, (7, 3), *[L.GRU(s, return_sequences=True) for s in (16, 8, 4)])
    assert counts(code) == [expected]


def test_several_models_are_each_named() -> None:
    code = """
    a = Sequential([LSTM(4, input_shape=(3, 2))])
    def f():
        m = Sequential([GRU(2, input_shape=(3, 2))])
        return m
    b = f()
    """
    result = read_python(textwrap.dedent(code), "s.py")
    assert [found.label for found in result.models] == ["a", "m in f()"]


def test_data_sizes_become_symbols_and_pinning_gives_keras_numbers(keras: Any) -> None:
    code = """
    import pandas as pd
    df = pd.read_csv("prices.csv")
    X_train, X_test, y_train, y_test = train_test_split(df.values, df.y)
    model = Sequential()
    model.add(LSTM(64, input_shape=(X_train.shape[1], X_train.shape[2])))
    """
    (found,) = read_python(textwrap.dedent(code), "s.py").models
    lstm = found.model.layers[0]
    count = lstm.count_params()
    assert isinstance(count, Size)
    assert f"{count:,}" == "256·X_train.shape[2] + 16,640"
    assert str(lstm.weight_specs()[0].shape) == "(X_train.shape[2], 256)"
    expected = keras_counts(keras, (50, 3), keras.layers.LSTM(64))
    assert [substitute(count, {"X_train.shape[2]": 3})] == expected
    pinned = counts(code, **{"X_train.shape": (1000, 50, 3)})
    assert pinned == [expected]


def test_len_of_vocabulary_and_named_settings(keras: Any) -> None:
    code = """
    vocab_size = len(tokenizer.word_index) + 1
    model = Sequential([Embedding(vocab_size, 8, input_length=maxlen), LSTM(4)])
    """
    (found,) = read_python(textwrap.dedent(code), "s.py").models
    assert str(found.model.layers[0].count_params()) == "8·len(tokenizer.word_index) + 8"
    L = keras.layers
    assert counts(code, vocab_size=50, maxlen=12) == [
        keras_counts(keras, (12,), L.Embedding(50, 8), L.LSTM(4))
    ]


def test_everything_outside_the_model_is_one_skipped_line() -> None:
    code = """
    import numpy as np, os
    import matplotlib.pyplot as plt
    np.random.seed(0)
    data = np.load(os.path.join("d", "x.npy"))
    model = Sequential([LSTM(3, input_shape=(4, 1))])
    model.compile(optimizer="adam", loss=undefined_loss)
    model.fit(data, data, callbacks=[EarlyStopping(patience=3)])
    plt.plot(model.history.history["loss"])
    print(model.summary())
    """
    result = read_python(textwrap.dedent(code), "s.py")
    skipped = [note for note in result.notes if note.startswith("skipped")]
    assert len(skipped) == 1
    for what in ("numpy", "np.random.seed", "model.compile", "model.fit", "plt.plot", "summary"):
        assert what in skipped[0]


def test_functional_chain_and_subclass_with_build(keras: Any) -> None:
    functional = """
    inputs = keras.Input(shape=(None, 8))
    x = keras.layers.LSTM(32, return_sequences=True)(inputs)
    outputs = keras.layers.Dense(1)(keras.layers.LSTM(16)(x))
    model = keras.Model(inputs, outputs)
    """
    subclass = """
    class Net(keras.Model):
        def __init__(self, units=32):
            super().__init__()
            self.lstm = keras.layers.LSTM(units)
            self.head = keras.layers.Dense(2)
        def call(self, x):
            return self.head(self.lstm(x))
    net = Net(12)
    net.build((None, 5, 3))
    """
    L = keras.layers
    assert counts(functional) == [
        keras_counts(keras, (None, 8), L.LSTM(32, return_sequences=True), L.LSTM(16), L.Dense(1))
    ]
    assert counts(subclass) == [keras_counts(keras, (5, 3), L.LSTM(12), L.Dense(2))]


def test_unknown_loop_count_names_the_line_and_the_fix(keras: Any) -> None:
    code = "def f(n_layers):\n    m = Sequential()\n    for i in range(n_layers):\n        m.add(LSTM(4, input_shape=(3, 2), return_sequences=True))\n    return m\nmodel = f(depth)\n"
    with pytest.raises(ParseError) as caught:
        read_python(code, "s.py")
    message = str(caught.value)
    assert "s.py, line 3" in message and "for i in range(n_layers):" in message
    assert "--set" in message
    L = keras.layers
    assert counts(code, depth=2) == [
        keras_counts(
            keras, (3, 2), L.LSTM(4, return_sequences=True), L.LSTM(4, return_sequences=True)
        )
    ]


def test_arrow_inside_a_string_does_not_split_a_spec() -> None:
    assert split_spec("Dense(2, name='a->b') -> Dense(1)") == ["Dense(2, name='a->b')", "Dense(1)"]
    model = read_spec("Dense(2, input_shape=(3,), name='a->b') -> Dense(1)").models[0].model
    assert [layer.name for layer in model.layers] == ["a->b", "dense"]


def test_budgets_hold_in_a_small_memory_child(tmp_path: Path) -> None:
    # 47 KB of nested lists of zeros handed to a layer as units: refused fast, in little memory.
    rows = ",".join(["0.00"] * 10_000)
    script = tmp_path / "hostile.py"
    script.write_text(
        f"row = [{rows}]\ngrid = [row] * 10_000\ncube = [grid] * 10_000\n"
        "model = Sequential([LSTM(cube, input_shape=(2, 2))])\n"
    )
    assert 40_000 < script.stat().st_size < 60_000
    child = textwrap.dedent(
        f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, 1_500_000_000))
        sys.path.insert(0, {str(ROOT / "src")!r})
        from rnnlens.cli import main
        sys.exit(main(["explain", {str(script)!r}]))
        """
    )
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", child], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert time.perf_counter() - start < 30
    assert done.returncode == 2, done.stderr
    assert "line 4" in done.stderr and "more than 10,000 elements" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr) < 2000


@pytest.mark.parametrize(
    "code",
    [
        "s = 'x' * 10**8",
        "n = 10 ** 10 ** 10",
        "f = f'{1:999999999}'",
        "def f(n):\n    return f(n)\nf(1)",
        "xs = [i for i in range(10**9)]",
        "while True:\n    model.add(LSTM(1))",
    ],
)
def test_hostile_expressions_are_bounded(code: str) -> None:
    start = time.perf_counter()
    with pytest.raises(ParseError):
        read_python(code + "\nmodel = Sequential([LSTM(1, input_shape=(2, 2))])\n", "h.py")
    assert time.perf_counter() - start < 3.5


TORCH_NET = """
import torch
import torch.nn as nn

class Net(nn.Module):
    def __init__(self, n_features, hidden=64, layers=2):
        super().__init__()
        self.lstm = nn.LSTM(n_features, hidden, num_layers=layers, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(2 * hidden, 1)

    def forward(self, x):
        out, (h_n, c_n) = self.lstm(x)
        last = torch.cat((h_n[-2], h_n[-1]), dim=1)
        return self.fc(last)

model = Net(n_features=2)
"""


def test_torch_module_counts_and_shapes_match_torch() -> None:
    torch = pytest.importorskip("torch")
    (found,) = read_python(TORCH_NET, "net.py", {"T": 10}).models
    network = found.model
    lstm = torch.nn.LSTM(2, 64, num_layers=2, batch_first=True, bidirectional=True)
    fc = torch.nn.Linear(128, 1)
    assert network.modules["lstm"].count_params() == sum(p.numel() for p in lstm.parameters())
    assert network.count_params() == sum(p.numel() for m in (lstm, fc) for p in m.parameters())
    x = torch.zeros(3, 10, 2)
    out, (h_n, _) = lstm(x)
    shapes = {step.output: step.shape for step in network.steps}
    assert shapes["out"] == (None, *out.shape[1:])
    assert shapes["h_n"] == (h_n.shape[0], None, h_n.shape[2])
    assert shapes["last"] == (None, 128)


def test_explain_on_torch_code_is_torch_free_and_fast(tmp_path: Path) -> None:
    script = tmp_path / "net.py"
    script.write_text(TORCH_NET)
    child = (
        "import sys, time; t = time.perf_counter(); sys.path.insert(0, {!r})\n"
        "from rnnlens.cli import main\n"
        "code = main(['explain', {!r}])\n"
        "print('TORCH' if 'torch' in sys.modules else 'NO-TORCH', time.perf_counter() - t)\n"
        "sys.exit(code)\n"
    ).format(str(ROOT / "src"), str(script))
    done = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "nn.LSTM(2, 64, num_layers=2, batch_first=True, bidirectional=True)" in done.stdout
    flag, seconds = done.stdout.strip().splitlines()[-1].split()
    assert flag == "NO-TORCH"
    assert float(seconds) < 5  # measured ~0.3 s on an idle core; generous for a shared CI box


def test_cli_set_pins_a_size(tmp_path: Path) -> None:
    script = tmp_path / "s.py"
    script.write_text("model = Sequential([LSTM(64, input_shape=(T_, F_))])\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    run = [sys.executable, "-m", "rnnlens.cli", "explain", str(script)]
    symbolic = subprocess.run(run, capture_output=True, text=True, env=env, timeout=60)
    assert "256·F_ + 16,640" in symbolic.stdout
    pinned = subprocess.run(
        [*run, "--set", "F_=2", "--set", "T_=10"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    # 17,152: Keras's count for LSTM(64) on 2 features (the user story's first layer)
    assert "17,152" in pinned.stdout and "(None, 10, 2)" in pinned.stdout


def test_a_snippet_starting_at_model_add_implies_its_sequential(keras: Any) -> None:
    code = "model.add(LSTM(8, return_sequences=True, input_shape=(6, 3)))\nmodel.add(GRU(4))\n"
    result = read_python(code, "so.py")
    L = keras.layers
    assert [[x.count_params() for x in f.model.layers] for f in result.models] == [
        keras_counts(keras, (6, 3), L.LSTM(8, return_sequences=True), L.GRU(4))
    ]
    assert any("read as model = Sequential()" in note for note in result.notes)


def test_torch_cells_stepped_in_a_loop_and_top_level_sequential() -> None:
    torch = pytest.importorskip("torch")
    code = textwrap.dedent(
        """
        import torch
        import torch.nn as nn
        class Stepper(nn.Module):
            HIDDEN = 5
            def __init__(self):
                super().__init__()
                self.cell = nn.LSTMCell(3, self.HIDDEN)
            def forward(self, x):
                h = torch.zeros(x.size(0), self.HIDDEN)
                c = torch.zeros(x.size(0), self.HIDDEN)
                for t in range(x.size(1)):
                    h, c = self.cell(x[:, t, :], (h, c))
                return h
        head = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
        """
    )
    stepper, head = read_python(code, "cells.py").models
    cell = torch.nn.LSTMCell(3, 5)
    assert stepper.model.count_params() == sum(p.numel() for p in cell.parameters())
    h, _ = cell(torch.zeros(2, 3))
    shapes = {step.output: step.shape for step in stepper.model.steps}
    assert shapes["x"][0] is None and shapes["x"][2] == 3
    assert shapes["h_2"] == (None, h.shape[1])
    real = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1))
    assert head.model.count_params() == sum(p.numel() for p in real.parameters())
    assert [s.shape for s in head.model.steps if s.op == "call"] == [
        (None, real(torch.zeros(2, 4)).shape[1])
    ]


def test_merges_and_initial_state_through_the_model_graph(keras: Any) -> None:
    from rnnlens.readers.functional import GRAPH_TENSOR

    code = textwrap.dedent(
        """
        from keras.layers import Input, LSTM, Dense, concatenate
        from keras.models import Model
        a = Input(shape=(10, 3))
        b = Input(shape=(10, 5))
        seq, h, c = LSTM(8, return_sequences=True, return_state=True)(a)
        y = LSTM(8)(b, initial_state=[h, c])
        model = Model([a, b], Dense(1)(concatenate([LSTM(4)(seq), y])))
        """
    )
    if GRAPH_TENSOR is None:
        with pytest.raises(ParseError, match=r"line 7: .*model graph"):
            read_python(code, "m.py")
        return
    L = keras.layers
    ka, kb = keras.Input(shape=(10, 3)), keras.Input(shape=(10, 5))
    kseq, kh, kc = L.LSTM(8, return_sequences=True, return_state=True)(ka)
    ky = L.LSTM(8)(kb, initial_state=[kh, kc])
    kmodel = keras.Model([ka, kb], L.Dense(1)(L.concatenate([L.LSTM(4)(kseq), ky])))
    expected = [x.count_params() for x in kmodel.layers if type(x).__name__ != "InputLayer"]
    (found,) = read_python(code, "m.py").models
    got = [x.count_params() for x in found.model.layers if type(x).__name__ != "InputLayer"]
    assert sorted(got) == sorted(expected)


def test_a_model_read_before_a_failing_line_is_still_explained(keras: Any) -> None:
    code = textwrap.dedent(
        """
        first = Sequential([LSTM(4, input_shape=(3, 2))])
        second = Sequential()
        second.add(LSTM(3, input_shape=(2, 2)))
        second.add(LSTM(4))
        """
    )
    result = read_python(code, "two.py")
    assert [found.label for found in result.models] == ["first"]
    assert [x.count_params() for x in result.models[0].model.layers] == keras_counts(
        keras, (3, 2), keras.layers.LSTM(4)
    )
    assert (
        "two.py, line 5" in result.warnings[-1] and "return_sequences=True" in result.warnings[-1]
    )
    with pytest.raises(ParseError, match="line 3"):
        read_python(
            "m = Sequential()\nm.add(LSTM(3, input_shape=(2, 2)))\nm.add(LSTM(4))\n", "one.py"
        )


def test_only_regular_files_of_bounded_size_are_read(tmp_path: Path) -> None:
    from rnnlens.parse import read_source

    fifo = tmp_path / "pipe.py"
    os.mkfifo(fifo)
    with pytest.raises(ParseError, match=r"is a FIFO.*regular files only"):
        read_source(str(fifo))  # returns at once: a FIFO is never opened
    big = tmp_path / "big.py"
    big.write_text("x = 1\n" * 200_000)
    with pytest.raises(ParseError, match="more than the 1,000,000 bytes"):
        read_source(str(big))


def test_seed_answer_variant_with_a_huge_ignored_input_shape(keras: Any) -> None:
    # The answer's "replace model.add(LSTM(32)) with" line, pasted as written.
    code = (
        "model = Sequential()\n"
        "model.add(LSTM(64, return_sequences=True, input_shape=(5, 2)))\n"
        "model.add(LSTM(32, input_shape=(1000000, 200000)))\n"
    )
    result = read_python(code, "answer.py")
    (found,) = result.models
    L = keras.layers
    assert [x.count_params() for x in found.model.layers] == keras_counts(
        keras, (5, 2), L.LSTM(64, return_sequences=True), L.LSTM(32)
    )
    assert [x.output_shape for x in found.model.layers] == [(None, 5, 64), (None, 32)]
    assert len(result.warnings) == 1 and "line 3" in result.warnings[0]
    assert "input_shape=(1000000, 200000) is ignored" in result.warnings[0]


def test_a_notebooks_code_cells_are_read(tmp_path: Path, keras: Any) -> None:
    import json

    from rnnlens.parse import read_source

    cells = [
        {"cell_type": "markdown", "source": ["# Stacked LSTM"]},
        {"cell_type": "code", "source": ["!pip install keras\n", "%matplotlib inline\n", "n = 16"]},
        {
            "cell_type": "code",
            "source": "model = Sequential()\nmodel.add(LSTM(n, input_shape=(8, 2)))",
        },
    ]
    path = tmp_path / "story.ipynb"
    path.write_text(json.dumps({"cells": cells, "nbformat": 4}))
    parsed = read_source(str(path))
    assert [x.count_params() for x in parsed.model.layers] == keras_counts(
        keras, (8, 2), keras.layers.LSTM(16)
    )


def test_summary_explain_and_json_print_symbolic_sizes() -> None:
    code = "model = Sequential([Bidirectional(LSTM(64, return_sequences=True), input_shape=(T, F)), GRU(8)])\n"
    (found,) = read_python(code, "sym.py").models
    lines: list[str] = []
    found.model.summary(print_fn=lines.append)
    table = "\n".join(lines)
    assert "(None, T, 128)" in table and "512·F" in table
    flow = found.model.explain()
    assert "512·F + 33,280" in str(flow.to_text(color=False, width=100))
    assert "512·F + 33,280" in flow.to_json()
