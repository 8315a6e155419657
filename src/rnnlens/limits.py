"""Caps on what one model config may ask for, shared by the spec and every file reader.

They sit far above any real recurrent stack and far below what makes a hostile file cost
minutes or gigabytes: ``Sequential.from_config`` checks them before building a layer.
"""

from __future__ import annotations

#: Layers in one model config.
MAX_LAYERS = 10_000
#: A model config (JSON text) on its own, inside any container.
MAX_CONFIG_BYTES = 16 << 20
#: Any one dimension of a shape or a size argument (units, input_shape entries).
MAX_DIMENSION = 1 << 40
#: Dimensions in one shape.
MAX_RANK = 32
