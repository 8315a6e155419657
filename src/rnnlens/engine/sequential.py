"""``SequentialModule``: the model as one ``torch.nn.Module``, the mask passed along."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import nn

from .base import LayerModule
from .build import check_memory
from .layout import LayoutCache

if TYPE_CHECKING:
    from ..graph import ModelSpec


class SequentialModule(nn.Module):
    """Computes a :class:`~rnnlens.Sequential` model; its parameters are the layers' own.

    ``forward(x)`` takes (B, T, D) and returns the model's output: one tensor, or a list
    when the last layer hands on several (``return_state``, ``merge_mode=None``). It starts
    in eval mode, as Keras's ``model(x)`` runs in inference mode; call ``.train()`` to train.
    """

    def __init__(self, model: ModelSpec) -> None:
        super().__init__()
        check_memory(f"model '{model.name}'", model.count_params())
        self.names = [layer.name for layer in model.layers]
        modules = [layer.module for layer in model.layers]
        assert all(isinstance(m, LayerModule) for m in modules)
        self.layers = nn.ModuleList(modules)
        # Keras's model(x) is inference unless told otherwise; so is this module until
        # .train() (fit does that). Dropout then drops nothing and model(x) == predict(x).
        self.eval()

    def train(self, mode: bool = True) -> SequentialModule:
        """Set every submodule's mode, as ``nn.Module.train``, touching only those that differ.

        ``predict`` and ``train_on_batch`` call this at every step; ``nn.Module.train``
        reassigns every flag through ``nn.Module.__setattr__`` and recurses, which costs a
        visible share of a millisecond-long call. Entering training mode also drops the
        cached inference weights (see :class:`~rnnlens.engine.layout.LayoutCache`): training
        may write the parameters where their version counters do not see it (DDP broadcasting
        rank 0's weights), so the next inference call converts them afresh.
        """
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        # rnnlens's layer modules do not override train(), so setting the flag is all it does.
        self.training = mode
        for module, cache in self._tree():
            if module.training != mode:
                module.training = mode
            if mode and isinstance(cache, LayoutCache):
                cache.clear()
        return self

    def _tree(self) -> list[tuple[nn.Module, LayoutCache | None]]:
        """Every submodule with its layout cache, walked once: the tree is fixed at build time."""
        tree = self.__dict__.get("_tree_cache")
        if tree is None:
            # Without self: a module listing itself in its own __dict__ would be a cycle.
            tree = [(m, getattr(m, "layout_cache", None)) for m in self.modules() if m is not self]
            self.__dict__["_tree_cache"] = tree
        return tree

    def first_parameter(self) -> torch.Tensor | None:
        """Any one parameter, to read the dtype and device inputs must have; None if none.

        Cheaper than ``next(self.parameters())``, which walks the tree through generators.
        """
        for module, _ in self._tree():
            for parameter in module._parameters.values():
                if parameter is not None:
                    return parameter
        return None

    def placement(self) -> tuple[torch.device, torch.dtype]:
        """Where inputs must go and in which dtype: the weights' (CPU and the default dtype
        for a model without weights)."""
        parameter = self.first_parameter()
        if parameter is None:
            return torch.device("cpu"), torch.get_default_dtype()
        return parameter.device, parameter.dtype

    def forward(
        self, x: torch.Tensor, mask: torch.Tensor | None = None
    ) -> torch.Tensor | list[torch.Tensor]:
        out: torch.Tensor | list[torch.Tensor] = x
        for layer in self.layers:
            assert isinstance(
                out, torch.Tensor
            )  # Sequential.add refuses multi-output layers mid-stack
            assert isinstance(layer, LayerModule)
            next_mask = layer.next_mask(out, mask)
            out = layer(out, mask)
            mask = next_mask
        return out


def reset_states(model: ModelSpec) -> None:
    """Forget the carried states of every built stateful layer of ``model``."""
    for layer in model.layers:
        if layer.materialized:
            module = layer.module
            assert isinstance(module, LayerModule)
            module.reset_states()


def set_path(model: ModelSpec, path: str) -> None:
    """Force every recurrent layer onto ``"fused"``, ``"reference"`` or back to ``"auto"``."""
    from .recurrent import RecurrentModule

    for module in model.module.modules():
        if isinstance(module, RecurrentModule):
            module.path = path  # type: ignore[assignment]
