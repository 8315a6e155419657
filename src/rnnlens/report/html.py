"""Render :class:`ReportContent` as one self-contained HTML page.

Style sheet, script, charts and data are all inline: the file opens from disk, offline, with
nothing fetched (no CDN, no server). The script (report.js beside this file) draws the
step-through and heatmaps from the JSON block ``#report-data`` and the recorded arrays in
``#report-arrays`` (8-bit values, zlib-compressed, base64; see :mod:`rnnlens.report.arrays`).
"""

from __future__ import annotations

import json
from html import escape
from importlib import resources

from .charts import line_chart
from .content import ReportContent


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def _summary(content: ReportContent) -> str:
    rows = "".join(
        f"<tr><td>{escape(r['name'])} ({escape(r['layer_type'])})</td>"
        f"<td>{escape(r['output_shape'])}</td><td class='num'>{r['params']:,}</td></tr>"
        for r in content.summary
    )
    return (
        "<table id='summary-table'><thead><tr><th>Layer (type)</th><th>Output Shape</th>"
        f"<th>Param #</th></tr></thead><tbody>{rows}</tbody><tfoot><tr><th colspan='2'>Total "
        f"params</th><td class='num'>{content.total_params:,}</td></tr></tfoot></table>"
    )


def _diagram(content: ReportContent) -> str:
    if content.diagram_svg:
        return f"<div class='diagram'>{content.diagram_svg}</div>"
    return f"<p class='placeholder'>{escape(content.diagram_note)}</p>"


def _training(content: ReportContent) -> str:
    history = content.history
    if not history:
        return "<p class='placeholder'>No training history given (pass history=model.fit(...)).</p>"
    losses = {k: v for k, v in history.items() if k.endswith("loss")}
    others = {k: v for k, v in history.items() if not k.endswith("loss")}
    charts = [line_chart(losses, x_label="epoch", y_label="loss", chart_id="loss-chart")]
    if others:
        charts.append(
            line_chart(others, x_label="epoch", y_label="metric", chart_id="metric-chart")
        )
    epochs = max(len(v) for v in history.values())
    best = min(history.get("val_loss") or history.get("loss") or [float("nan")])
    return (
        f"<p>{epochs} epochs; best {'validation ' if 'val_loss' in history else ''}loss {best:.4g}.</p>"
        + "".join(charts)
    )


def _predictions(content: ReportContent) -> str:
    p = content.predictions
    if p is None:
        return "<p class='placeholder'>No targets given (pass y_true=... with x).</p>"
    if p["kind"] == "classification":
        n = len(p["confusion"])
        head = "".join(f"<th>{k}</th>" for k in range(n))
        body = "".join(
            f"<tr><th>{k}</th>" + "".join(f"<td class='num'>{v}</td>" for v in row) + "</tr>"
            for k, row in enumerate(p["confusion"])
        )
        return (
            f"<p>Accuracy <b>{p['accuracy']:.1%}</b>. Rows: true class, columns: predicted.</p>"
            f"<table id='confusion'><tr><th></th>{head}</tr>{body}</table>"
        )
    chart = line_chart(
        {"truth": p["true"], "prediction": p["pred"]},
        x_label="sample",
        y_label="value",
        width=900,
        chart_id="prediction-chart",
    )
    return f"<p>Mean squared error {p['mse']:.4g}, mean absolute error {p['mae']:.4g}.</p>{chart}"


def _effect(content: ReportContent) -> str:
    effect = content.effect
    if effect is None:
        return "<p class='placeholder'>The model has no recurrent layer to intervene on.</p>"
    what = (
        f"<p>The hidden state h of layer '{escape(effect['layer'])}' is set to zero after "
        f"{escape(effect['time_name'])} {escape(effect['step_label'])} (the layer then carries "
        "on from the zeroed state; <code>rl.patch</code>), and every later layer reacts.</p>"
    )
    if "series" in effect:
        chart = line_chart(
            effect["series"],
            x_label=effect["time_name"],
            y_label="mean |change| of output",
            width=900,
            chart_id="effect-chart",
        )
        return what + chart
    rows = "".join(
        f"<tr><td>{escape(r['sample'])}</td><td class='num'>{escape(str(r['before']))}</td>"
        f"<td class='num'>{escape(str(r['after']))}</td></tr>"
        for r in effect["rows"]
    )
    return (
        what + "<table id='effect-table'><thead><tr><th>Sample</th><th>Output</th>"
        f"<th>Output with h zeroed</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _notes(content: ReportContent) -> str:
    notes = [
        "Recorded values are stored with 8 bits each: every array keeps its own minimum and "
        "maximum, so a value shown is within (max \u2212 min)/510 of the recorded one.",
        *content.notes,
    ]
    return "".join(f"<p class='note'>{escape(n)}</p>" for n in notes)


def render_html(content: ReportContent) -> str:
    """The whole page as text."""
    data = {"samples": content.samples, "arrays": content.arrays.entries}
    payload = json.dumps(data, separators=(",", ":"), allow_nan=False)
    payload = payload.replace("</", "<\\/")  # a "</script>" inside data must not end the block
    title = escape(content.title)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="data:,">
<style>
{_asset("report.css")}
</style>
</head>
<body>
<h1>{title}</h1>
<p class="lead">How data flows through model '{escape(content.model_name)}': what each layer
receives at each time step, what it keeps (h, c and the gates) and what it hands to the next
layer. Everything is in this one file; it works offline.</p>
<nav><a href="#summary">Summary</a><a href="#diagram">Diagram</a><a href="#steps">Step through</a>
<a href="#heatmaps">Heatmaps</a><a href="#effects">Interventions</a><a href="#training">Training</a>
<a href="#predictions">Predictions</a></nav>
<section id="summary"><h2>Summary</h2>{_summary(content)}</section>
<section id="diagram"><h2>Unrolled diagram</h2>{_diagram(content)}</section>
<section id="steps"><h2>Step through</h2>
<p class="lead">Move the slider: at each step every layer shows the vector it receives, its gates
and states at that step, and what it hands on. Colours: red positive, blue negative, scaled to
each array's largest magnitude over all steps; gates from white (0) to green (1). Hover a cell for its value.</p>
{_notes(content)}
<div class="controls">
<label>Sample <select id="sample"></select></label>
<button id="prev" type="button">&larr;</button>
<input id="step" type="range" min="0" max="0" value="0" aria-label="time step">
<button id="next" type="button">&rarr;</button>
<output id="step-label"></output>
</div>
<div id="flow"></div>
</section>
<section id="heatmaps"><h2>States and gates over time</h2>
<p class="lead">One map per layer, direction and array: rows are units, columns time steps
(the framed column is the slider's step). Drag across a map to zoom into those steps,
double-click (or <button id="zoom-reset" type="button">show all steps</button>) to see them all again.
Sort the rows to bring the most active units (largest mean |value| over time) to the top.</p>
<label><input id="sort-units" type="checkbox"> sort units by activity</label>
<output id="zoom-label"></output>
<div id="maps"></div>
</section>
<section id="effects"><h2>Interventions and attributions</h2>
<h3>What changes downstream if a step's state is zeroed</h3>
{_effect(content)}
<h3>Which input steps and features the output depends on</h3>
<div id="attribution"></div>
</section>
<section id="training"><h2>Training curves</h2>{_training(content)}</section>
<section id="predictions"><h2>Predictions against truth</h2>{_predictions(content)}</section>
<script type="application/json" id="report-data">{payload}</script>
<script type="application/octet-stream" id="report-arrays">{content.arrays.blob()}</script>
<script>
{_asset("report.js")}
</script>
</body>
</html>
"""
