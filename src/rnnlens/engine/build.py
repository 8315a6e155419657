"""Turn a layer spec into its torch module, refusing sizes this machine cannot hold."""

from __future__ import annotations

import os
from collections.abc import Callable

import torch

from ..errors import ResourceError
from ..layers import (
    RNN,
    Activation,
    BatchNormalization,
    Bidirectional,
    Conv1D,
    Dense,
    Dropout,
    Embedding,
    Flatten,
    Layer,
    LayerNormalization,
    Masking,
    Permute,
    Recurrent,
    RepeatVector,
    Reshape,
    SpatialDropout1D,
    TimeDistributed,
)
from ..layers.attention import Attention
from ..layers.merge import Concatenate, Dot, Merge
from ..layers.pooling import GlobalPooling1D, Pooling1D
from .attention import AttentionModule
from .base import LayerModule
from .bidirectional import BidirectionalModule
from .convolution import Conv1DModule
from .core import (
    DenseModule,
    DropoutModule,
    FlattenModule,
    MaskingModule,
    RepeatVectorModule,
    TimeDistributedModule,
)
from .embedding import EmbeddingModule
from .merge import ConcatenateModule, DotModule, MergeModule
from .normalization import BatchNormalizationModule, LayerNormalizationModule
from .pooling import GlobalPooling1DModule, Pooling1DModule
from .recurrent import RecurrentModule
from .reshaping import ActivationModule, PermuteModule, ReshapeModule, SpatialDropout1DModule
from .rnn import RNNModule

_BUILDERS: dict[type[Layer], Callable[..., LayerModule]] = {
    Recurrent: RecurrentModule,
    Bidirectional: BidirectionalModule,
    Dense: DenseModule,
    Dropout: DropoutModule,
    RepeatVector: RepeatVectorModule,
    Masking: MaskingModule,
    Flatten: FlattenModule,
    TimeDistributed: TimeDistributedModule,
    Concatenate: ConcatenateModule,
    Dot: DotModule,
    Merge: MergeModule,
    Attention: AttentionModule,
    Embedding: EmbeddingModule,
    Activation: ActivationModule,
    Conv1D: Conv1DModule,
    Pooling1D: Pooling1DModule,
    GlobalPooling1D: GlobalPooling1DModule,
    BatchNormalization: BatchNormalizationModule,
    LayerNormalization: LayerNormalizationModule,
    Reshape: ReshapeModule,
    Permute: PermuteModule,
    SpatialDropout1D: SpatialDropout1DModule,
    RNN: RNNModule,
}

# Refuse to allocate weights taking more than this share of physical memory: the optimizer
# state and activations need the rest.
_MEMORY_SHARE = 0.5


def physical_memory_bytes() -> int:
    """Installed RAM in bytes (a very large number where the OS cannot say)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # not POSIX: assume plenty
        return 1 << 50


def check_memory(what: str, n_params: int, bytes_per_param: int = 4) -> None:
    """Raise :class:`ResourceError` when ``n_params`` weights would not fit comfortably."""
    need = n_params * bytes_per_param
    have = physical_memory_bytes()
    if need > have * _MEMORY_SHARE:
        raise ResourceError(
            f"{what} has {n_params:,} parameters: {need / 2**30:,.1f} GiB as float32, more than "
            f"half of this machine's {have / 2**30:,.1f} GiB. Explaining it needs no memory "
            "(model.summary(), model.explain()); building its weights does: use fewer units"
        )


def build_module(layer: Layer) -> LayerModule:
    """The module for ``layer`` (which must already know its input shape)."""
    check_memory(layer.describe(), layer.count_params())
    for kind in type(layer).__mro__:
        builder = _BUILDERS.get(kind)
        if builder is not None:
            # Weights are built lazily, possibly on a first predict inside the caller's
            # torch.inference_mode(): they must still be ordinary tensors, or the model
            # could never be trained and its version counters (LayoutCache) would not exist.
            with torch.inference_mode(False):
                return builder(layer)
    raise TypeError(f"no engine module for {type(layer).__name__}")
