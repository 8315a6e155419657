"""SIGKILL a training process at random moments, resume it each time, and get the same weights.

This file is also the child program (``python tests/test_crash_resume.py FOLDER OUT``): it
trains with a checkpoint after every batch (``checkpoint_every=1``) and ``resume=True``.
Between kills every checkpoint on disk must be readable; at the end the weights must equal,
bit for bit, those of the same training run in this process without interruption.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import safetensors.numpy
import torch


def train(folder: Path | None) -> list[np.ndarray]:
    """The training run of the child; also run uninterrupted in-process as the reference.

    The child prints a line after every batch, so the parent can kill it after a random
    number of steps (plus a random fraction of a step) however fast this machine is.
    """
    import rnnlens as rl
    from rnnlens.layers import LSTM, Dense, Dropout

    rl.clear_session()
    rl.set_seed(0)
    model = rl.Sequential([LSTM(6, dropout=0.1, input_shape=(5, 2)), Dropout(0.2), Dense(1)])
    model.compile(optimizer="adam", loss="mse", learning_rate=0.01)
    x = np.random.default_rng(1).normal(size=(40, 5, 2)).astype("float32")
    y = x.mean(axis=(1, 2))[:, None]
    options: dict = {}
    if folder is not None:
        tick = rl.callbacks.LambdaCallback(
            on_batch_end=lambda batch, logs: print("step", flush=True)
        )
        options = {
            "checkpoint_dir": folder,
            "checkpoint_every": 1,
            "resume": True,
            "callbacks": [tick],
        }
    model.fit(x, y, epochs=30, batch_size=8, verbose=0, **options)
    return model.get_weights()


def _start(folder: Path, out: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "error"}
    return subprocess.Popen(
        [sys.executable, __file__, str(folder), str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


@pytest.mark.slow
def test_sigkill_at_random_points_then_resume_gives_the_uninterrupted_weights(tmp_path) -> None:
    from rnnlens.train.checkpoint import list_checkpoints, read_checkpoint

    folder, out = tmp_path / "run", tmp_path / "final.safetensors"
    chooser = random.Random(2024)
    starts: list[str] = []
    positions: list[tuple[int, int]] = []
    for _ in range(3):
        child = _start(folder, out)
        assert child.stdout is not None
        starts.append(child.stdout.readline().split()[1])  # imports done, training begins
        for _ in range(chooser.randint(3, 40)):  # let it run a random number of steps...
            child.stdout.readline()
        time.sleep(chooser.uniform(0.0, 0.01))  # ...and a random part of the next one
        child.send_signal(signal.SIGKILL)
        _, errors = child.communicate()
        if child.returncode == 0:  # finished before the kill landed: nothing left to resume
            break
        assert child.returncode == -signal.SIGKILL, errors
        files = list_checkpoints(folder)
        assert files, "killed before the first checkpoint: lengthen the training"
        for path in files:  # every checkpoint on disk is whole and readable
            checkpoint = read_checkpoint(path)
            assert checkpoint.tensors["module/layers.0.kernel"].shape == (2, 24)
        latest = read_checkpoint(files[-1]).position
        positions.append((latest.epoch, latest.batch))
        stray = [p.name for p in folder.iterdir() if not p.name.startswith(".") and p not in files]
        assert not stray

    final = _start(folder, out)
    output, errors = final.communicate(timeout=300)
    assert final.returncode == 0, errors
    starts.append(output.split()[1])

    assert len(positions) >= 2, f"too few kills landed during training: {positions}"
    assert positions == sorted(set(positions)), positions  # each resume made progress
    assert starts[0] == "none" and all(s.startswith("ckpt-") for s in starts[1:]), starts

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as the child
    try:
        uninterrupted = train(None)
    finally:
        torch.set_num_threads(threads)
    resumed = safetensors.numpy.load_file(str(out))
    for i, weight in enumerate(uninterrupted):
        np.testing.assert_array_equal(resumed[str(i)], weight)


if __name__ == "__main__":
    torch.set_num_threads(1)
    from rnnlens.train.checkpoint import list_checkpoints

    target, result = Path(sys.argv[1]), sys.argv[2]
    found = list_checkpoints(target)
    print("start", found[-1].name if found else "none", flush=True)
    weights = train(target)
    safetensors.numpy.save_file({str(i): w for i, w in enumerate(weights)}, result)
    print("done", flush=True)
