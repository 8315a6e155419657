"""The distributed context in one process: sharding, batch split, launch detection, errors,
and ``rnnlens train --config`` on a single process. Multi-process runs are in
test_distributed_launch.py."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.distributed as dist

import rnnlens
from rnnlens.cli import main
from rnnlens.errors import ConfigError, InputDataError
from rnnlens.train import distributed
from rnnlens.train.distributed import DistributedContext, DistributedError, collective_errors

LAUNCH = ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT")


@pytest.fixture
def no_launch(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*LAUNCH, "RNNLENS_DIST_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("world", [1, 2, 3, 4])
@pytest.mark.parametrize("n_samples", [1, 7, 12, 13])
def test_shards_cover_the_epoch_once_with_equal_lengths(world: int, n_samples: int) -> None:
    shards = [
        DistributedContext(world_size=world, rank=r).shard(n_samples, 3, True, 11)
        for r in range(world)
    ]
    assert len({len(s) for s in shards}) == 1  # every rank runs the same number of steps
    assert len(shards[0]) == -(-n_samples // world)
    merged = np.concatenate(shards)
    assert set(merged.tolist()) == set(range(n_samples))
    assert len(merged) - n_samples < world  # padding repeats fewer than W samples


def test_local_batches_together_are_the_one_process_batches() -> None:
    """Local batch k of every rank together is global batch k: what makes DDP's averaged
    gradient the one-process gradient."""
    n, global_batch, world = 48, 8, 4
    single = DistributedContext().shard(n, 5, True, 2)
    local = global_batch // world
    shards = [
        DistributedContext(world_size=world, rank=r).shard(n, 5, True, 2) for r in range(world)
    ]
    for k in range(n // global_batch):
        together = np.concatenate([s[k * local : (k + 1) * local] for s in shards])
        assert sorted(together.tolist()) == sorted(
            single[k * global_batch : (k + 1) * global_batch].tolist()
        )


def test_order_changes_with_epoch_and_seed_not_with_rank_count() -> None:
    ctx = DistributedContext()
    assert ctx.shard(50, 0, True, 1).tolist() != ctx.shard(50, 1, True, 1).tolist()
    assert ctx.shard(50, 0, True, 1).tolist() != ctx.shard(50, 0, True, 2).tolist()
    assert ctx.shard(50, 0, False, 1).tolist() == list(range(50))
    two = [DistributedContext(world_size=2, rank=r).shard(50, 4, True, 9) for r in range(2)]
    interleaved = np.stack(two, axis=1).reshape(-1)  # rank r took positions r, r + 2, ...
    assert interleaved.tolist() == ctx.shard(50, 4, True, 9).tolist()


def test_local_batch_size_splits_the_global_batch() -> None:
    assert DistributedContext(world_size=2).local_batch_size(32) == 16
    assert DistributedContext().local_batch_size(5) == 5
    with pytest.raises(ConfigError, match=r"batch_size=10 .* 4 processes: use a multiple of 4"):
        DistributedContext(world_size=4).local_batch_size(10)


@pytest.mark.usefixtures("no_launch")
def test_setup_without_a_launch_is_a_world_of_one() -> None:
    ctx = distributed.setup()
    assert (ctx.world_size, ctx.rank, ctx.is_main, ctx.is_distributed) == (1, 0, True, False)
    module = torch.nn.Linear(2, 1)
    assert ctx.wrap(module) is module
    assert ctx.mean({"loss": 2.5}) == {"loss": 2.5}
    ctx.barrier()
    ctx.shutdown()
    assert not dist.is_initialized()


@pytest.mark.usefixtures("no_launch")
def test_forcing_distributed_without_a_launcher_names_what_is_missing() -> None:
    with pytest.raises(
        ConfigError, match=r"RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT not set.*torchrun"
    ):
        distributed.setup(True)


def test_launch_detection_needs_every_rendezvous_variable() -> None:
    full = {"RANK": "0", "WORLD_SIZE": "2", "MASTER_ADDR": "h", "MASTER_PORT": "1"}
    assert distributed.launched_by_torchrun(full)
    assert not distributed.launched_by_torchrun(
        {k: v for k, v in full.items() if k != "MASTER_PORT"}
    )


@pytest.mark.usefixtures("no_launch")
@pytest.mark.parametrize("bad", ["0", "-3", "soon"])
def test_a_bad_timeout_is_refused(monkeypatch: pytest.MonkeyPatch, bad: str) -> None:
    for name, value in {
        "RANK": "0",
        "WORLD_SIZE": "1",
        "MASTER_ADDR": "127.0.0.1",
        "MASTER_PORT": "1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("RNNLENS_DIST_TIMEOUT", bad)
    with pytest.raises(ConfigError, match="RNNLENS_DIST_TIMEOUT"):
        distributed.setup()


def test_a_lost_peer_becomes_one_clear_error() -> None:
    ctx = DistributedContext(world_size=2, rank=1, backend="gloo", timeout_s=20)
    with (
        pytest.raises(
            DistributedError, match=r"rank 1 of 2 lost contact .* 20 s \(Connection reset"
        ) as info,
        collective_errors(ctx),
    ):
        raise dist.DistBackendError("Connection reset by peer\nlong gloo trace")
    assert isinstance(info.value, rnnlens.RnnlensError)
    # other errors pass through untouched
    with pytest.raises(ValueError, match="unrelated"), collective_errors(ctx):
        raise ValueError("unrelated")
    with pytest.raises(RuntimeError, match=r"^shape mismatch$"), collective_errors(ctx):
        raise RuntimeError("shape mismatch")


def test_weight_digest_sees_every_bit() -> None:
    module = torch.nn.Linear(3, 2)
    before = DistributedContext().weight_digests(module)
    with torch.no_grad():
        module.weight[1, 2] = torch.nextafter(module.weight[1, 2], torch.tensor(2.0))
    assert DistributedContext().weight_digests(module) != before


# --------------------------------------------------------------------- rnnlens train --config
SPEC = "LSTM(6, return_sequences=True, input_shape=(5, 2)) -> LSTM(3) -> Dense(1)"


def _write(path: Path, config: dict[str, object]) -> Path:
    path.write_text(json.dumps(config), encoding="utf-8")
    return path


@pytest.mark.usefixtures("no_launch")
def test_train_from_npz_and_layer_dicts_matches_model_fit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 5, 2)).astype(np.float32)
    y = x.sum(axis=(1, 2))[:, None]
    np.savez(tmp_path / "xy.npz", x=x, y=y)
    layers = [  # the same model as SPEC, written as layer dicts
        {
            "class_name": "LSTM",
            "config": {"units": 6, "return_sequences": True, "input_shape": [5, 2]},
        },
        {"class_name": "LSTM", "config": {"units": 3}},
        {"class_name": "Dense", "config": {"units": 1}},
    ]
    config = {
        "model": layers, "data": {"path": "xy.npz"}, "epochs": 2, "batch_size": 8, "seed": 3,
        "optimizer": {"name": "adam", "learning_rate": 0.01}, "checkpoint_dir": "ck",
        "output": "trained.rnnlens", "verbose": 0,
    }  # fmt: skip
    assert main(["train", "--config", str(_write(tmp_path / "run.json", config))]) == 0
    assert "trained 32 samples on 1 process(es)" in capsys.readouterr().out
    record = json.loads((tmp_path / "ck" / "history.json").read_text())

    rnnlens.clear_session()
    rnnlens.set_seed(3)
    model = rnnlens.parse.parse_spec(SPEC)
    model.compile(optimizer="adam", loss="mse", learning_rate=0.01)
    expected = model.fit(x, y, epochs=2, batch_size=8, verbose=0).history["loss"]
    np.testing.assert_allclose(record["history"]["loss"], expected, rtol=1e-6)
    trained = rnnlens.load(tmp_path / "trained.rnnlens")
    for got, want in zip(trained.get_weights(), model.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    assert record["weights_sha256_by_rank"] == DistributedContext().weight_digests(trained.module)


def test_config_errors_name_the_file_and_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = {"model": SPEC, "data": {"path": "xy.npz"}}
    typo = _write(tmp_path / "typo.json", {**base, "epoch": 3})
    assert main(["train", "--config", str(typo)]) == 2
    err = capsys.readouterr().err
    assert "typo.json: unknown key(s) ['epoch']" in err and "epochs: number of epochs" in err

    text = _write(tmp_path / "text.json", {**base, "epochs": "3"})
    assert main(["train", "--config", str(text)]) == 2
    assert "config key 'epochs' must be an integer, received '3'" in capsys.readouterr().err

    toml = tmp_path / "broken.toml"
    toml.write_text("epochs = = 3\n", encoding="utf-8")
    assert main(["train", "--config", str(toml)]) == 2
    assert "broken.toml: not a valid .toml config" in capsys.readouterr().err

    np.savez(tmp_path / "objects.npz", x=np.array([{"a": 1}], dtype=object), y=np.zeros(1))
    with pytest.raises(InputDataError, match="unreadable without pickle"):
        from rnnlens.cli.train import load_data

        load_data({"path": "objects.npz"}, tmp_path)
    np.savez(tmp_path / "only_x.npz", x=np.zeros((2, 5, 2)))
    with pytest.raises(InputDataError, match=r"needs arrays named x and y, found \['x'\]"):
        load_data({"path": "only_x.npz"}, tmp_path)


def test_a_csv_series_is_windowed(tmp_path: Path) -> None:
    from rnnlens.cli.train import load_data

    (tmp_path / "s.csv").write_text("value\n1\n2\n3\n4\n5\n", encoding="utf-8")
    x, y = load_data({"path": "s.csv", "time_steps": 3, "normalize": False}, tmp_path)
    assert x.shape == (2, 3, 1) and x[1, :, 0].tolist() == [2.0, 3.0, 4.0]
    assert y[:, 0].tolist() == [4.0, 5.0]
    with pytest.raises(ConfigError, match="time_steps"):
        load_data({"path": "s.csv"}, tmp_path)
