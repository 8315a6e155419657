"""Interventions and attributions on recurrent models, at the fused kernels' speed.

``patch`` replaces one state after one step, ``ablate_units`` silences units at every step,
``attribute`` says how much each input step and feature contributed to an output.
"""

from __future__ import annotations

from .attribute import Attribution, attribute
from .patch import ablate_units, patch

__all__ = ["Attribution", "ablate_units", "attribute", "patch"]
