"""The benchmark's workloads: stacked recurrent models, their input sizes and FLOP counts.

Pure Python (no torch), so the CLI can list them and tests can check the arithmetic cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

#: Gate blocks per recurrent kind: each one a (features + units) x units matrix product.
GATES = {"LSTM": 4, "GRU": 3}


@dataclass(frozen=True)
class RecurrentSpec:
    """One recurrent layer of a workload: ``kind(units, return_sequences)``, maybe bidirectional."""

    kind: str
    units: int
    return_sequences: bool = False
    bidirectional: bool = False

    @property
    def directions(self) -> int:
        return 2 if self.bidirectional else 1

    @property
    def width(self) -> int:
        """Features handed to the next layer (both directions concatenated)."""
        return self.units * self.directions

    def describe(self) -> str:
        rs = ", rs" if self.return_sequences else ""
        inner = f"{self.kind}({self.units}{rs})"
        return f"Bidirectional({inner})" if self.bidirectional else inner


@dataclass(frozen=True)
class Workload:
    """A stack of recurrent layers with a ``Dense(1)`` head, fed ``(batch, steps, features)``."""

    key: str
    title: str
    layers: tuple[RecurrentSpec, ...]
    batch: int
    steps: int
    features: int

    def describe(self) -> str:
        stack = " → ".join(layer.describe() for layer in self.layers)
        return (
            f"{stack} → Dense(1); batch {self.batch}, {self.steps} steps, {self.features} features"
        )

    def forward_flops(self) -> int:
        """Multiply-add FLOPs of one forward pass, matrix products only.

        A recurrent layer with G gate blocks does, per direction, ``2·B·T·G·U·(D + U)``:
        the input product ``x_t W`` and the recurrent product ``h_{t-1} U`` at each step. The
        elementwise gate math is a few per cent on top and not counted. The head adds
        ``2·B·D_last``.

        >>> WORKLOADS["W1"].forward_flops()  # 2*32*10*(4*64*(2+64) + 4*32*(64+32)) + 2*32*32
        18679808
        """
        flops = 0
        features = self.features
        for layer in self.layers:
            gates = GATES[layer.kind]
            flops += (
                layer.directions
                * 2
                * self.batch
                * self.steps
                * gates
                * layer.units
                * (features + layer.units)
            )
            features = layer.width
        return flops + 2 * self.batch * features

    def train_flops(self) -> int:
        """FLOPs of one training step, by the usual convention: 3x the forward pass.

        The backward pass does two products for each forward one (gradients with respect to
        the inputs and to the weights); Adam's elementwise update is not counted.
        """
        return 3 * self.forward_flops()

    def tiny(self) -> Workload:
        """The same architecture at toy size: proves the harness runs, measures nothing."""
        layers = tuple(replace(layer, units=max(2, layer.units // 16)) for layer in self.layers)
        return replace(self, layers=layers, batch=4, steps=5, features=min(self.features, 3))


def _stack(*layers: RecurrentSpec) -> tuple[RecurrentSpec, ...]:
    return layers


WORKLOADS: dict[str, Workload] = {
    workload.key: workload
    for workload in (
        Workload(
            "W1",
            "user story",
            _stack(RecurrentSpec("LSTM", 64, True), RecurrentSpec("LSTM", 32)),
            batch=32,
            steps=10,
            features=2,
        ),
        Workload(
            "W2",
            "long sequences",
            _stack(RecurrentSpec("LSTM", 64, True), RecurrentSpec("LSTM", 32)),
            batch=64,
            steps=200,
            features=8,
        ),
        Workload(
            "W3",
            "wide",
            _stack(RecurrentSpec("LSTM", 256, True), RecurrentSpec("LSTM", 256)),
            batch=64,
            steps=100,
            features=32,
        ),
        Workload(
            "W4",
            "bidirectional",
            _stack(RecurrentSpec("LSTM", 128, True, bidirectional=True), RecurrentSpec("LSTM", 64)),
            batch=32,
            steps=100,
            features=16,
        ),
        Workload(
            "W5",
            "GRU",
            _stack(RecurrentSpec("GRU", 128, True), RecurrentSpec("GRU", 64)),
            batch=64,
            steps=100,
            features=16,
        ),
    )
}
