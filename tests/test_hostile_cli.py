"""The ``rnnlens`` command on hostile input: escape injection, no traceback, exit 2, no input
overwritten."""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

import rnnlens as rl
from rnnlens.layers import LSTM, Dense

# Every control character an attacker would use, and a lone surrogate (unencodable).
PAYLOADS = [
    "\x1b]0;owned\x07",  # set the terminal title
    "\x1b[2J\x1b[H",  # clear the screen
    "evil\rlstm",  # overwrite the start of a line
    "a\nFAKE  (LSTM)  received nothing",  # forge a line
    "\x9b31m",  # C1 CSI
    "\u202eabc",  # right-to-left override
    "x\ud800y",  # lone surrogate
    "\x00\x08\x7f",
]
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\ud800-\udfff]")


SRC = str(Path(rl.__file__).resolve().parents[1])  # this checkout, whatever the cwd


def _cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[bytes]:
    code = f"import sys; from rnnlens.cli import main; sys.exit(main({list(args)!r}))"
    env = dict(os.environ, PYTHONPATH=SRC)
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, timeout=timeout, env=env
    )


def _file_with_names(tmp_path: Path, names: list[str], suffix: str = ".rnnlens") -> Path:
    model = rl.Sequential([LSTM(4, input_shape=(3, 2), name="plain"), Dense(1)])
    path = tmp_path / f"m{suffix}"
    model.save(path)
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    config = json.loads(header["__metadata__"]["config"])
    config["layers"][1]["config"]["name"] = names[0]
    config["layers"][2]["config"]["name"] = names[1]
    config["name"] = names[0]
    header["__metadata__"]["config"] = json.dumps(config)
    text = json.dumps(header).encode()  # \ud800 stays an escape in JSON, as a hostile file has it
    path.write_bytes(struct.pack("<Q", len(text)) + text + raw[8 + n :])
    return path


@pytest.mark.parametrize("payload", PAYLOADS, ids=ascii)
def test_no_control_character_from_a_file_reaches_the_terminal(tmp_path, payload) -> None:
    path = _file_with_names(tmp_path, [f"lstm{payload}", f"d{payload}"])
    for command in (["explain", str(path)], ["summary", str(path)]):
        done = _cli(*command)
        assert done.returncode in (0, 2), done.stderr
        text = (done.stdout + done.stderr).decode("utf-8")  # encodable: no surrogate left
        assert not RAW.search(text.replace("\n", "")), (command, ascii(text[:300]))
        assert "Traceback" not in text
        assert not any(line.startswith("FAKE") for line in text.splitlines())  # no forged line


def test_explain_in_a_colour_terminal_keeps_its_own_colours_only() -> None:
    from rnnlens.cli.safeout import clean

    text = "\x1b[1mModel 'a\x1b]0;x\x07'\x1b[0m"
    assert clean(text) == "\x1b[1mModel 'a\\x1b]0;x\\x07'\x1b[0m"


@pytest.mark.parametrize(
    "command, what",
    [
        (["explain", "m.rnnlens", "--diagram", "m.rnnlens"], "explain"),
        (["diagram", "m.rnnlens", "-o", "./m.rnnlens"], "diagram"),
        (["report", "m.keras", "--out", "m.keras"], "report"),
        (["convert", "m.keras", "m.keras"], "convert"),
    ],
)
def test_an_input_is_never_overwritten(tmp_path, monkeypatch, command, what) -> None:
    monkeypatch.chdir(tmp_path)
    model = rl.Sequential([LSTM(4, input_shape=(3, 2)), Dense(1)])
    model.save(tmp_path / "m.rnnlens")
    rl.to_keras(model, tmp_path / "m.keras")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    done = _cli(*command)
    assert done.returncode == 2, done.stderr
    assert b"is the input" in done.stderr and b"Traceback" not in done.stderr
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


@pytest.mark.parametrize(
    "source",
    [
        "LSTM(4, batch_input_shape=()) -> Dense(1)",
        "Input(batch_shape=()) -> LSTM(4)",
        f"LSTM(4, input_shape=({', '.join(['10**18'] * 300)}))",
        "Dropout(0.5, noise_shape='abc', input_shape=(3, 2))",
        "Input(shape=(3, 2), batch_size='x') -> LSTM(4)",
        "LSTM(4, name='a/b', input_shape=(3, 2))",
    ],
)
def test_bad_specs_are_one_paragraph_and_exit_2(source: str) -> None:
    done = _cli("explain", source)
    assert done.returncode == 2, done.stdout
    err = done.stderr.decode()
    assert "Traceback" not in err and err.startswith("rnnlens explain: error:")
    assert len(err) < 800


def test_os_errors_are_one_paragraph(tmp_path: Path) -> None:
    (tmp_path / "out.svg").mkdir()
    done = _cli("diagram", "LSTM(4, input_shape=(3, 2))", "-o", str(tmp_path / "out.svg"))
    assert done.returncode == 2
    assert b"it is a folder" in done.stderr and b"Traceback" not in done.stderr
    done = _cli("explain", str(tmp_path / "missing.rnnlens"))
    assert done.returncode == 2 and b"no such file" in done.stderr


def test_debug_shows_the_traceback() -> None:
    done = _cli("--debug", "explain", "LSTM(4, batch_input_shape=())")
    assert done.returncode == 1 and b"Traceback" in done.stderr


def test_an_unexpected_error_is_one_paragraph_naming_debug(monkeypatch, capsys) -> None:
    import rnnlens.cli.summary
    from rnnlens.cli import main

    def broken(args: object) -> int:
        raise KeyError("internal")

    monkeypatch.setattr(rnnlens.cli.summary, "run", broken)
    assert main(["summary", "x"]) == 2
    err = capsys.readouterr().err
    assert "unexpected KeyError" in err and "--debug" in err and "Traceback" not in err


def test_a_train_config_with_wrong_types_is_one_paragraph(tmp_path: Path) -> None:
    for line in (
        'validation_split = "abc"',
        "checkpoint_dir = 5",
        'shuffle = "no"',
        "timeout = -1",
    ):
        config = tmp_path / "run.toml"
        config.write_text(
            f'model = "LSTM(2, input_shape=(3, 1)) -> Dense(1)"\n{line}\n[data]\nname = "sunspots"\ntime_steps = 3\n'
        )
        done = _cli("train", "--config", str(config))
        assert done.returncode == 2, (line, done.stderr)
        key = line.split(" ")[0]
        assert f"{key} must be".encode() in done.stderr and b"Traceback" not in done.stderr
