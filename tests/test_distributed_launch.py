"""Real multi-process runs on CPU (gloo): torchrun against one process, a killed rank, resume
on another world size, and a clean shutdown every time.

Each process start costs an import of torch (and DDP's import of torch._dynamo), several
seconds on 2 cores, so the checks share few launches. Run as a script, this file is the
repeated-shutdown harness: it forks rank pairs from one parent that has imported torch once.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import rnnlens
from rnnlens.cli import main

pytestmark = pytest.mark.slow

SPEC = "LSTM(8, return_sequences=True, input_shape=(12, 1)) -> LSTM(4) -> Dense(1)"


def _config(tmp_path: Path, name: str, **overrides: object) -> Path:
    """The demo model, small: a stacked LSTM forecasting the sunspot series."""
    config = {
        "model": SPEC,
        "data": {"name": "sunspots", "time_steps": 12, "max_samples": 96},
        "optimizer": {"name": "adam", "learning_rate": 0.01},
        "epochs": 3, "batch_size": 16, "seed": 5, "shuffle": True, "timeout": 20,
        "checkpoint_dir": f"ck-{name}", "verbose": 2,
    }  # fmt: skip
    config.update(overrides)
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    return path


def _environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK")}
    env["OMP_NUM_THREADS"] = "1"  # two ranks on two cores: one thread each
    env.update(extra)
    return env


def _record(tmp_path: Path, name: str) -> dict[str, object]:
    return json.loads((tmp_path / f"ck-{name}" / "history.json").read_text())


def _single_process(tmp_path: Path, name: str, **overrides: object) -> dict[str, object]:
    rnnlens.clear_session()
    assert main(["train", "--config", str(_config(tmp_path, name, **overrides))]) == 0
    return _record(tmp_path, name)


def test_torchrun_two_ranks_equal_one_process(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Identical weights on both ranks; the loss curve and weights of a one-process run with
    the same global batch and seed."""
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone",
               "--nproc_per_node=2", "-m", "rnnlens.cli", "train", "--config",
               str(_config(tmp_path, "ddp", output="ddp.rnnlens"))]  # fmt: skip
    done = subprocess.run(command, env=_environment(), capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count("Epoch 3/3") == 1  # only rank 0 prints
    assert "trained 96 samples on 2 process(es)" in done.stdout
    assert "terminate called" not in done.stderr and "Traceback" not in done.stderr
    assert "Warning" not in done.stderr  # e.g. DDP's "grad strides do not match bucket view"

    distributed = _record(tmp_path, "ddp")
    digests = distributed["weights_sha256_by_rank"]
    assert isinstance(digests, list) and len(digests) == 2 and digests[0] == digests[1]

    single = _single_process(tmp_path, "one", output="one.rnnlens", verbose=0)
    capsys.readouterr()
    assert single["world_size"] == 1
    losses = distributed["history"]["loss"]  # type: ignore[index]
    np.testing.assert_allclose(losses, single["history"]["loss"], rtol=1e-5)  # type: ignore[index]
    assert losses[2] < losses[0]  # it did learn
    ddp_model = rnnlens.load(tmp_path / "ddp.rnnlens")
    one_model = rnnlens.load(tmp_path / "one.rnnlens")
    for got, want in zip(ddp_model.get_weights(), one_model.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_killed_rank_fails_the_run_cleanly_and_it_resumes_on_one_process(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two ranks started by hand (as on two machines, no torchrun agent to clean up): rank 1
    is killed after the first checkpoint; rank 0 must stop with a message well within the
    timeout; the same config then resumes on one process and ends where an uninterrupted
    one-process run ends."""
    config = _config(tmp_path, "kill", epochs=400, verbose=0)
    port = str(_free_port())
    ranks = [
        subprocess.Popen(
            [sys.executable, "-m", "rnnlens.cli", "train", "--config", str(config)],
            env=_environment(
                RANK=str(r),
                LOCAL_RANK=str(r),
                WORLD_SIZE="2",
                MASTER_ADDR="127.0.0.1",
                MASTER_PORT=port,
            ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for r in range(2)
    ]
    try:
        folder = tmp_path / "ck-kill"
        deadline = time.monotonic() + 180
        while not list(folder.glob("ckpt-*.safetensors")) and time.monotonic() < deadline:
            assert ranks[0].poll() is None, ranks[0].communicate()[1][-3000:]
            time.sleep(0.2)
        assert list(folder.glob("ckpt-*.safetensors")), "no checkpoint within 180 s"
        ranks[1].send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        _, err = ranks[0].communicate(timeout=60)
        waited = time.monotonic() - killed_at
    finally:
        for process in ranks:
            if process.poll() is None:
                process.kill()
            process.communicate()
    assert ranks[0].returncode == 2, err[-3000:]  # the CLI's exit code for an RnnlensError
    assert "rnnlens train: error: rank 0 of 2 lost contact with the other processes" in err
    assert "resume from the last checkpoint" in err
    assert "terminate called" not in err and "Traceback" not in err
    assert waited < 20 + 15  # the configured timeout plus exit, never a hang

    latest = sorted(folder.glob("ckpt-*.safetensors"))[-1].name
    done_epochs = int(latest[len("ckpt-e") :][:6])
    epochs = done_epochs + 2
    resumed = _single_process(tmp_path, "kill", epochs=epochs)
    out = capsys.readouterr().out
    assert f"Epoch {done_epochs}/{epochs}" not in out  # the epochs done before were not rerun
    assert f"Epoch {done_epochs + 1}/{epochs}" in out and f"Epoch {epochs}/{epochs}" in out
    reference = _single_process(tmp_path, "whole", epochs=epochs, verbose=0)
    np.testing.assert_allclose(resumed["history"]["loss"], reference["history"]["loss"], rtol=1e-5)  # type: ignore[index]


def test_shutdown_is_clean_every_time(tmp_path: Path) -> None:
    """Many 2-rank runs that train, shut down and exit through normal interpreter teardown:
    every process exits 0 (no SIGABRT), and rank 0 never leaves ``shutdown`` before the
    deliberately slower rank 1 has reached it."""
    pairs = 10
    done = subprocess.run(
        [sys.executable, __file__, str(pairs), str(tmp_path)],
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["statuses"] == [[0, 0]] * pairs, done.stderr[-3000:]
    for pair in range(pairs):
        rank0 = json.loads((tmp_path / f"{pair}-0.json").read_text())
        rank1 = json.loads((tmp_path / f"{pair}-1.json").read_text())
        assert rank0["left"] >= rank1["arrived"], f"pair {pair}: rank 0 did not wait for rank 1"
    assert "terminate called" not in done.stderr


# ------------------------------------------------------------ the repeated-shutdown harness
def _rank(pair: int, rank: int, port: int, folder: Path) -> None:
    import torch

    from rnnlens.train.distributed import setup

    os.environ.update(RANK=str(rank), WORLD_SIZE="2", LOCAL_RANK=str(rank),
                      MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))  # fmt: skip
    ctx = setup(timeout_s=30)
    net = ctx.wrap(torch.nn.Linear(4, 1))
    for _ in range(3):  # a little DDP traffic, as at the end of training
        net(torch.randn(8, 4)).sum().backward()
    if rank == 1:
        time.sleep(0.3)  # the slow rank: rank 0 must wait for it in shutdown
    arrived = time.time()
    ctx.shutdown()
    record = {"arrived": arrived, "left": time.time()}
    (folder / f"{pair}-{rank}.json").write_text(json.dumps(record), encoding="utf-8")


def _harness(pairs: int, folder: Path) -> None:
    import torch  # imported once here: forked ranks start in milliseconds
    import torch._dynamo  # noqa: F401  # DDP imports it; as slow as torch itself

    statuses = []
    for pair in range(pairs):
        port, children = _free_port(), []
        for rank in range(2):
            pid = os.fork()
            if pid == 0:  # the child leaves through sys.exit: a full interpreter teardown
                try:
                    _rank(pair, rank, port, folder)
                except BaseException as error:
                    print(f"pair {pair} rank {rank}: {error!r}", file=sys.stderr)
                    sys.exit(3)
                sys.exit(0)
            children.append(pid)
        statuses.append([os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children])
    print(json.dumps({"statuses": statuses}))


if __name__ == "__main__":
    _harness(int(sys.argv[1]), Path(sys.argv[2]))
