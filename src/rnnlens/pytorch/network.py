"""A whole ``nn.Module`` as data: its module tree and the data flow of its ``forward``.

Both the code reader (``readers/torch_code.py``, from pasted code, never executed) and the
in-memory path (:mod:`rnnlens.pytorch.memory`, via ``torch.fx`` and forward hooks) produce a
:class:`NetworkSpec`; explanations and the mistake checks read only this.

``forward`` is a list of :class:`Step` in single-assignment form: every step makes one value
named ``output``. Tuple unpacking is indexing: ``out, (h, c) = self.lstm(x)`` is

    Step("call",    ("x",),   "r",   module="lstm")
    Step("getitem", ("r",),   "out", args={"index": 0})
    Step("getitem", ("r",),   "hc",  args={"index": 1})
    Step("getitem", ("hc",),  "h",   args={"index": 0})      ... and "c" likewise

An ``index`` is what Python's subscript holds: an int, a ``slice``, ``None``, ``Ellipsis``
or a tuple of these (``out[:, -1, :]`` is ``(slice(None), -1, slice(None))``).

>>> from rnnlens.pytorch.spec import RNNSpec, Linear
>>> net = NetworkSpec(
...     "Net",
...     {"lstm": RNNSpec("LSTM", 2, 64, batch_first=True, bidirectional=True), "fc": Linear(128, 1)},
...     [
...         Step("input", (), "x", shape=(32, 10, 2)),
...         Step("call", ("x",), "r", module="lstm", line=8),
...         Step("getitem", ("r",), "out", args={"index": 0}, line=8),
...         Step("getitem", ("out",), "last", args={"index": (slice(None), -1, slice(None))}, line=9),
...         Step("call", ("last",), "y", module="fc", line=9),
...         Step("output", ("y",), "return", line=9),
...     ],
... )
>>> net.count_params(), net.origin("last")
(34945, ('lstm', 'out'))
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .modules import Container, ModuleSpec, Shape, Size

#: The step kinds. ``method``/``function`` carry ``args["name"]`` ("view", "torch.cat"...).
STEP_OPS = ("input", "call", "getitem", "method", "function", "output")


@dataclass(frozen=True)
class Step:
    """One operation of ``forward``.

    Attributes:
        op: one of :data:`STEP_OPS`.
        inputs: names of the values it reads (tensors or tuples), in argument order.
        output: the name of the value it makes.
        module: for ``call``, the dotted path of the module called (``"lstm"``, ``"layers.0"``).
        args: the non-tensor details: for ``input``, optionally ``{"axes": ("batch",
            "time", "features")}`` when the code tells what its axes are; ``{"index": ...}``
            for ``getitem``; for
            ``method``/``function``: ``{"name": "view", "args": (32, -1), "kwargs": {}}``
            (``torch.cat``/``torch.stack`` put ``"dim"`` in ``kwargs``).
        shape: the output's shape when known (a tuple of sizes, or a tuple of shapes for a
            tuple value such as ``(h_n, c_n)``), else None.
        line, source: where in the user's code (1-based line) and that line's text.
    """

    op: str
    inputs: tuple[str, ...]
    output: str
    module: str | None = None
    args: dict[str, Any] = field(default_factory=dict)
    shape: Any = None
    line: int | None = None
    source: str | None = None

    @property
    def where(self) -> str:
        """``"line 9"`` (with the code when known), or ``""``."""
        if self.line is None:
            return ""
        return f"line {self.line}" + (f" `{self.source.strip()}`" if self.source else "")


@dataclass
class NetworkSpec:
    """A module tree (``modules``: dotted path → spec, in definition order) plus ``steps``.

    ``modules`` holds every named submodule, containers and their children alike
    (``"encoder"``, ``"encoder.0"``); ``module_lines`` the line that made each one (in
    ``__init__``) when known; ``notes`` says what could not be followed.
    """

    name: str
    modules: dict[str, ModuleSpec]
    steps: list[Step] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    module_lines: dict[str, int] = field(default_factory=dict)

    def leaves(self) -> dict[str, ModuleSpec]:
        """The modules that are not containers (each parameter belongs to exactly one)."""
        return {k: m for k, m in self.modules.items() if not isinstance(m, Container)}

    def count_params(self) -> Size:
        total: Size = 0
        for module in self.modules.values():
            own = module.own if isinstance(module, Container) else module.parameters()
            for param in own:
                total = total + param.count
        return total

    def recurrent(self) -> dict[str, ModuleSpec]:
        """The ``nn.LSTM/GRU/RNN`` modules and the recurrent cells, by path."""
        from .cells import CellSpec
        from .recurrent import RNNSpec

        return {k: m for k, m in self.leaves().items() if isinstance(m, (RNNSpec, CellSpec))}

    def step(self, name: str) -> Step | None:
        """The step that made value ``name`` (the last one, if a name is reused)."""
        for step in reversed(self.steps):
            if step.output == name:
                return step
        return None

    def shape(self, name: str) -> Shape | None:
        step = self.step(name)
        return None if step is None else step.shape

    def origin(self, name: str) -> tuple[str, str] | None:
        """Which module and which returned value ``name`` comes from, through indexing.

        ``("lstm", "out")``, ``("lstm", "h_n")``, ``("lstm", "(h_n, c_n)")``; ``None`` when
        ``name`` is not (a slice of) a recurrent module's output.
        """
        path: list[Any] = []
        step = self.step(name)
        while step is not None and step.op == "getitem":
            path.append(step.args.get("index"))
            step = self.step(step.inputs[0])
        if step is None or step.op != "call" or step.module is None:
            return None
        module = self.modules.get(step.module)
        if module is None:
            return None
        value: Any = module.returns()
        for index in reversed(path):
            if (
                isinstance(value, tuple)
                and isinstance(index, int)
                and -len(value) <= index < len(value)
            ):
                value = value[index]
            else:
                break
        if isinstance(value, tuple):
            value = "(" + ", ".join(str(v) for v in value) + ")"
        return step.module, str(value)

    def consumers(self, name: str) -> list[Step]:
        """The steps that read value ``name``."""
        return [step for step in self.steps if name in step.inputs]
