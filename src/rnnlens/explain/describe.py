"""One :class:`~rnnlens.explain.flow.LayerFlow` per layer: the sentences and the sizes.

Each function answers, for its layer type, what arrives at each step and from where, what
the layer keeps, what it computes with its real sizes, and what it hands to the next layer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..layers import (
    Bidirectional,
    Dense,
    Dropout,
    Layer,
    Masking,
    Recurrent,
    RepeatVector,
    TimeDistributed,
)
from ..shapes import first_shape, format_shape
from .cells import act, describe_cell
from .flow import DirectionFlow, LayerFlow, WeightFlow, layer_widths, shape_text
from .torch_counts import torch_count
from .whatif import what_ifs

_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def sup(number: int) -> str:
    """``12`` -> ``¹²``: the layer index written on h."""
    return str(number).translate(_SUPERSCRIPTS)


def describe_layer(
    index: int,
    layer: Layer,
    previous: Layer | None,
    following: Layer | None,
    has_input: bool,
    *,
    after: Sequence[Layer] | None = None,
    said_in: str | None = None,
) -> LayerFlow:
    """The explanation of ``layer``, the ``index``-th (from 1) of its model.

    Args:
        index: the layer's position, from 1.
        layer: the layer, shapes attached.
        previous: the layer it receives from (None: the model input).
        following: the layer it hands on to (None: the model output).
        has_input: whether something before it fixes its input (so input_shape is ignored).
        after: every layer after it, in order (default ``[following]``): counterfactuals
            re-attach them, and warnings name the first one with weights.
        said_in: the earlier layer whose box explains "nothing is cut" (None: explain here).
    """
    rest = list(after) if after is not None else ([following] if following is not None else [])
    in_shape = first_shape(layer.input_shape or ())
    steps = in_shape[1] if len(in_shape) == 3 else None
    width_in, width_out = layer_widths(layer)
    fields: dict[str, Any] = {
        "index": index,
        "name": layer.name,
        "layer_type": type(layer).__name__,
        "title": type(layer).__name__,
        "kind": "per_step" if len(in_shape) == 3 else "vector",
        "input_shape": shape_text(layer.input_shape),
        "output_shape": shape_text(layer.output_shape),
        "receives": _receives(index, layer, previous),
        "keeps": None,
        "equations": [],
        "connection": None,
        "weights": [WeightFlow(s.name, s.shape, s.size, s.name) for s in layer.weight_specs()],
        "formula": None,
        "params": layer.count_params(),
        "torch_params": layer.count_params(),
        "torch_note": None,
        "directions": [],
        "merge": None,
        "hands_on": f"{format_shape(layer.output_shape or ())}",
        "notes": [],
        "warnings": [],
        "steps": steps,
        "width_in": width_in,
        "width_out": width_out,
        "units": None,
        "sequence_in": len(in_shape) == 3,
        "sequence_out": len(first_shape(layer.output_shape or ())) == 3,
        "source_line": _source_line(layer),
        "what_ifs": what_ifs(layer, rest),
    }
    t = "T" if steps is None else str(steps)
    if isinstance(layer, Bidirectional):
        _bidirectional(layer, fields, t, said_in)
    elif isinstance(layer, Recurrent):
        _recurrent(layer, fields, t, said_in)
    elif isinstance(layer, Dense):
        _dense(layer, fields)
    elif isinstance(layer, TimeDistributed):
        _time_distributed(layer, fields)
    elif isinstance(layer, RepeatVector):
        fields["kind"] = "repeat"
        fields["hands_on"] = (
            f"the same {width_in}-vector at each of {layer.n} steps → {fields['output_shape']}: "
            f"the layer after it reads this one vector as its x(t) at every step t = 1…{layer.n}"
        )
    elif isinstance(layer, Dropout):
        fields["equations"] = [
            f"while training, each number is zeroed with probability {layer.rate:g} and the rest "
            f"are scaled by 1/(1 − {layer.rate:g}); at inference x passes unchanged"
        ]
        fields["hands_on"] = f"the same shape {fields['output_shape']}"
    elif isinstance(layer, Masking):
        fields["equations"] = [
            f"steps whose {width_in} features all equal {layer.mask_value:g} are marked as "
            "padding: the recurrent layers after it skip them (state carried over unchanged)"
        ]
        fields["hands_on"] = f"the same shape {fields['output_shape']}, with the step mask"
    if fields["formula"] is None and fields["params"]:
        fields["formula"] = f"{fields['params']:,}"
    if layer.declared_input_shape is not None and has_input:
        fields["warnings"].append(_ignored_input_shape(layer, previous, fields))
    if following is not None:
        fields["warnings"].extend(_stacking_warnings(layer, following, rest, t))
    return LayerFlow(**fields)


def _source_line(layer: Layer) -> str | None:
    """The code line a reader recorded on the layer (``layer.source_line``), if any."""
    line = getattr(layer, "source_line", None)
    return None if line is None else str(line)


def _receives(index: int, layer: Layer, previous: Layer | None) -> str:
    in_shape = first_shape(layer.input_shape or ())
    d = in_shape[-1]
    if len(in_shape) != 3:
        if previous is None:
            return f"the model input: one {d}-vector per sample {format_shape(in_shape)}"
        last = " (its last step h(T))" if isinstance(previous, Recurrent) else ""
        if isinstance(previous, Bidirectional):
            last = " (its two directions' last steps, merged)"
        return f"one {d}-vector per sequence from '{previous.name}'{last}, shape {format_shape(in_shape)}"
    t = "T" if in_shape[1] is None else str(in_shape[1])
    steps = f"t = 1…{t}"
    if previous is None:
        return f"x(t), {steps}: the {d} input features at step t, from the model input {format_shape(in_shape)}"
    slices = (
        f" The whole {format_shape(in_shape)} tensor arrives at once and the layer walks "
        f"through it one (batch, {d}) slice per step; batch is not part of x(t)."
        if index == 2
        else ""
    )
    if isinstance(previous, (Recurrent, Bidirectional)):
        both = ""
        if isinstance(previous, Bidirectional) and previous.merge_mode == "concat":
            both = ", forward and backward side by side"
        return (
            f"x(t) = h{sup(index - 1)}(t), {steps}: the {d}-vector that '{previous.name}' outputs "
            f"at the same step t (its hidden state{both}), not the model's raw input." + slices
        )
    if isinstance(previous, RepeatVector):
        return (
            f"x(t), {steps}: the same {d}-vector at every step, copied by '{previous.name}'."
            + slices
        )
    return f"x(t), {steps}: the {d}-vector that '{previous.name}' outputs at step t." + slices


def _recurrent(layer: Recurrent, fields: dict[str, Any], t: str, said_in: str | None) -> None:
    cell = describe_cell(layer, said_in=said_in)
    u = layer.units
    fields.update(
        shares=cell.shares,
        state_roles=cell.state_roles,
        final_states=_final_states(layer, t),
        torch_line=cell.torch_line,
        title=f"{type(layer).__name__}, {_units(u)}",
        kind="recurrent",
        keeps=cell.keeps,
        equations=cell.equations,
        connection=cell.connection,
        weights=cell.weights,
        formula=cell.formula,
        torch_params=cell.torch_params,
        torch_note=cell.torch_note,
        units=u,
        hands_on=_hands_on(layer, t, fields["output_shape"]),
    )
    if layer.go_backwards:
        fields["notes"].append(
            f"go_backwards=True: it reads x({t}) first and x(1) last, and returns its outputs in that reversed order"
        )
    if layer.dropout or layer.recurrent_dropout:
        fields["notes"].append(
            f"dropout={layer.dropout:g} on x(t), recurrent_dropout={layer.recurrent_dropout:g} on "
            "h(t−1), while training only; the same mask is used at every step"
        )


def _final_states(layer: Recurrent, t: str, wrapper: Bidirectional | None = None) -> str:
    """What becomes of the state after the last step."""
    last = "x(1)" if layer.go_backwards and wrapper is None else f"x({t})"
    names = " and ".join(f"{n}" for n in layer.state_names)
    each = " of each direction" if wrapper is not None else ""
    if wrapper is not None:
        last = "the last step read"
    kept = (
        "are handed on as extra outputs (return_state=True)"
        if layer.return_state
        else "are dropped (return_state=False)"
    )
    then = (
        "and start the next batch's sequences (stateful=True)"
        if layer.stateful
        else "and the next batch starts again from zeros (stateful=False)"
    )
    return f"the final {names}{each}, after {last}, {kept} {then}"


def _hands_on(layer: Recurrent, t: str, out: str) -> str:
    u = layer.units
    if layer.return_sequences:
        text = f"every step: h(1), …, h({t}), {u} numbers each → {out}"
    else:
        last = "h(1)" if layer.go_backwards else f"h({t})"
        earlier = f"steps 1…{int(t) - 1}" if t.isdigit() and int(t) > 1 else "the earlier steps"
        text = (
            f"only the last step: {last}, one {u}-vector per sequence → {out}. The outputs of "
            f"{earlier} are computed (each feeds the next step's state) but not handed on "
            "(return_sequences=False)"
        )
    if layer.return_state:
        names = ", ".join(f"{name}({t})" for name in layer.state_names)
        text += f"; return_state=True adds the final states {names}, {u} each"
    return text


def _bidirectional(
    layer: Bidirectional, fields: dict[str, Any], t: str, said_in: str | None
) -> None:
    forward, backward = layer.forward, layer.backward
    cell = describe_cell(forward, prefix=f"{forward.name}/", said_in=said_in)
    back_cell = describe_cell(backward, prefix=f"{backward.name}/", backwards=True)
    torch_params, torch_line, torch_note = torch_count(forward, directions=2)
    u, kind = forward.units, type(forward).__name__
    symbolic, numbers = forward.param_formula()
    seq = layer.return_sequences
    merged = {
        "concat": f"concat: [h→(t); h←(t)] → {u} + {backward.units} = {fields['width_out']} numbers",
        "sum": f"sum: h→(t) + h←(t) → {u} numbers",
        "mul": f"mul: h→(t) ⊙ h←(t) → {u} numbers",
        "ave": f"ave: (h→(t) + h←(t)) / 2 → {u} numbers",
        None: "None: no merge, both outputs are handed on as two tensors",
    }[layer.merge_mode]
    if not seq:
        merged = merged.replace("h→(t)", f"h→({t})").replace("h←(t)", "h←(1)")
    fields.update(
        title=f"Bidirectional {kind}, {_units(u)} per direction",
        kind="bidirectional",
        keeps="each direction keeps its own state; the two directions never exchange state",
        equations=[
            "forward → (its own weights):",
            *cell.equations,
            "backward ← (its own weights): the same equations, with h←(t+1)"
            + (", c←(t+1)" if "c" in forward.state_names else "")
            + " in place of h(t−1)"
            + (", c(t−1)" if "c" in forward.state_names else "")
            + f", walking t = {t}…1",
        ],
        connection=cell.connection + " Both directions read the same x(t).",
        weights=cell.weights + back_cell.weights,
        formula=f"2 × {symbolic} = 2 × {numbers} = {fields['params']:,}",
        torch_params=torch_params,
        torch_line=torch_line,
        torch_note=torch_note,
        shares="each direction has " + cell.shares.replace(" is used at", ", used at"),
        state_roles=cell.state_roles,
        final_states=_final_states(forward, t, layer),
        units=u,
        merge=merged,
        directions=[
            DirectionFlow(
                forward.name,
                "→",
                f"x(1), x(2), …, x({t}) in order",
                u,
                f"h→(t), {u} each" if seq else f"h→({t}): its last step",
                cell.keeps,
            ),
            DirectionFlow(
                backward.name,
                "←",
                f"x({t}), …, x(2), x(1), the same input in reverse",
                u,
                f"h←(t), {u} each, flipped back so that step t of both rows lines up"
                if seq
                else "h←(1): its last step is x(1), after reading the whole sequence backwards",
                back_cell.keeps,
            ),
        ],
        hands_on=f"{'every step' if seq else 'one vector per sequence'}, merged by {merged} → {fields['output_shape']}",
    )


def _dense(layer: Dense, fields: dict[str, Any]) -> None:
    d, u = fields["width_in"], layer.units
    bias = " + bias" if layer.use_bias else ""
    a = act(layer.activation)
    wrap = (lambda s: s) if a == "identity" else (lambda s: f"{a}({s})")
    sizes = f"({d})·({d}×{u})" + (f" + ({u})" if layer.use_bias else "") + f" → {u}"
    fields["weights"] = [
        WeightFlow(
            w.name,
            w.shape,
            w.count,
            f"x, {d} numbers → {_count(u, 'output')}" if w.name == "kernel" else "one per output",
        )
        for w in fields["weights"]
    ]
    fields["title"] = f"Dense, {_units(u)}"
    fields["formula"] = (
        f"u·(d + 1) = {u}·({d} + 1) = {fields['params']:,}"
        if layer.use_bias
        else f"u·d = {u}·{d} = {fields['params']:,}"
    )
    fields["torch_note"] = f"PyTorch nn.Linear({d}, {u}) counts the same {fields['params']:,}."
    if fields["sequence_in"]:
        fields["equations"] = [
            f"y(t) = {wrap(f'x(t)·kernel{bias}')}    {sizes}, the same weights at every step t"
        ]
        fields["hands_on"] = (
            f"{u} numbers per step → {fields['output_shape']} (like TimeDistributed(Dense))"
        )
    else:
        fields["equations"] = [f"y = {wrap(f'x·kernel{bias}')}    {sizes}"]
        fields["hands_on"] = f"one {u}-vector per sequence → {fields['output_shape']}"


def _time_distributed(layer: TimeDistributed, fields: dict[str, Any]) -> None:
    inner = layer.layer
    fields["title"] = f"TimeDistributed({type(inner).__name__})"
    if isinstance(inner, Dense):
        _dense(inner, fields)
        fields["title"] = f"TimeDistributed(Dense), {_units(inner.units)}"
        fields["equations"] = [
            e.replace("y = ", "y(t) = ").replace("x·", "x(t)·") for e in fields["equations"]
        ]
    fields["kind"] = "per_step"
    fields["equations"].append(
        f"'{inner.name}' is applied to each step's x(t) on its own, with the same weights for every t"
    )
    fields["hands_on"] = f"{fields['width_out']} numbers per step → {fields['output_shape']}"


def _ignored_input_shape(layer: Layer, previous: Layer | None, fields: dict[str, Any]) -> str:
    declared = layer.declared_input_shape or ()
    received = first_shape(layer.input_shape or ())[1:]
    verdict = "agrees with" if tuple(declared) == tuple(received) else "contradicts"
    source = f"'{previous.name}'" if previous is not None else "Input(...)"
    return (
        f"input_shape={format_shape(declared)} is ignored: Keras reads input_shape only on the first "
        f"layer. This layer receives what {source} hands on, {fields['input_shape']}, so its x(t) has "
        f"{fields['width_in']} features and its weights are sized from {fields['width_in']}; the value "
        f"given {verdict} that. (input_shape never includes the batch size: the batch stays None.) "
        "Remove input_shape from this layer."
    )


def _stacking_warnings(layer: Layer, following: Layer, rest: Sequence[Layer], t: str) -> list[str]:
    found: list[str] = []
    sequences = isinstance(layer, (Recurrent, Bidirectional)) and layer.return_sequences
    if sequences and type(following) is Dense:
        found.append(
            f"return_sequences=True hands all {t} steps to Dense '{following.name}', which maps "
            f"each step on its own: the model is many-to-many (output "
            f"{shape_text(following.output_shape)}). For one prediction per sequence "
            "(many-to-one), set return_sequences=False here."
        )
    if isinstance(layer, Bidirectional) and layer.merge_mode == "concat":
        u, back = layer.forward.units, layer.backward.units
        per = "per step" if layer.return_sequences else "per sequence"
        # Dropout, Masking and the like pass the width through; name the layer that weighs it.
        reader = next((r for r in rest if r.weight_specs()), None)
        who = f"'{following.name}'"
        if reader is not None and reader is not following:
            who = f"the next layer with weights, '{reader.name}' (after '{following.name}'),"
        rows = f", and its kernel has {u + back} rows" if reader is not None else ""
        found.append(
            f"merge_mode='concat' doubles the width: {who} receives {u + back} numbers {per} "
            f"(forward {u} + backward {back}), not {u}{rows}."
        )
    return found


def _units(n: int) -> str:
    return _count(n, "unit")


def _count(n: int, noun: str) -> str:
    return f"1 {noun}" if n == 1 else f"{n} {noun}s"
