"""How ``fit`` runs on one process or many (PyTorch DistributedDataParallel).

INTERFACE CONTRACT (used by rnnlens.train.loop; the multi-process implementation fills it in):

    ctx = setup(distributed=None)      # None: detect a torchrun launch from the environment
    ctx.world_size, ctx.rank, ctx.is_main
    module = ctx.wrap(module)          # DDP-wrapped on many processes, unchanged on one
    indices = ctx.shard(n_samples, epoch, shuffle, seed)  # this rank's sample order for an epoch
    values = ctx.mean(values)          # dict[str, float] averaged over ranks
    ctx.barrier()
    ctx.shutdown()                     # synchronise, then destroy the process group

The single-process implementation below is complete; the distributed one lives in the same class.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch


@dataclass
class DistributedContext:
    world_size: int = 1
    rank: int = 0

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def wrap(self, module: torch.nn.Module) -> torch.nn.Module:
        return module

    def shard(self, n_samples: int, epoch: int, shuffle: bool, seed: int) -> np.ndarray:
        if not shuffle:
            return np.arange(n_samples)
        generator = torch.Generator().manual_seed(seed + epoch)
        return torch.randperm(n_samples, generator=generator).numpy()

    def mean(self, values: dict[str, float]) -> dict[str, float]:
        return values

    def barrier(self) -> None:
        pass

    def shutdown(self) -> None:
        pass


def setup(distributed: bool | None = None) -> DistributedContext:
    return DistributedContext()
