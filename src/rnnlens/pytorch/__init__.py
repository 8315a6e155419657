"""PyTorch models in PyTorch's own terms: ``nn.LSTM``'s ``weight_ih_l0``, ``h_n``'s index table.

:mod:`.spec` is pure Python (module specs, a network's tree and data flow); :mod:`.explain`
turns a spec into an explanation; :mod:`.memory` reads a live ``nn.Module`` (forward hooks on
the meta device, ``torch.fx``) and :mod:`.tracing` records every gate of its recurrent modules.
Importing this package does not import torch.
"""
