"""Follow a custom ``nn.Module``'s ``forward`` with ``torch.fx`` and read it as a stack.

A forward ``from_torch`` can convert is a chain: one input, then recurrent modules each
reading the previous value whole, the last one handing on its sequence, its last step
(``out[:, -1]`` of a batch-first, one-direction module) or its final state (``h_n[-1]``),
then ``nn.Linear`` / ``nn.Dropout`` / activations (modules or ``torch.relu``-style calls).
Anything else is named, with its line, and refused: a converted model never computes
something other than the module.
"""

from __future__ import annotations

import re
from typing import Any

import torch
from torch import nn

from ..errors import ConfigError

_ACTIVATION_FUNCTIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}
_LINE = re.compile(r'File "([^"]+)", line (\d+), in \w+\n\s*(.*)')


def _where(node: torch.fx.Node) -> str:
    for file, line, code in _LINE.findall(node.stack_trace or ""):
        if "/torch/" not in file:
            return f"line {line} `{code.strip()}`"
    return f"operation {node.format_node()}"


def _refuse(node: torch.fx.Node, why: str) -> ConfigError:
    return ConfigError(
        f"from_torch cannot follow {_where(node)}: {why}. It converts a forward that is a stack "
        "(recurrent modules, then out / out[:, -1] / h_n[-1], then nn.Linear, nn.Dropout and "
        "activations); convert the modules as a list instead, e.g. from_torch([net.lstm, net.fc])"
    )


def _is_last_step(index: Any) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return (
        len(items) >= 2
        and items[0] == slice(None)
        and items[1] == -1
        and all(i == slice(None) for i in items[2:])
    )


def _trace(root: nn.Module) -> torch.fx.Graph:
    tracer = torch.fx.Tracer()
    tracer.record_stack_traces = True
    try:
        return tracer.trace(root)
    except Exception as error:  # fx refuses data-dependent Python control flow
        reason = (
            str(error).strip().splitlines()[0][:160] if str(error).strip() else type(error).__name__
        )
        raise ConfigError(
            f"from_torch cannot follow {type(root).__name__}.forward: torch.fx cannot trace it "
            f"({reason}); convert its modules as a list, e.g. from_torch([net.lstm, net.fc])"
        ) from None


def _index(kind: str, index: Any, rnn: nn.RNNBase, node: torch.fx.Node) -> str:
    """What indexing a recurrent result gives: a new kind, or ``"last"`` (one vector)."""
    if kind == "rnn" and index in (0, 1):
        return "sequence" if index == 0 else ("state" if rnn.mode == "LSTM" else "h_n")
    if kind == "state" and index == 0:
        return "h_n"
    if kind == "sequence" and _is_last_step(index):
        if rnn.bidirectional:
            raise _refuse(
                node,
                "out[:, -1] of a bidirectional module is not Keras's final state (its backward half has read one step)",
            )
        if not rnn.batch_first:
            raise _refuse(
                node,
                "out[:, -1] of a batch_first=False module picks the last sample, not the last step",
            )
        return "last"
    if kind == "h_n" and index == -1 and not rnn.bidirectional:
        return "last"
    raise _refuse(
        node, f"indexing {'out' if kind == 'sequence' else kind} with {index!r} has no Keras layer"
    )


def _live(graph: torch.fx.Graph) -> set[torch.fx.Node]:
    """The nodes the output depends on (unpacked but unused values are not)."""
    output = next(n for n in graph.nodes if n.op == "output")
    live, todo = {output}, [output]
    while todo:
        for parent in todo.pop().all_input_nodes:
            if parent not in live:
                live.add(parent)
                todo.append(parent)
    return live


def modules_from_forward(root: nn.Module) -> tuple[list[nn.Module], bool]:
    """The modules of ``root``'s forward in order, and whether the last recurrent module hands
    on its whole sequence (``False``: its last step or final state).

    Raises:
        ConfigError: the forward is not such a stack (the operation and its line are named),
            or torch.fx cannot trace it.
    """
    graph = _trace(root)
    if sum(n.op == "placeholder" for n in graph.nodes) != 1:
        raise ConfigError(
            f"from_torch: {type(root).__name__}.forward takes several inputs; it converts one-input stacks"
        )
    modules: list[nn.Module] = []
    kinds: dict[Any, str] = {}  # node -> "tensor", "sequence", "rnn", "state", "h_n"
    current: Any = None
    rnn: nn.RNNBase | None = None
    sequences = True
    live = _live(graph)
    for node in graph.nodes:
        reads = node.args[0] if node.args else None
        if node.op == "placeholder":
            current, kinds[node] = node, "tensor"
        elif node not in live:
            continue  # a value forward unpacks but never uses
        elif node.op == "output":
            if reads is not current or kinds.get(current) not in ("tensor", "sequence"):
                raise _refuse(node, "it returns something other than the end of the stack")
        elif node.op == "call_function" and getattr(node.target, "__name__", "") == "getitem":
            if rnn is None or reads not in kinds or kinds[reads] in ("tensor",):
                raise _refuse(
                    node, "indexing outside a recurrent module's result has no Keras layer"
                )
            kind = _index(kinds[reads], node.args[1], rnn, node)
            if kind == "last":
                kind, sequences = "tensor", False
            kinds[node], current = kind, node
        elif (
            reads is not current
            or kinds.get(current) not in ("tensor", "sequence")
            or len(node.args) != 1
            or node.kwargs
        ):
            raise _refuse(node, f"{node.op} {node.target} does not read the previous value alone")
        elif node.op == "call_module":
            sub = root.get_submodule(str(node.target))
            modules.append(sub)
            if isinstance(sub, nn.RNNBase):
                rnn, sequences = sub, True
            kinds[node], current = ("rnn" if isinstance(sub, nn.RNNBase) else "tensor"), node
        elif getattr(node.target, "__name__", str(node.target)) in _ACTIVATION_FUNCTIONS:
            modules.append(
                _ACTIVATION_FUNCTIONS[getattr(node.target, "__name__", str(node.target))]()
            )
            kinds[node], current = "tensor", node
        else:
            raise _refuse(
                node,
                f"{node.op} {getattr(node.target, '__name__', node.target)} is outside a stack",
            )
    return modules, sequences
