// The answer of the planner's page: the sentence, the table, the time-distance chart, the map, the timeline and the
// downloads, all drawn from one POST /compare answer (with trips). Text from the server goes in as text only.
import { $, CONFIG, el, localTime, num, svg, weekday } from "./dom.js";

const DASHES = [null, "10 6", "4 4", "12 4 3 4"];
const view = { answer: null, map: null, routeLayer: null, crossings: new Map() };

/** Give the crossings of GET /crossings (id -> crossing), for names and map positions. */
export function setCrossings(crossings) {
  view.crossings = crossings;
}

export function crossingName(id) {
  const c = view.crossings.get(id);
  return c ? c.name : id;
}

// -- the table ------------------------------------------------------------------------------------------------

export function render(answer) {
  view.answer = answer;
  $("results").hidden = false;
  const rows = answer.rows;
  const ok = rows.filter((r) => r.status === "ok");
  const colours = new Map(rows.map((r, i) => [r.row, i]));
  // the sentence
  const parts = [`${answer.origin} → ${answer.destination}${answer.via.length ? ` via ${answer.via.join(", ")}` : ""}.`];
  if (ok.length) {
    const best = ok.reduce((a, b) => (b.total_h < a.total_h ? b : a));
    parts.push(` Fastest: ${best.row}, ${num(best.total_h)} h (${num(best.total_days)} days), arriving ${weekday(best.arrival)} ${localTime(best.arrival)} local time.`);
    if (best.p90_h !== null && best.p90_h !== undefined) parts.push(` Nine trips in ten take at most ${num(best.p90_h)} h (P90, ${answer.samples.toLocaleString("en")} samples).`);
    const base = rows[0];
    if (best.row !== base.row && base.status === "ok") parts.push(` That is ${num(base.total_h - best.total_h)} h sooner than ${base.row}.`);
  } else parts.push(" No scenario has a route: see the table.");
  $("answer").textContent = parts.join("");
  // the table
  const tbody = $("summary").querySelector("tbody");
  tbody.replaceChildren();
  rows.forEach((r, i) => {
    const key = el("span", { class: "line-key", "aria-hidden": "true" });
    key.style.borderTopStyle = DASHES[i % DASHES.length] ? "dashed" : "solid";
    key.style.borderTopColor = CONFIG.palette[i % CONFIG.palette.length];
    const head = el("th", { scope: "row" }, key, r.row);
    if (r.status !== "ok") {
      tbody.append(el("tr", { "data-row": r.row }, head, el("td", { colspan: 10, text: `no route: ${r.status}` })));
      return;
    }
    const cell = (v, digits = 1) => el("td", { class: "num", "data-value": v ?? "" , text: num(v, digits) });
    const saving = i === 0 ? el("td", { class: "num", text: "baseline" }) : cell(r.saving_h);
    tbody.append(
      el(
        "tr",
        { "data-row": r.row },
        head,
        cell(r.total_h),
        cell(r.p50_h),
        cell(r.p90_h),
        saving,
        el("td", { class: "time", "data-value": r.arrival, text: `${weekday(r.arrival)} ${localTime(r.arrival)}` }),
        cell(r.driving_h),
        cell(r.border_h),
        cell(r.rest_h),
        cell(r.cost_usd, 0),
        el("td", { class: "list", text: r.crossings.map(crossingName).join(", ") || "—" }),
      ),
    );
  });
  const warnings = $("warnings");
  warnings.replaceChildren();
  for (const r of rows) for (const w of r.warnings || []) warnings.append(el("li", { text: `${r.row}: ${w}` }));
  // the timeline's choice of row
  const select = $("timeline-of");
  const before = select.value;
  select.replaceChildren(...ok.map((r) => el("option", { value: r.row, text: r.row })));
  if (ok.some((r) => r.row === before)) select.value = before;
  renderTimeline();
  const trips = ok.map((r) => ({ row: r, trip: (answer.trips || {})[r.row], index: colours.get(r.row) })).filter((t) => t.trip);
  renderChart(trips);
  renderMap(trips);
}

export function renderTimeline() {
  const { answer } = view;
  const trip = (answer.trips || {})[$("timeline-of").value];
  const tbody = $("timeline").querySelector("tbody");
  tbody.replaceChildren();
  $("download-csv").disabled = !trip;
  if (!trip) return;
  for (const step of trip.timeline) {
    const swatch = el("span", { class: "swatch", "aria-hidden": "true" });
    swatch.style.background = CONFIG.activity_colours[step.activity] || "#777";
    tbody.append(
      el(
        "tr",
        {},
        el("td", {}, swatch, step.activity.replace(/_/g, " ")),
        el("td", { text: step.place }),
        el("td", { class: "time", text: localTime(step.start) }),
        el("td", { class: "time", text: localTime(step.end) }),
        el("td", { class: "num", text: num(step.duration_h, 2) }),
      ),
    );
  }
}

// The UNESCAP picture, as transit.plot.time_distance draws it: distance on x, hours on y, a step at every stop.
function renderChart(trips) {
  const W = 760, H = 420, L = 64, R = 16, T = 14, B = 48;
  const lines = trips.map(({ trip }) => {
    const t0 = Date.parse(trip.departure);
    let km = 0;
    const pts = [[0, 0]];
    for (const step of trip.timeline) {
      km += step.distance_km || 0;
      pts.push([km, (Date.parse(step.end) - t0) / 3.6e6]);
    }
    return pts;
  });
  const maxKm = Math.max(1, ...lines.flat().map((p) => p[0]));
  const maxH = Math.max(1, ...lines.flat().map((p) => p[1])) * 1.05;
  const x = (v) => L + (v / maxKm) * (W - L - R);
  const y = (v) => H - B - (v / maxH) * (H - T - B);
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": "chart-title chart-desc" });
  root.append(svg("title", { id: "chart-title" }, "Time–distance chart"));
  root.append(svg("desc", { id: "chart-desc" }, trips.map(({ row }) => `${row.row}: ${num(row.total_h)} h over ${num(row.distance_km, 0)} km`).join("; ")));
  root.append(svg("rect", { x: 0, y: 0, width: W, height: H, fill: "#ffffff" }));
  for (const v of ticks(maxKm)) {
    root.append(svg("line", { x1: x(v), x2: x(v), y1: T, y2: H - B, stroke: "#e3e3e3" }));
    root.append(svg("text", { x: x(v), y: H - B + 16, "text-anchor": "middle" }, v.toLocaleString("en")));
  }
  for (const v of ticks(maxH)) {
    root.append(svg("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: "#e3e3e3" }));
    root.append(svg("text", { x: L - 6, y: y(v) + 4, "text-anchor": "end" }, v.toLocaleString("en")));
  }
  root.append(svg("line", { x1: L, x2: W - R, y1: H - B, y2: H - B, stroke: "#444" }));
  root.append(svg("line", { x1: L, x2: L, y1: T, y2: H - B, stroke: "#444" }));
  root.append(svg("text", { x: (L + W - R) / 2, y: H - 8, "text-anchor": "middle" }, "Distance (km)"));
  root.append(svg("text", { x: 16, y: (T + H - B) / 2, "text-anchor": "middle", transform: `rotate(-90 16 ${(T + H - B) / 2})` }, "Hours since departure"));
  trips.forEach(({ row, index }, i) => {
    const colour = CONFIG.palette[index % CONFIG.palette.length];
    const line = svg("polyline", {
      points: lines[i].map(([a, b]) => `${x(a).toFixed(1)},${y(b).toFixed(1)}`).join(" "),
      fill: "none",
      stroke: colour,
      "stroke-width": 3,
      "stroke-dasharray": DASHES[index % DASHES.length],
      "stroke-linejoin": "round",
      "data-row": row.row,
    });
    line.append(svg("title", {}, `${row.row}: ${num(row.total_h)} h, ${num(row.distance_km, 0)} km`));
    root.append(line);
  });
  root.append(svg("rect", { x: L + 4, y: T + 2, width: 250, height: 22 * trips.length + 4, fill: "#ffffff", "fill-opacity": 0.85 }));
  trips.forEach(({ row, index }, i) => {
    const colour = CONFIG.palette[index % CONFIG.palette.length];
    const ly = T + 18 + 22 * i;
    root.append(svg("line", { x1: L + 10, x2: L + 36, y1: ly - 4, y2: ly - 4, stroke: colour, "stroke-width": 3, "stroke-dasharray": DASHES[index % DASHES.length] }));
    root.append(svg("text", { x: L + 42, y: ly }, `${row.row}: ${num(row.total_h)} h`));
  });
  $("chart").replaceChildren(root);
}

function ticks(max) {
  const raw = max / 6;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) || raw;
  const out = [];
  for (let v = 0; v <= max + 1e-9; v += step) out.push(Math.round(v * 1000) / 1000);
  return out;
}

async function ensureMap() {
  if (view.map || typeof L === "undefined") return view.map;
  const map = L.map("map", { zoomSnap: 0.25, worldCopyJump: false, keyboard: true });
  map.attributionControl.setPrefix("Leaflet");
  map.attributionControl.addAttribution("Outlines: Natural Earth");
  map.setView([41, 70], 4);
  view.routeLayer = L.layerGroup().addTo(map);
  const legend = L.control({ position: "bottomleft" });
  legend.onAdd = () => {
    const div = el("div", { class: "map-legend" }, el("strong", { text: "Time at crossing" }));
    for (const bin of CONFIG.delay_bins) {
      const dot = el("span", { class: "dot" });
      dot.style.background = bin.colour;
      div.append(el("div", {}, dot, bin.label));
    }
    return div;
  };
  legend.addTo(map);
  view.map = map;
  try {
    const outlines = await (await fetch("ui/outlines.geojson")).json();
    L.geoJSON(outlines, { interactive: false, style: { color: "#8a8a8a", weight: 1, fillColor: "#f4f1ea", fillOpacity: 1 } }).addTo(map).bringToBack();
  } catch {
    map.attributionControl.addAttribution("outlines did not load");
  }
  return map;
}

function delayColour(hours) {
  return CONFIG.delay_bins.find((b) => b.below_h === null || hours < b.below_h).colour;
}

async function renderMap(trips) {
  const map = await ensureMap();
  if (!map) return;
  map.invalidateSize();
  view.routeLayer.clearLayers();
  const bounds = [];
  trips.forEach(({ row, trip, index }) => {
    const colour = CONFIG.palette[index % CONFIG.palette.length];
    // a road trip's path is one LineString Feature; a door-to-door trip's a FeatureCollection of road and rail
    // parts (trains drawn thicker with long dashes) and transfer points
    const features = trip.geometry.type === "FeatureCollection" ? trip.geometry.features : [trip.geometry];
    for (const feature of features) {
      const mode = (feature.properties && feature.properties.mode) || "road";
      if (feature.geometry.type === "Point") {
        const [lon, lat] = feature.geometry.coordinates;
        bounds.push([lat, lon]);
        L.circleMarker([lat, lon], { radius: 6, color: colour, weight: 2, fillColor: "#ffffff", fillOpacity: 1 })
          .bindTooltip(el("span", { text: `${feature.properties.place}: transfer (${row.row})` }), { sticky: true })
          .addTo(view.routeLayer);
        continue;
      }
      const coords = feature.geometry.coordinates.map(([lon, lat]) => [lat, lon]);
      bounds.push(...coords);
      const rail = mode === "rail";
      L.polyline(coords, { color: colour, weight: rail ? 6 : 5, opacity: 1, dashArray: rail ? "14 8" : DASHES[index % DASHES.length] })
        .bindTooltip(el("span", { text: `${row.row}${features.length > 1 ? `, by ${mode}` : ""}: ${num(row.total_h)} h, ${num(row.distance_km, 0)} km` }), { sticky: true })
        .addTo(view.routeLayer);
    }
    const spent = new Map();
    for (const step of trip.timeline) {
      if (!step.crossing_id || !CONFIG.border_activities.includes(step.activity)) continue;
      const at = spent.get(step.crossing_id) || new Map();
      at.set(step.activity, (at.get(step.activity) || 0) + step.duration_h);
      spent.set(step.crossing_id, at);
    }
    for (const id of trip.crossings) {
      const c = view.crossings.get(id);
      if (!c) continue;
      const at = spent.get(id) || new Map();
      const total = [...at.values()].reduce((a, b) => a + b, 0);
      const card = el("div", {}, el("strong", { text: `${c.name} (${row.row})` }));
      for (const [activity, hours] of at) card.append(el("div", { text: `${activity.replace(/_/g, " ")}: ${num(hours)} h` }));
      card.append(el("div", {}, el("strong", { text: `total: ${num(total)} h` })));
      L.circleMarker([c.lat, c.lon], { radius: Math.max(11 - 4 * index, 4), color: "#222", weight: 1.5, fillColor: delayColour(total), fillOpacity: 0.95 })
        .bindTooltip(card, { sticky: true })
        .addTo(view.routeLayer);
    }
  });
  if (bounds.length) map.fitBounds(bounds, { padding: [20, 20] });
}

// -- downloads -------------------------------------------------------------------------------------------------

function download(name, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = el("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
const slug = (s) => String(s).normalize("NFKD").replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "").toLowerCase() || "x";
const csvCell = (v) => (v === null || v === undefined ? "" : /[",\n\r]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));

export function downloadCsv() {
  const { answer } = view;
  const row = $("timeline-of").value;
  const trip = (answer.trips || {})[row];
  if (!trip) return;
  const columns = ["scenario", "mode", "activity", "place", "country", "start", "end", "duration_h", "distance_km", "crossing_id", "note", "source"];
  const lines = [columns.join(",")];
  for (const s of trip.timeline) {
    lines.push([row, s.mode || "road", s.activity, s.place, s.country, s.start, s.end, s.duration_h, s.distance_km, s.crossing_id, s.note, s.source].map(csvCell).join(","));
  }
  download(`transit_${slug(answer.origin)}_${slug(answer.destination)}_${slug(row)}.csv`, "text/csv", `${lines.join("\r\n")}\r\n`);
}

export function downloadJson() {
  const { answer } = view;
  download(`transit_${slug(answer.origin)}_${slug(answer.destination)}_compare.json`, "application/json", `${JSON.stringify(answer, null, 2)}\n`);
}
