"""Writes under faults: a full disk (``RLIMIT_FSIZE``, a small tmpfs when one can be mounted),
read-only folders, a folder as the output, kills mid-save, two resumes of one folder, modes."""

from __future__ import annotations

import os
import random
import signal
import stat
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import rnnlens as rl
from rnnlens import ConfigError, ModelFileError
from rnnlens.io.atomic import write_atomic
from rnnlens.layers import LSTM, Dense

#: SIGKILLs during save: a few in CI, 40 under ``make fuzz``.
KILLS = 40 if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz" else 3
ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False


def _model(units: int = 4) -> rl.Sequential:
    return rl.Sequential([LSTM(units, input_shape=(3, 2)), Dense(1)])


def _run(code: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# ------------------------------------------------------------------ disk full
def test_a_file_size_limit_is_a_model_file_error_and_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "m.rnnlens"
    _model().save(target)
    before = target.read_bytes()
    # RLIMIT_FSIZE makes the write fail with EFBIG (Python ignores SIGXFSZ), as a full disk
    # fails with ENOSPC: the same path through write_atomic.
    done = _run(
        f"""
        import resource, sys
        import rnnlens as rl
        from rnnlens.layers import LSTM, Dense
        model = rl.Sequential([LSTM(64, input_shape=(3, 2)), Dense(1)])
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, resource.RLIM_INFINITY))
        try:
            model.save({str(target)!r})
        except rl.ModelFileError as error:
            print(type(error).__name__, error.errno, error)
            sys.exit(0)
        sys.exit(1)
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ModelFileError 27 "), done.stdout  # EFBIG
    assert "ulimit -f" in done.stdout and "nothing was written" in done.stdout
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.rnnlens"]


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)


def test_a_full_tmpfs_is_a_model_file_error_saying_what_to_do(tiny_disk: Path) -> None:
    with pytest.raises(ModelFileError, match="disk is full") as caught:
        _model(64).save(tiny_disk / "m.rnnlens")  # about 70 KB on a 64 KiB disk
    assert caught.value.errno == 28
    assert list(tiny_disk.iterdir()) == []


def test_a_read_only_folder_is_a_model_file_error(tmp_path: Path, tiny_disk: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(tiny_disk)], check=True)
    with pytest.raises(ModelFileError, match="read-only"):
        rl.to_keras(_model(), tiny_disk / "m.keras")


def test_a_folder_without_write_permission_is_a_model_file_error(tmp_path: Path) -> None:
    if ROOT:
        pytest.skip("root writes anywhere")
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(ModelFileError, match="permission denied"):
            _model().save(folder / "m.rnnlens")
    finally:
        folder.chmod(0o755)


def test_every_writer_refuses_a_folder_as_its_output(tmp_path: Path) -> None:
    model = _model()
    from rnnlens.train.history import History

    history = History()
    history.history = {"loss": [1.0, 0.5]}
    history.epoch = [0, 1]
    folder_named_like_a_model = tmp_path / "dir.rnnlens"
    folder_named_like_a_model.mkdir()
    for write in (
        lambda: model.save(tmp_path),  # refused by its missing extension first
        lambda: model.save(folder_named_like_a_model),
        lambda: rl.to_keras(model, tmp_path),
        lambda: model.diagram(tmp_path),
        lambda: write_atomic(tmp_path, ""),
        lambda: history.plot(tmp_path),
    ):
        with pytest.raises(ModelFileError, match=r"it is a folder|unknown model file extension"):
            write()


# ---------------------------------------------------------------- permissions
@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_written_files_get_the_mode_open_would_give(tmp_path, umask: int, mode: int) -> None:
    from rnnlens.train.callbacks import CSVLogger

    old = os.umask(umask)
    try:
        model = _model()
        model.compile(optimizer="sgd", loss="mse")
        x, y = np.zeros((4, 3, 2), "float32"), np.zeros((4, 1), "float32")
        history = model.fit(x, y, epochs=1, verbose=0, callbacks=[CSVLogger(tmp_path / "l.csv")])
        written = [
            model.save(tmp_path / "m.rnnlens") or tmp_path / "m.rnnlens",
            history.plot(tmp_path / "h.svg"),
            tmp_path / "l.csv",
            write_atomic(tmp_path / "d.svg", "<svg/>"),
        ]
    finally:
        os.umask(old)
    for path in written:
        assert stat.S_IMODE(Path(path).stat().st_mode) == mode, path


# ------------------------------------------------------------ stale temporaries
def test_kills_during_save_leave_the_old_or_new_file_and_no_lasting_temporaries(
    tmp_path: Path,
) -> None:
    target = tmp_path / "m.rnnlens"
    _model(8).save(target)
    code = f"""
        import rnnlens as rl
        from rnnlens.layers import LSTM, Dense
        model = rl.Sequential([LSTM(256, input_shape=(3, 2)), Dense(1)])
        model.save({str(target)!r})  # torch imported, weights built: the loop is all saves
        print("ready", flush=True)
        while True:
            model.save({str(target)!r})
    """
    rng = random.Random(0)
    for _ in range(KILLS):
        process = subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(code)], stdout=subprocess.PIPE, text=True
        )
        assert process.stdout is not None and process.stdout.readline() == "ready\n"
        time.sleep(rng.uniform(0.05, 0.6))
        process.send_signal(signal.SIGKILL)
        process.wait()
        process.stdout.close()
        assert rl.load(target).count_params() == 265_473  # whole: never half-written
    # The next save removes what the killed writers left (their pids are gone).
    _model(8).save(target)
    assert [p.name for p in tmp_path.iterdir()] == ["m.rnnlens"]


# ----------------------------------------------------------- checkpoint lock
def test_two_processes_resuming_one_folder_the_second_gets_a_clear_error(tmp_path) -> None:
    folder = tmp_path / "run"
    code = f"""
        import os, sys, time
        import numpy as np, rnnlens as rl
        from rnnlens.layers import LSTM, Dense
        from rnnlens.train.callbacks import LambdaCallback
        model = rl.Sequential([LSTM(4, input_shape=(3, 2)), Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        x, y = np.zeros((8, 3, 2), "float32"), np.zeros((8, 1), "float32")
        go = {str(tmp_path / "go")!r}

        def wait(epoch, logs):  # the first run holds the folder until the test says go
            print("epoch", flush=True)
            start = time.time()
            while sys.argv[1] == "hold" and not os.path.exists(go) and time.time() - start < 60:
                time.sleep(0.05)

        slow = LambdaCallback(on_epoch_end=wait)
        try:
            model.fit(x, y, epochs=3, verbose=0, checkpoint_dir={str(folder)!r}, resume=True, callbacks=[slow])
        except rl.ConfigError as error:
            print("refused:", error, flush=True)
            sys.exit(3)
        print("done", flush=True)
    """
    first = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), "hold"], stdout=subprocess.PIPE, text=True
    )
    assert first.stdout is not None and first.stdout.readline() == "epoch\n"
    second = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), "0"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert second.returncode == 3, second.stderr
    assert f"in use by another running process (pid {first.pid})" in second.stdout
    (tmp_path / "go").touch()
    rest, _ = first.communicate(timeout=120)
    assert first.returncode == 0 and rest.endswith("done\n")


def test_a_killed_run_does_not_leave_its_folder_locked(tmp_path: Path) -> None:
    from rnnlens.io.lock import lock_folder

    code = f"""
        import time
        from rnnlens.io.lock import lock_folder
        lock = lock_folder({str(tmp_path)!r}, "checkpoint_dir")
        print("locked", flush=True)
        time.sleep(60)
    """
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
    with pytest.raises(ConfigError, match=f"pid {holder.pid}"):
        lock_folder(tmp_path, "checkpoint_dir")
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    holder.stdout.close()
    lock_folder(tmp_path, "checkpoint_dir").release()  # the kernel dropped the dead one's lock
