"""Measure the reader's reach on the real scripts: explained exactly, refused naming a line, or not.

    PYTHONPATH=src python tests/data/real_scripts/reach.py

"Exact" means every layer's class, output shape and parameter count equal what real Keras 3
(or torch.nn) gives for the same architecture (expected.json, from make_expected.py), with the
values pinned by --set where a size comes from data.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parents[2] / "src"))

from rnnlens.errors import RnnlensError  # noqa: E402
from rnnlens.readers import read_python  # noqa: E402


def status(name: str, entry: dict[str, Any]) -> tuple[str, str]:
    settings = {
        k: tuple(v) if isinstance(v, list) else v for k, v in entry.get("settings", {}).items()
    }
    code = (HERE / name).read_text()
    try:
        result = read_python(code, name, settings or None)
    except RnnlensError as error:
        first = str(error).splitlines()[0]
        line = entry.get("refused") or entry.get("refused_without_graph")
        if line and f"{line}:" in first:
            return "refused, line named", first.split(": ", 1)[1][:90]
        return "refused (unexpected)", first[:90]
    if "models" in entry:
        got = [
            [
                [
                    type(x).__name__,
                    [list(s) for s in x.output_shape]
                    if isinstance(x.output_shape, list)
                    else list(x.output_shape),
                    x.count_params(),
                ]
                for x in f.model.layers
                if type(x).__name__ not in ("InputLayer", "Input")
            ]
            for f in result.models
        ]
        ok = got == [m["layers"] for m in entry["models"]]
        return (
            "exact" if ok else "differs"
        ), f"{len(result.models)} model(s), --set {settings or '-'}"
    if "torch" in entry:
        network, expected = result.models[0].model, entry["torch"]
        ok = network.count_params() == expected["params"]
        return (
            "exact" if ok else "differs"
        ), f"{network.count_params():,} parameters, --set {settings or '-'}"
    return "explained (expected a refusal)", ""


def main() -> None:
    expected = json.loads((HERE / "expected.json").read_text())
    rows, start = [], time.perf_counter()
    for name, entry in sorted(expected.items()):
        rows.append((name, *status(name, entry)))
    seconds = time.perf_counter() - start
    counts: dict[str, int] = {}
    for _, state, _ in rows:
        counts[state] = counts.get(state, 0) + 1
    print("| script | result | detail |\n|---|---|---|")
    for name, state, detail in rows:
        print(f"| `{name}` | {state} | {detail.replace('|', '/')} |")
    print()
    print(
        ", ".join(f"{state}: {n}" for state, n in sorted(counts.items()))
        + f" — {len(rows)} scripts, {seconds:.2f} s"
    )


if __name__ == "__main__":
    main()
