// The report's interactive parts: the step-through (a time slider) and the unit x time
// heatmaps. Everything they show is in the JSON block #report-data; nothing is fetched.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const sampleSelect = document.getElementById("sample");
  const slider = document.getElementById("step");
  const stepLabel = document.getElementById("step-label");
  const flow = document.getElementById("flow");
  const maps = document.getElementById("maps");
  const sortUnits = document.getElementById("sort-units");
  const NAMES = {
    i: "input gate i", f: "forget gate f", c_hat: "candidate c\u0303", o: "output gate o",
    c: "cell state c", h: "hidden state h", z: "update gate z", r: "reset gate r",
    h_hat: "candidate h\u0303",
  };
  const GATES = new Set(["i", "f", "o", "z", "r"]); // sigmoid gates: values in [0, 1]

  // Colour of one value: gates white -> green over [0, 1]; the rest blue - white - red
  // over [-scale, scale], so sign and size read at a glance.
  function colour(value, gate, scale) {
    if (gate) {
      const a = Math.max(0, Math.min(1, value));
      return `rgb(${Math.round(255 - 228 * a)},${Math.round(255 - 135 * a)},${Math.round(255 - 200 * a)})`;
    }
    const a = Math.max(-1, Math.min(1, value / scale));
    if (a >= 0) {
      return `rgb(${Math.round(255 - 77 * a)},${Math.round(255 - 231 * a)},${Math.round(255 - 212 * a)})`;
    }
    return `rgb(${Math.round(255 + 222 * a)},${Math.round(255 + 153 * a)},${Math.round(255 + 83 * a)})`;
  }

  function maxAbs(values) {
    let m = 0;
    for (const v of values.flat(Infinity)) m = Math.max(m, Math.abs(v));
    return m;
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // One vector as a row of coloured cells, with its name and size.
  // ``scale`` is the largest magnitude of that array over all steps, so colours compare
  // across steps; gates use their fixed range [0, 1].
  function strip(name, values, gate, note, scale) {
    const row = element("div", "vector");
    row.appendChild(element("span", "vector-name", name));
    row.appendChild(element("span", "vector-size", `[${values.length}]`));
    const cells = element("span", "strip");
    values.forEach((v, k) => {
      const cell = element("span", "cell");
      cell.style.background = colour(v, gate, scale);
      cell.title = `${name}[${k}] = ${v}`;
      cells.appendChild(cell);
    });
    row.appendChild(cells);
    if (note) row.appendChild(element("span", "vector-note", note));
    return row;
  }

  function layerCard(layer, t, steps) {
    const card = element("div", "layer-card");
    card.dataset.layer = layer.name;
    card.appendChild(element("h3", "", `${layer.name} (${layer.kind})`));
    const source = layer.from === null ? "the model input" : `the output of '${layer.from}'`;
    const inScale = Math.max(1e-6, maxAbs(layer.input));
    const outScale = Math.max(1e-6, maxAbs(layer.output));
    if (layer.per_step_input) {
      card.appendChild(strip(`x(${t + 1})`, layer.input[t], false, `receives ${source} at step ${t + 1}`, inScale));
    } else {
      card.appendChild(strip("x", layer.input, false, `receives ${source}, once, after the last step`, inScale));
    }
    if (layer.mask !== null && !layer.mask[t]) {
      card.appendChild(element("p", "masked", `step ${t + 1} is masked (padding): the state is carried over unchanged`));
    }
    for (const direction of layer.directions) {
      const box = element("div", `direction ${direction.direction}`);
      const order = direction.direction === "backward" ? `reads steps ${steps} \u2192 1` : `reads steps 1 \u2192 ${steps}`;
      box.appendChild(element("h4", "", `${direction.direction} (${order})`));
      for (const [key, values] of Object.entries(direction.arrays)) {
        const scale = Math.max(1e-6, maxAbs(values));
        box.appendChild(strip(`${key}(${t + 1})`, values[t], GATES.has(key), NAMES[key] || key, scale));
      }
      card.appendChild(box);
    }
    const outputs = element("div", "hands-on");
    if (layer.per_step_output) {
      outputs.appendChild(strip(`out(${t + 1})`, layer.output[t], false, "handed on at this step", outScale));
    } else {
      const waiting = layer.per_step_input && t < steps - 1;
      const note = layer.directions.length
        ? `handed on once, after step ${steps} (return_sequences=False)`
        : "handed on";
      const row = strip("out", layer.output, false, note, outScale);
      if (waiting) row.classList.add("pending");
      outputs.appendChild(row);
    }
    card.appendChild(outputs);
    return card;
  }

  function currentSample() {
    return data.samples[Number(sampleSelect.value)];
  }

  function renderFlow() {
    const sample = currentSample();
    const t = Number(slider.value);
    stepLabel.textContent = `step ${t + 1} of ${sample.steps}`;
    flow.replaceChildren(...sample.layers.map((layer) => layerCard(layer, t, sample.steps)));
    highlightStep(t);
  }

  // Heatmaps: one canvas per recorded array, rows = units, columns = time steps.
  const heatmaps = [];

  function unitOrder(matrix, sorted) {
    const units = matrix[0].length;
    const activity = [];
    for (let u = 0; u < units; u++) {
      let sum = 0;
      for (const row of matrix) sum += Math.abs(row[u]);
      activity.push([u, sum / matrix.length]);
    }
    if (sorted) activity.sort((a, b) => b[1] - a[1]);
    return activity;
  }

  function drawHeatmap(map, step) {
    const { canvas, matrix, gate, cellW, cellH } = map;
    const ctx = canvas.getContext("2d");
    const order = unitOrder(matrix, sortUnits.checked);
    const scale = Math.max(1e-6, maxAbs(matrix));
    order.forEach(([u], row) => {
      matrix.forEach((values, t) => {
        ctx.fillStyle = colour(values[u], gate, gate ? 1 : scale);
        ctx.fillRect(t * cellW, row * cellH, cellW, cellH);
      });
    });
    ctx.strokeStyle = "#111";
    ctx.lineWidth = 2;
    ctx.strokeRect(step * cellW + 1, 1, cellW - 2, canvas.height - 2);
    map.order = order;
  }

  function renderMaps() {
    const sample = currentSample();
    heatmaps.length = 0;
    maps.replaceChildren();
    for (const layer of sample.layers) {
      if (!layer.directions.length) continue;
      const section = element("div", "heatmap-layer");
      section.appendChild(element("h3", "", `${layer.name} (${layer.kind})`));
      for (const direction of layer.directions) {
        const grid = element("div", "heatmap-grid");
        for (const [key, matrix] of Object.entries(direction.arrays)) {
          const steps = matrix.length;
          const units = matrix[0].length;
          const cellW = Math.max(4, Math.min(24, Math.floor(360 / steps)));
          const cellH = Math.max(2, Math.min(10, Math.floor(240 / units)));
          const figure = element("figure", "heatmap");
          const caption = `${direction.direction} ${NAMES[key] || key}: ${units} units \u00d7 ${steps} steps`;
          figure.appendChild(element("figcaption", "", caption));
          const canvas = element("canvas");
          canvas.width = cellW * steps;
          canvas.height = cellH * units;
          const map = { canvas, matrix, gate: GATES.has(key), cellW, cellH, order: [] };
          canvas.addEventListener("mousemove", (event) => {
            const box = canvas.getBoundingClientRect();
            const t = Math.floor((event.clientX - box.left) / cellW);
            const row = Math.floor((event.clientY - box.top) / cellH);
            const entry = map.order[row];
            if (entry && matrix[t]) canvas.title = `unit ${entry[0]}, step ${t + 1}: ${matrix[t][entry[0]]}`;
          });
          figure.appendChild(canvas);
          const top = element("p", "top-units");
          figure.appendChild(top);
          map.top = top;
          grid.appendChild(figure);
          heatmaps.push(map);
        }
        section.appendChild(grid);
      }
      maps.appendChild(section);
    }
    highlightStep(Number(slider.value));
  }

  function highlightStep(step) {
    for (const map of heatmaps) {
      drawHeatmap(map, step);
      const best = [...map.order].sort((a, b) => b[1] - a[1]).slice(0, 5);
      map.top.textContent = "most active units (mean |value|): " +
        best.map(([u, a]) => `${u} (${a.toFixed(2)})`).join(", ");
    }
  }

  data.samples.forEach((sample, n) => {
    const option = element("option", "", `sample ${sample.index}`);
    option.value = String(n);
    sampleSelect.appendChild(option);
  });
  function resetSlider() {
    slider.max = String(currentSample().steps - 1);
    if (Number(slider.value) > Number(slider.max)) slider.value = slider.max;
  }
  sampleSelect.addEventListener("change", () => { resetSlider(); renderMaps(); renderFlow(); });
  slider.addEventListener("input", renderFlow);
  sortUnits.addEventListener("change", () => highlightStep(Number(slider.value)));
  document.getElementById("prev").addEventListener("click", () => {
    slider.value = String(Math.max(0, Number(slider.value) - 1));
    renderFlow();
  });
  document.getElementById("next").addEventListener("click", () => {
    slider.value = String(Math.min(Number(slider.max), Number(slider.value) + 1));
    renderFlow();
  });
  resetSlider();
  renderMaps();
  renderFlow();
  document.body.dataset.ready = "true";
})();
