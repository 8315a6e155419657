"""What ``fit`` prints: a progress bar (verbose=1), one line per epoch (verbose=2), or nothing.

A small writer of our own rather than tqdm/rich: the bar needs the batch count, the rate,
the ETA and the latest logs, and nothing else. On a terminal it redraws one line with ``\\r``
at most ten times a second; in a Jupyter notebook it updates one HTML ``<progress>`` display
in place (IPython's ``display_id``), as often; into a file or a pipe it writes only the
epoch's final line, so logs stay readable. Only the main process of a distributed run prints.

At verbose=1 the end of an epoch looks like::

    Epoch 3/20
    25/25 ━━━━━━━━━━━━━━━━━━━━ 0.1s 4.1ms/step - loss: 0.0860 - val_loss: 0.0734
"""

from __future__ import annotations

import sys
import time
from typing import IO

_WIDTH = 20
_REFRESH_S = 0.1


def format_logs(logs: dict[str, float]) -> str:
    return "".join(f" - {name}: {value:.4f}" for name, value in logs.items())


def format_seconds(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes}m{seconds:02d}s" if minutes < 60 else f"{minutes // 60}h{minutes % 60:02d}m"


def bar(done: int, total: int) -> str:
    filled = _WIDTH if total <= 0 else min(_WIDTH, done * _WIDTH // total)
    return "━" * filled + ("╺" if filled < _WIDTH else "") + " " * max(0, _WIDTH - filled - 1)


class Progress:
    """One epoch's progress display.

    Args:
        verbose: 0 silent, 1 progress bar, 2 one line per epoch.
        epochs: the total number of epochs (for ``Epoch e/E``).
        stream: where to write (default ``sys.stdout``).
    """

    def __init__(self, verbose: int, epochs: int, stream: IO[str] | None = None) -> None:
        self.verbose = verbose
        self.epochs = epochs
        self.stream = stream if stream is not None else sys.stdout
        isatty = getattr(self.stream, "isatty", None)
        self.live = verbose == 1 and bool(isatty and isatty())
        self.notebook = verbose == 1 and not self.live and _notebook_stream(self.stream)
        self.display: object | None = None  # IPython's DisplayHandle, in a notebook
        self.total = 0
        self.started = 0.0
        self.last_draw = 0.0
        self.first_batch = 0

    def begin_epoch(self, epoch: int, n_batches: int, first_batch: int = 0) -> None:
        self.total, self.first_batch = n_batches, first_batch
        self.started = self.last_draw = time.perf_counter()
        if self.verbose == 1:
            self._write(f"Epoch {epoch + 1}/{self.epochs}\n")
        if self.notebook:
            from IPython.display import display

            self.display = display(NotebookBar(0, n_batches, ""), display_id=True)

    def wants_update(self) -> bool:
        """Whether a redraw is due now (the caller then fetches the running loss)."""
        due = time.perf_counter() - self.last_draw >= _REFRESH_S
        return (self.live or self.notebook) and due

    def update(self, done: int, logs: dict[str, float]) -> None:
        now = time.perf_counter()
        self.last_draw = now
        elapsed = now - self.started
        rate = (done - self.first_batch) / elapsed if elapsed > 0 else 0.0
        eta = (self.total - done) / rate if rate > 0 else 0.0
        if self.notebook:
            status = f"ETA {format_seconds(eta)} {rate:.1f} step/s{format_logs(logs)}"
            self._show(NotebookBar(done, self.total, status))
            return
        self._write(
            f"\r{done}/{self.total} {bar(done, self.total)} ETA {format_seconds(eta)} "
            f"{rate:.1f} step/s{format_logs(logs)}\x1b[K"
        )

    def end_epoch(self, epoch: int, logs: dict[str, float]) -> None:
        elapsed = time.perf_counter() - self.started
        steps = max(1, self.total - self.first_batch)
        timing = f"{format_seconds(elapsed)} {1000 * elapsed / steps:.1f}ms/step"
        if self.notebook:
            self._show(NotebookBar(self.total, self.total, f"{timing}{format_logs(logs)}"))
        if self.verbose == 1:
            prefix = "\r" if self.live else ""
            self._write(
                f"{prefix}{self.total}/{self.total} {bar(1, 1)} {timing}{format_logs(logs)}"
                f"{chr(27) + '[K' if self.live else ''}\n"
            )
        elif self.verbose == 2:
            self._write(f"Epoch {epoch + 1}/{self.epochs} - {timing}{format_logs(logs)}\n")

    def message(self, text: str) -> None:
        if self.verbose:
            self._write(text + "\n")

    def _show(self, bar: NotebookBar) -> None:
        update = getattr(self.display, "update", None)
        if update is not None:
            update(bar)

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()


class NotebookBar:
    """One state of the progress bar as a notebook shows it: an HTML ``<progress>`` element.

    >>> NotebookBar(3, 10, "loss: 0.5")._repr_html_()
    '<div class="rnnlens-progress"><progress value="3" max="10"></progress> 3/10 loss: 0.5</div>'
    """

    def __init__(self, done: int, total: int, status: str) -> None:
        self.done, self.total, self.status = done, total, status

    def _repr_html_(self) -> str:
        import html

        return (
            f'<div class="rnnlens-progress"><progress value="{self.done}" '
            f'max="{max(self.total, 1)}"></progress> {self.done}/{self.total} '
            f"{html.escape(self.status)}</div>"
        )

    def __repr__(self) -> str:
        return f"{self.done}/{self.total} {bar(self.done, self.total)} {self.status}"


def _notebook_stream(stream: object) -> bool:
    """Whether ``stream`` is a Jupyter kernel's output, where a display can update in place."""
    import sys

    if "ipykernel" not in sys.modules or "IPython" not in sys.modules:
        return False  # never import IPython just to find out
    return type(stream).__module__.startswith("ipykernel")
