"""How ``fit`` runs on one process or many (PyTorch DistributedDataParallel).

INTERFACE CONTRACT (used by rnnlens.train.loop):

    ctx = setup(distributed=None)      # None: detect a torchrun launch from the environment
    ctx.world_size, ctx.rank, ctx.is_main, ctx.device
    module = ctx.wrap(module)          # DDP-wrapped on many processes, unchanged on one
    ctx.unwrap(module)                 # the plain module again (what checkpoints hold)
    per_rank = ctx.local_batch_size(batch_size)   # global batch -> this rank's share
    indices = ctx.shard(n_samples, epoch, shuffle, seed)  # this rank's sample order for an epoch
    values = ctx.mean(values)          # dict[str, float] averaged over ranks
    ctx.barrier()
    ctx.shutdown()                     # synchronise, then destroy the process group

Data parallelism in one paragraph: every rank holds the same weights (DDP copies rank 0's at
``wrap``), reads a disjoint share of each global batch, and DDP averages the gradients with
an all-reduce during ``backward``. For a loss that is a mean over the batch, the average of W
per-rank means over B/W samples each is the mean over the B samples of the global batch, so
the update equals the one-process update with batch B:

    grad = (1/W) * sum_r (W/B) * sum_{i in batch_r} grad l_i = (1/B) * sum_{i in batch} grad l_i

The launch is torchrun's; see docs/distributed.md. Only the CPU (gloo) path is tested here;
the CUDA (nccl) path follows torch's documented recipe (device from LOCAL_RANK).
"""

from __future__ import annotations

import datetime
import hashlib
import os
import time
import warnings
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.distributed as dist

from ..errors import ConfigError, RnnlensError

# torchrun (and any launcher following torch's env:// rendezvous) sets these for every process.
LAUNCH_VARIABLES = ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")
DEFAULT_TIMEOUT_S = 300.0  # a collective waiting longer than this means a peer is gone


class DistributedError(RnnlensError, RuntimeError):
    """A peer process died, hung or could not be reached during distributed training."""


@dataclass
class DistributedContext:
    """Where this process stands in a data-parallel run; a world of one when not launched.

    >>> ctx = DistributedContext()
    >>> ctx.is_main, ctx.shard(5, epoch=0, shuffle=False, seed=0).tolist()
    (True, [0, 1, 2, 3, 4])
    """

    world_size: int = 1
    rank: int = 0
    local_rank: int = 0
    backend: str | None = None  # None: no process group (a plain single-process run)
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))
    timeout_s: float = DEFAULT_TIMEOUT_S
    owns_group: bool = False  # destroy the group at shutdown only if setup created it

    @property
    def is_main(self) -> bool:
        """Rank 0: the one process that prints and writes checkpoints."""
        return self.rank == 0

    @property
    def is_distributed(self) -> bool:
        return self.backend is not None

    def wrap(self, module: torch.nn.Module) -> torch.nn.Module:
        """``DistributedDataParallel(module)`` on a process group, ``module`` otherwise.

        DDP broadcasts rank 0's parameters and buffers at construction, so every rank starts
        from the same weights whatever its random seed. A checkpoint loaded after wrapping must
        be loaded on every rank (``fit`` does so).
        """
        if not self.is_distributed:
            return module
        from torch.nn.parallel import DistributedDataParallel

        module.to(self.device)
        # DDP compares each gradient's strides with its bucket's, also along dimensions of
        # size 1 where strides mean nothing (a (1, 4U) kernel of a one-feature input): the
        # warning it then prints is about a copy of a few numbers, not a problem.
        warnings.filterwarnings(
            "ignore", message="Grad strides do not match bucket view strides", category=UserWarning
        )
        device_ids = [self.device.index] if self.device.type == "cuda" else None
        wrapper = DistributedDataParallel(module, device_ids=device_ids)
        _WRAPPERS.add(wrapper)
        return wrapper

    @staticmethod
    def unwrap(module: torch.nn.Module) -> torch.nn.Module:
        """The module inside a DDP wrapper (what a checkpoint must hold), or ``module``."""
        from torch.nn.parallel import DistributedDataParallel

        return module.module if isinstance(module, DistributedDataParallel) else module

    def local_batch_size(self, batch_size: int) -> int:
        """This rank's share of a global batch: ``batch_size / world_size``.

        ``batch_size`` means the global batch, as in one process, so the same config gives the
        same updates on any number of processes.

        >>> DistributedContext(world_size=4).local_batch_size(32)
        8

        Raises:
            ConfigError: ``batch_size`` is not a multiple of the number of processes.
        """
        if batch_size % self.world_size:
            raise ConfigError(
                f"batch_size={batch_size} is the global batch and must split evenly over "
                f"{self.world_size} processes: use a multiple of {self.world_size}, "
                f"e.g. {max(1, round(batch_size / self.world_size)) * self.world_size}"
            )
        return batch_size // self.world_size

    def shard(self, n_samples: int, epoch: int, shuffle: bool, seed: int) -> np.ndarray:
        """This rank's sample indices for ``epoch``, in order.

        The global order is one permutation drawn from ``seed + epoch`` (the same on every
        rank and every world size) or ``0..n-1`` unshuffled. As ``DistributedSampler`` does,
        it is padded by repeating its first indices to a multiple of ``world_size`` so every
        rank runs the same number of steps (a rank with one step fewer would leave the others
        waiting in an all-reduce), then rank r takes positions r, r + W, r + 2W, ... Hence
        local batch k of every rank together is exactly global batch k of a one-process run
        when the global batch is a multiple of W.

        >>> ctx = DistributedContext(world_size=2, rank=1)
        >>> ctx.shard(5, epoch=0, shuffle=False, seed=0).tolist()  # padded order 0 1 2 3 4 0
        [1, 3, 0]
        """
        if shuffle:
            generator = torch.Generator().manual_seed(seed + epoch)
            order = torch.randperm(n_samples, generator=generator).numpy()
        else:
            order = np.arange(n_samples)
        if self.world_size == 1:
            return order
        padded = -(-n_samples // self.world_size) * self.world_size
        order = np.resize(order, padded)  # repeats from the start, as DistributedSampler pads
        return order[self.rank :: self.world_size]

    def mean(self, values: dict[str, float]) -> dict[str, float]:
        """Average each metric over ranks (one all-reduce, in float64, keys in sorted order).

        Every rank saw the same number of samples (see :meth:`shard`), so the mean of the rank
        means is the mean over all samples of the epoch (padding repeats a few, at most W - 1).
        """
        if not self.is_distributed or not values:
            return values
        keys = sorted(values)
        total = torch.tensor([float(values[k]) for k in keys], dtype=torch.float64)
        with collective_errors(self):
            total = total.to(self.device)
            dist.all_reduce(total, op=dist.ReduceOp.SUM)
        averaged = (total / self.world_size).tolist()
        return dict(zip(keys, averaged))

    def weight_digests(self, module: torch.nn.Module) -> list[str]:
        """The SHA-256 of the module's weights on every rank, rank 0 first.

        DDP keeps replicas equal by applying the same averaged gradient everywhere; this checks
        it bit for bit (one all-gather of 32 bytes per rank), e.g. at the end of training.

        >>> digests = DistributedContext().weight_digests(torch.nn.Linear(2, 1))
        >>> len(digests), len(digests[0])
        (1, 64)
        """
        hasher = hashlib.sha256()
        for name, tensor in sorted(self.unwrap(module).state_dict().items()):
            hasher.update(name.encode("utf-8"))
            hasher.update(tensor.detach().cpu().contiguous().view(torch.uint8).numpy().tobytes())
        mine = torch.frombuffer(bytearray(hasher.digest()), dtype=torch.uint8)
        if not self.is_distributed:
            return [mine.numpy().tobytes().hex()]
        gathered = [torch.empty_like(mine).to(self.device) for _ in range(self.world_size)]
        with collective_errors(self, during="comparing weights"):
            dist.all_gather(gathered, mine.to(self.device))
        return [g.cpu().numpy().tobytes().hex() for g in gathered]

    def barrier(self) -> None:
        """Wait until every rank reaches this point."""
        if self.is_distributed and dist.is_initialized():
            with collective_errors(self):
                _barrier(self)

    def shutdown(self) -> None:
        """Synchronise, release DDP's hold on the group, then destroy it (idempotent).

        Why each step (on this machine a bare 2-process gloo run aborted at exit with
        "terminate called without an active exception" in 2 of 34 runs, and hung in others):

        1. the barrier: no rank tears down its connections while another still uses them;
        2. every DDP wrapper made by :meth:`wrap` lets go of the group (its reducer holds a
           reference), so gloo's worker threads are stopped and joined inside
           ``destroy_process_group``, now, and not at interpreter exit, where a worker that
           needs the GIL either deadlocks against the joining main thread or is killed
           mid-destructor (the SIGABRT). A released wrapper cannot train any more;
        3. a short sleep, which releases the GIL, lets the workers finish cleaning up the
           barrier's work item (a Python object) before they are joined.
        """
        if not (self.is_distributed and self.owns_group and dist.is_initialized()):
            return
        with collective_errors(self, during="shutting down"):
            _barrier(self)
        _release_wrappers()
        time.sleep(0.05)
        dist.destroy_process_group()
        self.owns_group = False

    def abandon(self) -> None:
        """Destroy the process group without the barrier: for a run that already failed.

        A barrier with a dead peer would only wait out the timeout; leaving the group intact
        lets its threads die with the process, which gloo reports as an abort.
        """
        if self.is_distributed and self.owns_group and dist.is_initialized():
            with suppress(Exception):  # the group is broken already; nothing left to report
                dist.destroy_process_group()
        self.owns_group = False

    @contextmanager
    def guard(self, during: str = "training") -> Iterator[None]:
        """Run a block of collective work: a peer's failure becomes one clear
        :class:`DistributedError`, and the group is abandoned (not synchronised) on any error.

        Use it around the whole training loop and call :meth:`shutdown` after it::

            with ctx.guard():
                ...  # epochs
            ctx.shutdown()
        """
        try:
            with collective_errors(self, during):
                yield
        except BaseException:
            self.abandon()
            raise


# Every DDP wrapper made by ``wrap`` (weakly held): shutdown detaches them from the group.
_WRAPPERS: weakref.WeakSet[torch.nn.Module] = weakref.WeakSet()


def _release_wrappers() -> None:
    for wrapper in list(_WRAPPERS):
        for name in ("logger", "reducer", "process_group"):  # each holds the process group
            wrapper.__dict__.pop(name, None)
    _WRAPPERS.clear()


def _barrier(ctx: DistributedContext) -> None:
    if ctx.device.type == "cuda":  # nccl wants the device, else it guesses and warns
        dist.barrier(device_ids=[ctx.device.index])
    else:
        dist.barrier()


def launched_by_torchrun(environ: dict[str, str] | None = None) -> bool:
    """Whether the rendezvous variables torchrun sets are all present."""
    env = os.environ if environ is None else environ
    return all(name in env for name in LAUNCH_VARIABLES)


def setup(
    distributed: bool | None = None,
    *,
    backend: str | None = None,
    timeout_s: float | None = None,
) -> DistributedContext:
    """The context for this process: a process group under torchrun, a world of one otherwise.

    Args:
        distributed: ``None`` detects a launch (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT
            set); ``True`` requires one; ``False`` trains alone even under torchrun.
        backend: ``"gloo"`` or ``"nccl"``; by default nccl when CUDA is available, else gloo.
        timeout_s: how long a collective may wait for a peer before failing; default the
            ``RNNLENS_DIST_TIMEOUT`` environment variable, else 300 s.

    Returns:
        A :class:`DistributedContext`; call its ``shutdown()`` when training ends.

    Raises:
        ConfigError: ``distributed=True`` without the launch variables, or an unknown backend.
        DistributedError: the peers did not meet within the timeout.
    """
    if distributed is False or (distributed is None and not launched_by_torchrun()):
        return DistributedContext()
    if not launched_by_torchrun():
        missing = [name for name in LAUNCH_VARIABLES if name not in os.environ]
        raise ConfigError(
            f"distributed=True but {', '.join(missing)} not set: start the script with "
            "torchrun --nproc_per_node=N (see docs/distributed.md), or drop distributed=True"
        )
    rank, world_size = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    timeout = _timeout_seconds(timeout_s)
    chosen = backend or ("nccl" if torch.cuda.is_available() else "gloo")
    if chosen not in ("gloo", "nccl"):
        raise ConfigError(f"distributed backend must be 'gloo' or 'nccl', received {chosen!r}")
    device = torch.device("cpu")
    if chosen == "nccl":
        # One GPU per process, chosen by the launcher's local rank (untested here: no GPU).
        device = torch.device("cuda", local_rank)
        torch.cuda.set_device(device)
        # Abort the communicator on a failed or timed-out collective instead of hanging.
        os.environ.setdefault("TORCH_NCCL_ASYNC_ERROR_HANDLING", "1")
    ctx = DistributedContext(world_size, rank, local_rank, chosen, device, timeout)
    if dist.is_initialized():  # the caller set up its own group: use it, leave it to them
        ctx.world_size, ctx.rank = dist.get_world_size(), dist.get_rank()
        return ctx
    with collective_errors(ctx, during="joining the process group"):
        dist.init_process_group(
            backend=chosen,
            timeout=datetime.timedelta(seconds=timeout),
            device_id=device if chosen == "nccl" else None,
        )
    ctx.owns_group = True
    return ctx


def _timeout_seconds(timeout_s: float | None) -> float:
    raw = os.environ.get("RNNLENS_DIST_TIMEOUT") if timeout_s is None else timeout_s
    if raw is None:
        return DEFAULT_TIMEOUT_S
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise ConfigError(
            f"distributed timeout must be a positive number of seconds, received {raw!r} "
            "(argument timeout_s or environment variable RNNLENS_DIST_TIMEOUT)"
        )
    return value


@contextmanager
def collective_errors(
    ctx: DistributedContext | None = None, during: str = "training"
) -> Iterator[None]:
    """Turn torch's low-level failures of a peer into one :class:`DistributedError`.

    A killed rank surfaces on the others as a closed connection or, if it hangs, as a timeout
    of the next collective (DDP's gradient all-reduce inside ``backward``, a metric average,
    a barrier). Wrap the training loop in this so the user reads which rank failed and what
    to do, instead of a gloo/nccl stack trace.
    """
    try:
        yield
    except DistributedError:
        raise
    except (dist.DistError, RuntimeError) as error:
        in_group = (ctx is not None and ctx.is_distributed) or dist.is_initialized()
        if not (in_group and _is_communication_failure(error)):
            raise
        rank = ctx.rank if ctx else (dist.get_rank() if dist.is_initialized() else 0)
        world = ctx.world_size if ctx else (dist.get_world_size() if dist.is_initialized() else 1)
        timeout = ctx.timeout_s if ctx else DEFAULT_TIMEOUT_S
        first_line = (
            str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        )
        raise DistributedError(
            f"rank {rank} of {world} lost contact with the other processes while {during}: "
            f"a peer was killed, crashed or waited more than {timeout:g} s ({first_line}). "
            "Look at the other ranks' output for the first failure; rerun with the same "
            "command to resume from the last checkpoint"
        ) from error


def _is_communication_failure(error: BaseException) -> bool:
    if isinstance(error, dist.DistError):
        return True
    text = str(error).lower()
    markers = ("gloo", "nccl", "connection", "timed out", "timeout", "peer", "broken pipe")
    return any(marker in text for marker in markers)
