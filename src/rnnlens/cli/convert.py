"""``rnnlens convert IN OUT``: between model formats, chosen by file extension.

Reads ``.rnnlens``, ``.keras`` and ``.h5``; writes ``.rnnlens``, ``.keras``, ``.onnx`` and
``.safetensors`` (the state_dict of :func:`rnnlens.to_torch`'s modules, with the rnnlens
config in its metadata; no pickle, so no ``.pt``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

READS = (".rnnlens", ".keras", ".h5")
WRITES = (".rnnlens", ".keras", ".onnx", ".safetensors")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", help=f"model file to read ({', '.join(READS)})")
    parser.add_argument("target", help=f"file to write ({', '.join(WRITES)})")


def run(args: argparse.Namespace) -> int:
    from ..errors import ConfigError

    source, target = Path(args.source), Path(args.target)
    if source.suffix not in READS:
        raise ConfigError(f"cannot read {source}: rnnlens reads {', '.join(READS)} files")
    if target.suffix not in WRITES:
        hint = " (.h5 is read-only: write .keras)" if target.suffix == ".h5" else ""
        raise ConfigError(f"cannot write {target}: rnnlens writes {', '.join(WRITES)}{hint}")
    if source.suffix == ".rnnlens":
        from ..io.native import load_model

        model = load_model(source)
    else:
        from ..io.keras import from_keras

        model = from_keras(source)
    if target.suffix == ".rnnlens":
        from ..io.native import save_model

        save_model(model, target)
    elif target.suffix == ".keras":
        from ..io.keras import to_keras

        to_keras(model, target)
    elif target.suffix == ".onnx":
        from ..io.onnx import to_onnx

        to_onnx(model, target)
    else:
        _write_torch_state(model, target)
    print(f"wrote {target} ({model.count_params():,} parameters, from {source})")
    return 0


def _write_torch_state(model: object, target: Path) -> None:
    from safetensors.torch import save

    from ..io.atomic import write_atomic
    from ..io.torch_interop import to_torch

    stack = to_torch(model)  # type: ignore[arg-type]
    state = {name: tensor.contiguous() for name, tensor in stack.state_dict().items()}
    write_atomic(target, save(state, metadata={"rnnlens_config": json.dumps(stack.config)}))
