"""``rnnlens report MODEL``: write the offline HTML report of a saved model on a shipped dataset."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..errors import ConfigError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", help="a saved model: .rnnlens, or a Keras .keras / .h5 file")
    parser.add_argument(
        "--dataset",
        default="sunspots",
        choices=["sunspots", "japanese_vowels"],
        help="inputs to trace: 12-year sunspot windows, or padded vowel utterances",
    )
    parser.add_argument("--samples", type=int, default=4, help="inputs traced step by step")
    parser.add_argument("--out", default="out/report.html", help="the HTML file to write")


def _inputs(dataset: str, time_steps: int | None, samples: int) -> tuple[Any, dict[str, Any]]:
    """The last ``samples`` inputs of ``dataset``, and the report options that label them."""
    import numpy as np

    import rnnlens as rl

    if dataset == "sunspots":
        series = rl.data.load("sunspots")
        steps = time_steps or 12
        values = (series.values - series.values.mean()) / series.values.std()
        x, _ = rl.data.windows(values, steps)
        first = np.arange(len(x) - samples, len(x))
        years = series.time[first[:, None] + np.arange(steps)]  # (samples, steps)
        names = [f"window {row[0]}\u2013{row[-1]}" for row in years]
        labels = {"time_labels": years, "time_name": "year", "sample_names": names}
        return x[-samples:], labels
    vowels = rl.data.load("japanese_vowels")
    steps = time_steps or 29
    x = rl.data.pad(vowels.x_test[:samples], length=steps).astype(np.float64)
    names = [
        f"test utterance {k} ({vowels.class_names[int(vowels.y_test[k])]})" for k in range(len(x))
    ]
    frames = [str(t + 1) for t in range(steps)]
    return x, {"time_labels": frames, "time_name": "frame", "sample_names": names}


def run(args: argparse.Namespace) -> int:
    import rnnlens as rl

    from ..io.atomic import refuse_overwriting_input

    path = Path(args.model)
    refuse_overwriting_input(args.out, path)
    if path.suffix in (".keras", ".h5"):
        model = rl.from_keras(path)
    elif path.suffix == ".rnnlens" or path.is_dir():
        model = rl.load(path)
    else:
        raise ConfigError(f"{path}: expected a .rnnlens, .keras or .h5 model file")
    time_steps = model.input_shape[1] if len(model.input_shape) == 3 else None
    x, labels = _inputs(args.dataset, time_steps, args.samples)
    written = model.report(x, Path(args.out), samples=args.samples, **labels)
    print(f"wrote {written}")
    return 0
