// The report's interactive parts: the step-through (a time slider), the unit x time heatmaps
// (axes, tick labels, colour bars, drag to zoom) and the attribution map. Their numbers are in
// #report-arrays: 8-bit values with one range per array, zlib-compressed, base64; #report-data
// says where each array starts. Nothing is fetched.
"use strict";
(async function () {
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const bytes = await inflate(document.getElementById("report-arrays").textContent.trim());
  performance.mark("report:inflated"); // the load-time test reads these marks
  const sampleSelect = document.getElementById("sample");
  const slider = document.getElementById("step");
  const stepLabel = document.getElementById("step-label");
  const flow = document.getElementById("flow");
  const maps = document.getElementById("maps");
  const sortUnits = document.getElementById("sort-units");
  const zoomLabel = document.getElementById("zoom-label");
  const attribution = document.getElementById("attribution");
  const NAMES = {
    i: "input gate i", f: "forget gate f", c_hat: "candidate c\u0303", o: "output gate o",
    c: "cell state c", h: "hidden state h", z: "update gate z", r: "reset gate r",
    h_hat: "candidate h\u0303",
  };
  const GATES = new Set(["i", "f", "o", "z", "r"]); // sigmoid gates: values in [0, 1]
  const M = { left: 46, right: 70, top: 6, bottom: 36 }; // heatmap margins, px

  async function inflate(text) {
    const binary = atob(text);
    const packed = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) packed[i] = binary.charCodeAt(i);
    const stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream("deflate"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  // Colour of one value: gates white -> green over [0, 1]; the rest blue - white - red
  // over [-scale, scale], so sign and size read at a glance.
  function colour(value, gate, scale) {
    if (gate) {
      const a = Math.max(0, Math.min(1, value));
      return [255 - 228 * a, 255 - 135 * a, 255 - 200 * a];
    }
    const a = Math.max(-1, Math.min(1, value / scale));
    if (a >= 0) return [255 - 77 * a, 255 - 231 * a, 255 - 212 * a];
    return [255 + 222 * a, 255 + 153 * a, 255 + 83 * a];
  }
  const css = (rgb) => `rgb(${rgb.map(Math.round).join(",")})`;

  // A stored array: its bytes, its range, a lookup table byte -> colour.
  const cache = new Map();
  function stored(ref, gate) {
    const key = `${ref.ref}/${gate}`;
    if (cache.has(key)) return cache.get(key);
    const e = data.arrays[ref.ref];
    const width = e.shape[e.shape.length - 1] || 1;
    const rows = e.shape.length === 2 ? e.shape[0] : 1;
    const q = bytes.subarray(e.offset, e.offset + rows * width);
    const unit = (e.hi - e.lo) / 255;
    const scale = Math.max(1e-6, Math.abs(e.lo), Math.abs(e.hi));
    // Lookup tables byte -> colour (RGB, and RGBA packed for ImageData) and byte -> |value|.
    const lut = new Uint8ClampedArray(256 * 3);
    const rgba = new Uint32Array(256);
    const magnitude = new Float64Array(256);
    const bytesOfWord = new Uint8Array(rgba.buffer);
    for (let b = 0; b < 256; b++) {
      const rgb = colour(e.lo + b * unit, gate, scale).map(Math.round);
      lut.set(rgb, 3 * b);
      bytesOfWord.set([...rgb, 255], 4 * b); // the platform's byte order, as ImageData's
      magnitude[b] = Math.abs(e.lo + b * unit);
    }
    const array = {
      rows, width, q, lut, rgba, magnitude, gate, scale, lo: e.lo, hi: e.hi,
      value: (row, k) => e.lo + q[row * width + k] * unit,
    };
    cache.set(key, array);
    return array;
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // Time: a sample's columns each cover `stride` steps, labelled with real labels if given.
  function timeOf(sample) {
    const label = (t) => (sample.time_labels ? sample.time_labels[t] : String(t + 1));
    const columns = Math.ceil(sample.steps / sample.stride);
    const span = (c) => [c * sample.stride, Math.min(sample.steps, (c + 1) * sample.stride) - 1];
    const columnLabel = (c) => {
      const [a, b] = span(c);
      return a === b ? label(a) : `${label(a)}\u2013${label(b)}`;
    };
    return { label, columns, span, columnLabel, name: sample.time_name };
  }

  // One vector as a row of coloured cells (a canvas), with its name and size.
  function strip(name, array, row, note) {
    const line = element("div", "vector");
    line.appendChild(element("span", "vector-name", name));
    line.appendChild(element("span", "vector-size", `[${array.width}]`));
    const cell = Math.max(2, Math.min(9, Math.floor(640 / array.width)));
    const canvas = element("canvas", "strip");
    canvas.width = cell * array.width;
    canvas.height = 14;
    const ctx = canvas.getContext("2d");
    for (let k = 0; k < array.width; k++) {
      const b = array.q[row * array.width + k];
      ctx.fillStyle = `rgb(${array.lut[3 * b]},${array.lut[3 * b + 1]},${array.lut[3 * b + 2]})`;
      ctx.fillRect(k * cell, 0, cell, 14);
    }
    canvas.addEventListener("mousemove", (event) => {
      const k = Math.floor((event.clientX - canvas.getBoundingClientRect().left) / cell);
      if (k >= 0 && k < array.width) canvas.title = `${name}[${k}] = ${array.value(row, k).toPrecision(4)}`;
    });
    line.appendChild(canvas);
    if (note) line.appendChild(element("span", "vector-note", note));
    return line;
  }

  function layerCard(layer, c, time) {
    const card = element("div", "layer-card");
    card.dataset.layer = layer.name;
    card.appendChild(element("h3", "", `${layer.name} (${layer.kind})`));
    const at = time.columnLabel(c);
    const source = layer.from === null ? "the model input" : `the output of '${layer.from}'`;
    const input = stored(layer.input, false);
    if (layer.per_step_input) {
      card.appendChild(strip(`x(${at})`, input, c, `receives ${source} at ${time.name} ${at}`));
    } else {
      card.appendChild(strip("x", input, 0, `receives ${source}, once, after the last step`));
    }
    if (layer.mask !== null && layer.mask[c] === "0") {
      card.appendChild(element("p", "masked", `${time.name} ${at} is masked (padding): the state is carried over unchanged`));
    }
    for (const direction of layer.directions) {
      const box = element("div", `direction ${direction.direction}`);
      const first = time.label(0), last = time.label(time.span(time.columns - 1)[1]);
      const order = direction.direction === "backward" ? `reads ${last} \u2192 ${first}` : `reads ${first} \u2192 ${last}`;
      const how = direction.path === "fused"
        ? `recorded from the fused kernel, h checked: max difference ${direction.h_check.toExponential(1)}`
        : "recorded by the step loop";
      box.appendChild(element("h4", "", `${direction.direction} (${order}; ${how})`));
      for (const [key, ref] of Object.entries(direction.arrays)) {
        box.appendChild(strip(`${key}(${at})`, stored(ref, GATES.has(key)), c, NAMES[key] || key));
      }
      card.appendChild(box);
    }
    const outputs = element("div", "hands-on");
    const output = stored(layer.output, false);
    if (layer.per_step_output) {
      outputs.appendChild(strip(`out(${at})`, output, c, "handed on at this step"));
    } else {
      const note = layer.directions.length
        ? `handed on once, after the last step (return_sequences=False)`
        : "handed on";
      const row = strip("out", output, 0, note);
      if (layer.per_step_input && c < time.columns - 1) row.classList.add("pending");
      outputs.appendChild(row);
    }
    card.appendChild(outputs);
    return card;
  }

  const currentSample = () => data.samples[Number(sampleSelect.value)];

  function renderFlow() {
    const sample = currentSample();
    const time = timeOf(sample);
    const c = Number(slider.value);
    const [a, b] = time.span(c);
    const where = a === b ? `step ${a + 1} of ${sample.steps}` : `steps ${a + 1}\u2013${b + 1} of ${sample.steps} (their mean)`;
    stepLabel.textContent = sample.time_labels ? `${time.name} ${time.columnLabel(c)} (${where})` : where;
    flow.replaceChildren(...sample.layers.map((layer) => layerCard(layer, c, time)));
    highlightStep(c);
  }

  // Heatmaps: rows = units (or features), columns = time; a shared zoom window of columns.
  const heatmaps = [];
  let zoom = null; // [first, last + 1) columns, null = all

  function heatmap(caption, array, time, rowName) {
    const figure = element("figure", "heatmap");
    figure.appendChild(element("figcaption", "", caption));
    const plotW = Math.min(720, Math.max(240, array.rows * 6));
    const plotH = Math.min(256, Math.max(64, array.width * 4));
    const canvas = element("canvas");
    canvas.width = M.left + plotW + M.right;
    canvas.height = M.top + plotH + M.bottom;
    figure.appendChild(canvas);
    const top = element("p", "top-units");
    figure.appendChild(top);
    const image = document.createElement("canvas"); // columns x rows, one pixel per value
    image.width = array.rows;
    image.height = array.width;
    const map = { canvas, image, array, time, rowName, plotW, plotH, top, order: [] };
    canvas.addEventListener("mousemove", (event) => {
      const hit = locate(map, event);
      if (hit) canvas.title = `${rowName} ${hit.unit}, ${time.name} ${time.columnLabel(hit.column)}: ${array.value(hit.column, hit.unit).toPrecision(4)}`;
    });
    let dragFrom = null;
    canvas.addEventListener("mousedown", (event) => { dragFrom = locate(map, event); });
    canvas.addEventListener("mouseup", (event) => {
      const to = locate(map, event);
      if (dragFrom && to && Math.abs(to.column - dragFrom.column) >= 1) {
        setZoom([Math.min(dragFrom.column, to.column), Math.max(dragFrom.column, to.column) + 1]);
      }
      dragFrom = null;
    });
    canvas.addEventListener("dblclick", () => setZoom(null));
    paintImage(map);
    heatmaps.push(map);
    return figure;
  }

  function windowOf(map) {
    return zoom && zoom[1] <= map.array.rows ? zoom : [0, map.array.rows];
  }

  function locate(map, event) {
    const box = map.canvas.getBoundingClientRect();
    const x = event.clientX - box.left - M.left, y = event.clientY - box.top - M.top;
    if (x < 0 || y < 0 || x >= map.plotW || y >= map.plotH) return null;
    const [c0, c1] = windowOf(map);
    const column = c0 + Math.floor((x / map.plotW) * (c1 - c0));
    const row = Math.floor((y / map.plotH) * map.array.width);
    return { column, unit: map.order[row] };
  }

  function paintImage(map) {
    const { array, image } = map;
    const activity = new Float64Array(array.width);
    const { q, width, magnitude } = array;
    for (let i = 0, u = 0; i < q.length; i++) {
      activity[u] += magnitude[q[i]];
      if (++u === width) u = 0;
    }
    const order = [...activity.keys()];
    if (sortUnits.checked) order.sort((a, b) => activity[b] - activity[a]);
    map.order = order;
    map.activity = activity;
    const ctx = image.getContext("2d");
    const pixels = ctx.createImageData(array.rows, array.width);
    const out = new Uint32Array(pixels.data.buffer); // one word per pixel
    const { rows, rgba } = array;
    const rowOf = new Int32Array(width);
    order.forEach((u, row) => { rowOf[u] = row * rows; });
    for (let i = 0, t = 0, u = 0; i < q.length; i++) {
      out[rowOf[u] + t] = rgba[q[i]];
      if (++u === width) { u = 0; t++; }
    }
    ctx.putImageData(pixels, 0, 0);
    const best = [...order].sort((a, b) => activity[b] - activity[a]).slice(0, 5);
    map.top.textContent = `most active ${map.rowName}s (mean |value|): ` +
      best.map((u) => `${u} (${(activity[u] / array.rows).toFixed(2)})`).join(", ");
  }

  function drawMap(map, step) {
    const { canvas, image, array, time, plotW, plotH } = map;
    const ctx = canvas.getContext("2d");
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.imageSmoothingEnabled = false;
    const [c0, c1] = windowOf(map);
    ctx.drawImage(image, c0, 0, c1 - c0, array.width, M.left, M.top, plotW, plotH);
    ctx.strokeStyle = "#999";
    ctx.strokeRect(M.left - 0.5, M.top - 0.5, plotW + 1, plotH + 1);
    ctx.fillStyle = "#1d1d1f";
    ctx.font = "11px system-ui, sans-serif";
    // x axis: up to 6 ticks over the visible columns, labelled with the real time labels
    ctx.textAlign = "center";
    const ticks = Math.min(6, c1 - c0);
    for (let k = 0; k < ticks; k++) {
      const c = c0 + Math.round((k * (c1 - c0 - 1)) / Math.max(1, ticks - 1));
      const x = M.left + ((c - c0 + 0.5) / (c1 - c0)) * plotW;
      ctx.fillRect(x, M.top + plotH, 1, 4);
      ctx.fillText(time.columnLabel(c), x, M.top + plotH + 15);
    }
    ctx.fillText(time.name, M.left + plotW / 2, M.top + plotH + 30);
    // y axis: first, middle and last row, by unit number (rows may be sorted)
    ctx.textAlign = "right";
    const rows = array.width;
    for (const row of [...new Set([0, Math.floor(rows / 2), rows - 1])]) {
      const y = M.top + ((row + 0.5) / rows) * plotH;
      ctx.fillText(String(map.order[row]), M.left - 6, y + 4);
    }
    ctx.save();
    ctx.translate(12, M.top + plotH / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = "center";
    ctx.fillText(sortUnits.checked ? `${map.rowName} (sorted)` : map.rowName, 0, 0);
    ctx.restore();
    // colour bar: the array's colour scale, its ends labelled
    const barX = M.left + plotW + 10;
    for (let y = 0; y < plotH; y++) {
      const v = array.gate ? 1 - y / (plotH - 1) : array.scale * (1 - (2 * y) / (plotH - 1));
      ctx.fillStyle = css(colour(v, array.gate, array.scale));
      ctx.fillRect(barX, M.top + y, 12, 1);
    }
    ctx.fillStyle = "#1d1d1f";
    ctx.textAlign = "left";
    const high = array.gate ? "1" : `+${array.scale.toPrecision(2)}`;
    const low = array.gate ? "0" : `\u2212${array.scale.toPrecision(2)}`;
    ctx.fillText(high, barX + 16, M.top + 9);
    ctx.fillText(array.gate ? "" : "0", barX + 16, M.top + plotH / 2 + 4);
    ctx.fillText(low, barX + 16, M.top + plotH);
    if (step >= c0 && step < c1) {
      ctx.strokeStyle = "#111";
      ctx.lineWidth = 2;
      const x = M.left + ((step - c0) / (c1 - c0)) * plotW;
      ctx.strokeRect(x, M.top + 1, Math.max(2, plotW / (c1 - c0)), plotH - 2);
      ctx.lineWidth = 1;
    }
  }

  function setZoom(window) {
    zoom = window;
    const time = timeOf(currentSample());
    zoomLabel.textContent = zoom
      ? ` showing ${time.name} ${time.columnLabel(zoom[0])} to ${time.columnLabel(zoom[1] - 1)}`
      : "";
    highlightStep(Number(slider.value));
  }

  function renderMaps() {
    const sample = currentSample();
    const time = timeOf(sample);
    heatmaps.length = 0;
    maps.replaceChildren();
    for (const layer of sample.layers) {
      if (!layer.directions.length) continue;
      const section = element("div", "heatmap-layer");
      section.appendChild(element("h3", "", `${layer.name} (${layer.kind})`));
      for (const direction of layer.directions) {
        const grid = element("div", "heatmap-grid");
        for (const [key, ref] of Object.entries(direction.arrays)) {
          const array = stored(ref, GATES.has(key));
          const caption = `${direction.direction} ${NAMES[key] || key}: ${array.width} units \u00d7 ${sample.steps} steps`;
          grid.appendChild(heatmap(caption, array, time, "unit"));
        }
        section.appendChild(grid);
      }
      maps.appendChild(section);
    }
    attribution.replaceChildren();
    if (sample.attribution) {
      const a = sample.attribution;
      const method = a.method === "integrated_gradients" ? "integrated gradients" : "gradient \u00d7 input";
      const array = stored(a, false);
      attribution.appendChild(heatmap(
        `${method} of output ${a.target} for ${sample.name}: ${array.width} features \u00d7 ${sample.steps} steps (red: raises the output, blue: lowers it)`,
        array, time, "feature"));
    } else {
      attribution.appendChild(element("p", "placeholder", "No attributions in this report."));
    }
    highlightStep(Number(slider.value));
  }

  function highlightStep(step) {
    for (const map of heatmaps) drawMap(map, step);
  }

  data.samples.forEach((sample, n) => {
    const option = element("option", "", sample.name);
    option.value = String(n);
    sampleSelect.appendChild(option);
  });
  function resetSlider() {
    slider.max = String(timeOf(currentSample()).columns - 1);
    if (Number(slider.value) > Number(slider.max)) slider.value = slider.max;
  }
  sampleSelect.addEventListener("change", () => { resetSlider(); zoom = null; renderMaps(); setZoom(null); renderFlow(); });
  slider.addEventListener("input", renderFlow);
  sortUnits.addEventListener("change", () => {
    for (const map of heatmaps) paintImage(map);
    highlightStep(Number(slider.value));
  });
  document.getElementById("zoom-reset").addEventListener("click", () => setZoom(null));
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
  performance.mark("report:maps");
  renderFlow();
  performance.mark("report:ready");
  document.body.dataset.ready = "true";
})().catch((error) => {
  document.body.dataset.ready = "error";
  console.error(error);
});
