"""The ``rnnlens`` command as a shell user meets it: fast to answer, quiet when piped."""

from __future__ import annotations

import subprocess
import sys

STORY = "LSTM(64, return_sequences=True, input_shape=(10, 2)) -> LSTM(32)"


def run_rnnlens(*args: str, code: str = "") -> subprocess.CompletedProcess[str]:
    script = code or f"import sys; from rnnlens.cli import main; sys.exit(main({list(args)!r}))"
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )


def test_explain_imports_only_its_own_subcommand() -> None:
    # `rnnlens explain` must not pay for demo (numpy), bench or train modules, nor torch.
    code = (
        "import sys, contextlib, io\n"
        "from rnnlens.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    main(['explain', {STORY!r}])\n"
        "infra = {'rnnlens.cli.safeout', 'rnnlens.cli.failures'}  # the CLI's own printing\n"
        "print(sorted(n for n in sys.modules if (n.startswith('rnnlens.cli.') and n not in infra)"
        " or n == 'torch'))\n"
    )
    done = run_rnnlens(code=code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['rnnlens.cli.explain']"


def test_help_lists_every_subcommand_without_importing_them() -> None:
    done = run_rnnlens("--help")
    assert done.returncode == 0, done.stderr
    for name in ("explain", "diagram", "summary", "train", "report", "demo", "bench", "convert"):
        assert name in done.stdout


def test_a_closed_pipe_is_not_a_traceback() -> None:
    # Like `rnnlens explain ... | head -1` where head exits before rnnlens writes.
    process = subprocess.Popen(
        [sys.executable, "-m", "rnnlens.cli", "explain", STORY],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    errors = process.stderr.read()
    process.stderr.close()
    assert process.wait(timeout=120) == 0
    assert "Traceback" not in errors and "BrokenPipe" not in errors


def test_a_bad_spec_is_one_line_on_stderr_with_exit_code_2() -> None:
    done = run_rnnlens("explain", "LSTM(64, input_shape=(10, 2)) -> LSTM(32)")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rnnlens explain: error:")
    assert "return_sequences=True" in lines[0]
