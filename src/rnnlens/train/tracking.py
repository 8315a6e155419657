"""Running means of loss and metrics over an epoch, kept cheap, and the non-finite loss check.

Keras reports the mean of the batch losses weighted by batch size. On CPU reading a scalar
(``loss.item()``) costs no device synchronisation, so each batch's loss is read at once and a
NaN stops training *before* its backward pass. On an accelerator the losses stay on the
device and are checked only when the sums are read (a progress refresh, a checkpoint, the
end of the epoch); the error still names the first bad batch.
"""

from __future__ import annotations

import math

import torch

from ..errors import RnnlensError


class NonFiniteLossError(RnnlensError, FloatingPointError):
    """The training loss became NaN or infinite."""


def non_finite_error(epoch: int, batch: int, value: float) -> NonFiniteLossError:
    return NonFiniteLossError(
        f"the loss became {value} at epoch {epoch + 1}, batch {batch + 1}: training stopped. "
        "Usual fixes: a lower learning_rate, clipnorm=1.0 in compile(), scaling inputs and "
        "targets to about unit size, or checking the data for extreme values"
    )


class RunningMeans:
    """Batch-size-weighted sums of the loss and metrics for the epoch in progress."""

    def __init__(
        self, device: torch.device, epoch: int, sums: dict[str, float] | None = None
    ) -> None:
        self.eager = device.type == "cpu"
        self.epoch = epoch
        sums = dict(sums or {})
        self.count = int(sums.pop("_count", 0))
        self.loss_sum: float | torch.Tensor = sums.pop("loss", 0.0)
        self.metric_sums: dict[str, float | torch.Tensor] = dict(sums)
        self.pending: list[tuple[int, torch.Tensor]] = []

    def add_loss(
        self, batch: int, loss: torch.Tensor, n: int, *, raise_on_nan: bool = True
    ) -> float | None:
        """Add one batch's loss; on CPU return it as a float (after the finiteness check)."""
        self.count += n
        if self.eager:
            value = loss.item()
            if raise_on_nan and not math.isfinite(value):
                raise non_finite_error(self.epoch, batch, value)
            self.loss_sum += value * n
            return value
        detached = loss.detach()
        self.pending.append((batch, detached))
        self.loss_sum = self.loss_sum + detached * n
        return None

    def add_metric(self, name: str, value: torch.Tensor, n: int) -> None:
        self.metric_sums[name] = self.metric_sums.get(name, 0.0) + value.detach() * n

    def check(self) -> None:
        """Raise for the first non-finite loss since the last check (one synchronisation)."""
        if not self.pending:
            return
        losses = torch.stack([loss for _, loss in self.pending]).float()
        finite = torch.isfinite(losses)
        if not bool(finite.all()):
            first = int((~finite).nonzero()[0, 0])
            raise non_finite_error(self.epoch, self.pending[first][0], float(losses[first]))
        self.pending.clear()

    def means(self) -> dict[str, float]:
        self.check()
        count = max(self.count, 1)
        logs = {"loss": float(self.loss_sum) / count}
        logs.update({name: float(total) / count for name, total in self.metric_sums.items()})
        return logs

    def sums(self) -> dict[str, float]:
        """The raw sums, for a checkpoint taken mid-epoch."""
        self.check()
        return {
            "_count": float(self.count),
            "loss": float(self.loss_sum),
            **{name: float(total) for name, total in self.metric_sums.items()},
        }
