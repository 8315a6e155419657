"""Counterfactuals: what a recurrent layer would hand on if one of its arguments were different.

Each line is computed, not written by hand: the layer is rebuilt from its config with the one
argument changed, attached to the same input, and its output shape and parameter count are
read back; the layers after it are re-attached too, so a choice that breaks the next layer
(``return_sequences=False`` under a second LSTM) says so.

>>> from rnnlens.layers import LSTM
>>> layer = LSTM(32)
>>> layer.build((None, 10, 64))
>>> [(w.argument, w.value, w.output_shape, w.params) for w in what_ifs(layer, [])][:2]
[('return_sequences', 'True', '(None, 10, 32)', 12416), ('return_state', 'True', '[(None, 32), (None, 32), (None, 32)]', 12416)]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import RnnlensError
from ..layers import Bidirectional, Layer, Recurrent, layer_from_config
from ..layers.base import serialize_layer
from ..shapes import ShapeOrList, first_shape, format_shape


@dataclass(frozen=True)
class WhatIf:
    """One changed argument and what it would change.

    ``next_layer`` / ``next_params`` name the first layer after this one that has weights and
    its parameter count under the change (None when there is none); ``breaks`` holds the
    error the next layer would raise, when the change makes the model invalid.
    """

    argument: str
    value: str
    output_shape: str
    params: int
    next_layer: str | None
    next_params: int | None
    breaks: str | None
    sentence: str


def what_ifs(layer: Layer, after: Sequence[Layer]) -> list[WhatIf]:
    """The counterfactual lines that apply to ``layer`` (a recurrent or Bidirectional layer)."""
    if isinstance(layer, Bidirectional):
        inner: Recurrent = layer.forward
        changes: list[tuple[str, Any]] = [
            ("return_sequences", not inner.return_sequences),
            ("return_state", not inner.return_state),
        ]
        for mode in ("concat", "sum", None):
            if mode != layer.merge_mode and not (
                mode == "sum" and layer.merge_mode in ("mul", "ave")
            ):
                changes.append(("merge_mode", mode))
        changes.append(("stateful", not inner.stateful))
    elif isinstance(layer, Recurrent):
        changes = [
            (name, not getattr(layer, name))
            for name in ("return_sequences", "return_state", "go_backwards", "stateful")
        ]
    else:
        return []
    return [_what_if(layer, after, name, value) for name, value in changes]


def variant(layer: Layer, argument: str, value: Any) -> Layer:
    """A copy of ``layer`` with one argument changed, attached to the same input shape."""
    spec = serialize_layer(layer)
    config = dict(spec["config"])
    if isinstance(layer, Bidirectional) and argument != "merge_mode":
        inner = dict(config["layer"])
        inner["config"] = {**inner["config"], argument: value}
        config["layer"] = inner
        if config.get("backward_layer"):
            back = dict(config["backward_layer"])
            back["config"] = {**back["config"], argument: value}
            config["backward_layer"] = back
    else:
        config[argument] = value
    clone = layer_from_config({"class_name": spec["class_name"], "config": config})
    assert layer.input_shape is not None
    clone.attach(layer.input_shape)
    return clone


def _what_if(layer: Layer, after: Sequence[Layer], argument: str, value: Any) -> WhatIf:
    changed = variant(layer, argument, value)
    assert changed.output_shape is not None
    next_layer, next_params, breaks = _downstream(changed.output_shape, after)
    shown = repr(value) if isinstance(value, str) else str(value)
    facts: dict[str, Any] = {
        "argument": argument,
        "value": shown,
        "output_shape": format_shape(changed.output_shape),
        "params": changed.count_params(),
        "next_layer": next_layer,
        "next_params": next_params,
        "breaks": breaks,
    }
    current = next((f.count_params() for f in after if f.name == next_layer), None)
    sentence = _sentence(layer, changed, argument, value, facts, current)
    return WhatIf(**facts, sentence=sentence)


def _downstream(
    shape: ShapeOrList, after: Sequence[Layer]
) -> tuple[str | None, int | None, str | None]:
    """Re-attach the layers after the changed one: the first with weights, or the error."""
    for following in after:
        clone = layer_from_config(serialize_layer(following))
        try:
            shape = clone.attach(shape)
        except RnnlensError as error:
            return following.name, None, str(error)
        if clone.weight_specs():
            return following.name, clone.count_params(), None
    return None, None, None


def _sentence(
    layer: Layer,
    changed: Layer,
    argument: str,
    value: Any,
    facts: dict[str, Any],
    next_now: int | None,
) -> str:
    shape, params = facts["output_shape"], facts["params"]
    same = "same" if params == layer.count_params() else "now"
    cost = f"{same} {params:,} parameters"
    inner = changed.forward if isinstance(changed, Bidirectional) else changed
    assert isinstance(inner, Recurrent)
    steps = first_shape(changed.input_shape or ())[1]
    t = "T" if steps is None else str(steps)
    if argument == "return_sequences":
        what = (
            f"all {t} steps h(1)…h({t}), one output per step (many-to-many)"
            if value
            else "only the last step, one output per sequence (many-to-one)"
        )
        text = f"{what} → {shape}; {cost}"
    elif argument == "return_state":
        names = " and ".join(f"{n}({t})" for n in inner.state_names)
        per = ""
        if isinstance(changed, Bidirectional):
            names = " and ".join(inner.state_names)
            per = f" of each direction (forward after x({t}), backward after x(1))"
        text = (
            f"also the final states {names}{per} as extra outputs → {shape}; {cost} "
            "(a Sequential model passes one tensor on, so this needs the functional API)"
            if value
            else f"the output alone → {shape}; {cost}"
        )
    elif argument == "merge_mode":
        how = {
            "concat": "side by side",
            "sum": "added (mul, ave: multiplied, averaged)",
            None: "not merged: two tensors",
        }
        text = f"the directions {how[value]} → {shape}; {cost} (the merge has no weights)"
    elif argument == "go_backwards":
        order = f"x({t}) first and x(1) last"
        tail = (
            ", and the steps come out in that reversed order"
            if inner.return_sequences
            else (", handing on the state after x(1)")
        )
        text = f"reads {order}{tail} → {shape}; {cost}"
    else:  # stateful
        text = (
            "each batch starts from the previous batch's final states instead of zeros "
            f"(needs a fixed batch size) → {shape}; {cost}"
            if value
            else f"every batch starts from zero states → {shape}; {cost}"
        )
    if facts["breaks"] and isinstance(changed.output_shape, list):
        if argument != "return_state":
            text += "; the layers after it read one tensor, so this needs the functional API"
    elif facts["breaks"]:
        text += f"; '{facts['next_layer']}' after it would fail: it reads (batch, time, features)"
    elif facts["next_params"] is not None and facts["next_params"] != next_now:
        text += (
            f"; '{facts['next_layer']}' would have {facts['next_params']:,} parameters "
            f"instead of {next_now:,}"
        )
    return text
