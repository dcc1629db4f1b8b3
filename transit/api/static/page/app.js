// The planner's page of transit: plain JavaScript, no build step. It asks this server's API only (the page's
// Content-Security-Policy forbids anything else): GET /places, /crossings, /regimes once, then one POST /compare
// (with trips: true) per question, from which it draws the table, the time-distance chart, the map and the timeline.
// Data from the server is put into the page as text (textContent), never as HTML. Addresses are relative, so the
// page also works behind a reverse proxy that serves the API under a path (https://host/transit/).
"use strict";

(() => {
  const CONFIG = JSON.parse(document.getElementById("config").textContent);
  const $ = (id) => document.getElementById(id);
  const SVG = "http://www.w3.org/2000/svg";
  const DEFAULT_SAMPLES = 1000;
  const DEFAULT_SEED = 1;
  const DASHES = [null, "10 6", "4 4", "12 4 3 4"];

  const state = {
    places: [], // {name, id, country, tz, aliases}
    crossings: new Map(), // id -> crossing
    regimes: [], // {id, name, in_force_from, description}
    regimeOrder: [], // ticked regimes, in the order they were ticked (the first is the baseline)
    controller: null,
    timer: null,
    cache: new Map(), // request body (JSON) -> response: the back button shows an answer again without asking
    result: null,
    map: null,
    routeLayer: null,
  };

  // -- small helpers ---------------------------------------------------------------------------------------------

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "text") node.textContent = value;
      else if (key === "class") node.className = value;
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  }

  function svg(tag, attrs = {}, text = null) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attrs)) if (value !== null && value !== undefined) node.setAttribute(key, String(value));
    if (text !== null) node.textContent = text;
    return node;
  }

  const splitList = (text) => (text || "").split(/[,\n]/).map((s) => s.trim()).filter(Boolean);
  const fold = (s) => s.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  const num = (v, digits = 1) => (v === null || v === undefined ? "—" : Number(v).toLocaleString("en", { minimumFractionDigits: digits, maximumFractionDigits: digits }));
  // An ISO time with its offset, shown as it is: the local time of the place it belongs to.
  function localTime(iso) {
    if (!iso) return "—";
    const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/.exec(iso);
    if (!m) return iso;
    const offset = !m[3] || m[3] === "Z" ? "UTC" : `UTC${m[3].replace(/:00$/, "")}`;
    return `${m[1]} ${m[2]} ${offset}`;
  }
  function weekday(iso) {
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
    if (!m) return "";
    return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])).toLocaleDateString("en", { weekday: "short", timeZone: "UTC" });
  }
  function crossingName(id) {
    const c = state.crossings.get(id);
    return c ? c.name : id;
  }
  function findPlace(text) {
    const key = fold(text || "");
    if (!key) return null;
    return state.places.find((p) => fold(p.name) === key || fold(p.id) === key || p.aliases.some((a) => fold(a) === key)) || null;
  }

  // -- autocomplete (an ARIA combobox: arrows, Enter, Escape, click) ----------------------------------------------

  function combobox(input, list, { source, multi = false }) {
    let active = -1;
    let items = [];
    const current = () => (multi ? input.value.split(",").pop() : input.value).trim();
    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function choose(item) {
      if (multi) {
        const parts = input.value.split(",").map((s) => s.trim());
        parts[parts.length - 1] = item.name;
        input.value = parts.filter(Boolean).join(", ");
      } else {
        input.value = item.name;
      }
      close();
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function highlight(index) {
      const options = list.querySelectorAll("li");
      options.forEach((li, i) => li.setAttribute("aria-selected", i === index ? "true" : "false"));
      active = index;
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else input.removeAttribute("aria-activedescendant");
    }
    function open() {
      const query = fold(current());
      list.replaceChildren();
      if (!query) return close();
      const scored = [];
      for (const item of source()) {
        const keys = [item.name, item.id, ...(item.aliases || [])].map(fold);
        let score = keys.findIndex((k) => k.startsWith(query)) >= 0 ? 0 : keys.some((k) => k.includes(query)) ? 1 : -1;
        if (score < 0) continue;
        const alias = (item.aliases || []).find((a) => fold(a).startsWith(query) && !fold(item.name).startsWith(query));
        scored.push({ item, score, alias });
      }
      scored.sort((a, b) => a.score - b.score || a.item.name.localeCompare(b.item.name));
      items = scored.slice(0, 12);
      if (!items.length) return close();
      items.forEach(({ item, alias }, i) => {
        const hint = [item.kind === "crossing" ? "crossing" : item.country, alias ? `also “${alias}”` : null].filter(Boolean).join(" · ");
        const li = el("li", { id: `${list.id}-${i}`, role: "option", "aria-selected": "false" }, item.name, el("span", { class: "hint", text: hint }));
        li.addEventListener("mousedown", (event) => {
          event.preventDefault(); // keep the focus in the field
          choose(item);
        });
        list.append(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      highlight(-1);
    }
    input.addEventListener("input", open);
    input.addEventListener("blur", () => setTimeout(close, 100));
    input.addEventListener("keydown", (event) => {
      const isOpen = !list.hidden;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!isOpen) open();
        else highlight(Math.min(active + 1, items.length - 1));
      } else if (event.key === "ArrowUp" && isOpen) {
        event.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (event.key === "Enter" && isOpen && active >= 0) {
        event.preventDefault(); // choose, do not submit
        choose(items[active].item);
      } else if (event.key === "Escape" && isOpen) {
        event.preventDefault();
        close();
      }
    });
  }

  // -- the question: form <-> URL <-> request --------------------------------------------------------------------

  function mode() {
    return $("mode-dates").checked ? "dates" : "regimes";
  }

  function showMode() {
    const dates = mode() === "dates";
    $("depart-field").hidden = dates;
    $("dates-field").hidden = !dates;
  }

  // The form as a query string that people can read and edit: commas and colons stay as they are.
  function formToQuery() {
    const p = [];
    const add = (key, value) => {
      if (value !== "" && value !== null && value !== undefined) p.push(`${key}=${encodeURIComponent(value).replace(/%2C/gi, ",").replace(/%3A/gi, ":")}`);
    };
    add("from", $("from").value.trim());
    add("to", $("to").value.trim());
    if (mode() === "dates") add("dates", splitList($("dates").value).join(","));
    else add("depart", $("depart").value);
    add("via", splitList($("via").value).join(","));
    add("regimes", state.regimeOrder.join(","));
    add("reg", $("reg").value);
    if ($("drivers").value !== "1") add("drivers", $("drivers").value);
    add("samples", $("samples").value.trim());
    const seed = new URLSearchParams(location.search).get("seed");
    if (seed) add("seed", seed);
    return p.join("&");
  }

  function paramsToForm(params) {
    $("from").value = params.get("from") || "";
    $("to").value = params.get("to") || "";
    $("via").value = splitList(params.get("via")).join(", ");
    const dates = splitList(params.get("dates"));
    $("mode-dates").checked = dates.length > 0;
    $("mode-regimes").checked = dates.length === 0;
    $("dates").value = dates.join("\n");
    $("depart").value = params.get("depart") || "";
    const known = new Set(state.regimes.map((r) => r.id));
    const asked = splitList(params.get("regimes"));
    state.regimeOrder = asked.length ? asked.filter((id) => known.has(id)) : defaultRegimes(dates.length > 0);
    const unknown = asked.filter((id) => !known.has(id));
    $("regimes-error").textContent = unknown.length ? `Unknown regime ${unknown.map((u) => `“${u}”`).join(", ")}: ignored. Known: ${[...known].join(", ")}.` : "";
    for (const box of document.querySelectorAll("#regimes-list input")) box.checked = state.regimeOrder.includes(box.value);
    $("reg").value = (params.get("reg") || "").toUpperCase();
    if ($("reg").selectedIndex < 0) $("reg").value = "";
    $("drivers").value = params.get("drivers") === "2" ? "2" : "1";
    $("samples").value = params.get("samples") ?? String(DEFAULT_SAMPLES);
    showMode();
    describeDeparture();
  }

  function defaultRegimes(dates) {
    const ids = state.regimes.map((r) => r.id);
    if (dates) return ids.includes("history") ? ["history"] : ids.slice(-1);
    return ids.includes("history") ? [ids[0], "history"].filter((v, i, a) => a.indexOf(v) === i) : ids.slice(0, 2);
  }

  function requestFrom(params) {
    const samples = Number(params.get("samples") ?? DEFAULT_SAMPLES);
    const body = {
      origin: params.get("from") || "",
      destination: params.get("to") || "",
      via: splitList(params.get("via")),
      regimes: splitList(params.get("regimes")),
      samples: Number.isFinite(samples) ? samples : -1,
      trips: true,
    };
    const dates = splitList(params.get("dates"));
    if (dates.length) body.departures = dates;
    else body.departure = params.get("depart") || "";
    if (!body.regimes.length) body.regimes = defaultRegimes(dates.length > 0);
    if (!body.via.length) body.via = null;
    if (body.samples > 0) body.seed = Number(params.get("seed") || DEFAULT_SEED);
    const reg = params.get("reg");
    const drivers = params.get("drivers") === "2" ? 2 : 1;
    if (reg || drivers !== 1) body.vehicle = { drivers, ...(reg ? { registration: reg.toUpperCase() } : {}) };
    return body;
  }

  // Problems the page can see before asking (the server checks everything again).
  function checkRequest(body) {
    const problems = [];
    if (!body.origin) problems.push(["from", "Type the place the truck leaves from, e.g. Kashgar."]);
    if (!body.destination) problems.push(["to", "Type the place the truck goes to, e.g. Tashkent."]);
    if (body.departures === undefined && !body.departure) problems.push(["depart", "Choose the departure date and time."]);
    if (body.departures && body.departures.length > 12) problems.push(["dates", `${body.departures.length} departures: compare at most 12.`]);
    if (!body.regimes.length) problems.push(["regimes", "Tick at least one regime."]);
    if (!Number.isInteger(body.samples) || body.samples < 0) problems.push(["samples", "Samples must be a whole number, 0 or more."]);
    else if (body.samples > CONFIG.limits.max_samples) problems.push(["samples", `At most ${CONFIG.limits.max_samples.toLocaleString("en")} samples: lower it.`]);
    return problems;
  }

  function describeDeparture() {
    const place = findPlace($("from").value);
    const text = place ? `(local time at ${place.name}: ${place.tz}${offsetOf(place.tz)})` : "(local time at the origin)";
    $("depart-tz").textContent = text;
    $("dates-tz").textContent = `${text.slice(0, -1)}; one per line or separated by commas; up to 12)`;
  }

  function offsetOf(tz) {
    try {
      const value = $("depart").value ? new Date(`${$("depart").value}:00Z`) : new Date();
      const part = new Intl.DateTimeFormat("en", { timeZone: tz, timeZoneName: "shortOffset" }).formatToParts(value).find((x) => x.type === "timeZoneName");
      return part ? `, ${part.value.replace("GMT", "UTC")}` : "";
    } catch {
      return "";
    }
  }

  // -- asking ----------------------------------------------------------------------------------------------------

  const FIELDS = ["from", "to", "via", "depart", "dates", "regimes", "reg", "samples"];

  function clearErrors() {
    for (const id of FIELDS) {
      $(`${id}-error`).replaceChildren();
      const field = $(id);
      if (field) field.removeAttribute("aria-invalid");
    }
    $("form-error").replaceChildren();
  }

  function fieldError(id, ...content) {
    $(`${id}-error`).replaceChildren(...content);
    const field = $(id);
    if (field && field.tagName !== "DIV") field.setAttribute("aria-invalid", "true");
  }

  function busy(on, message) {
    clearInterval(state.timer);
    $("go").disabled = false;
    $("cancel").hidden = !on;
    if (!on) {
      $("status").replaceChildren(message || "");
      return;
    }
    const started = performance.now();
    const tick = () => {
      const s = Math.floor((performance.now() - started) / 1000);
      $("status").replaceChildren(el("span", { class: "spinner", "aria-hidden": "true" }), `Computing… ${s} s (the server stops at ${CONFIG.limits.timeout_s} s). `);
    };
    tick();
    state.timer = setInterval(tick, 1000);
  }

  async function run(params) {
    clearErrors();
    const body = requestFrom(params);
    const problems = checkRequest(body);
    if (problems.length) {
      if (state.controller) state.controller.abort();
      busy(false, "");
      $("results").hidden = true;
      for (const [id, text] of problems) fieldError(id, text);
      $(problems[0][0]) && $(problems[0][0]).focus && $(problems[0][0]).focus();
      return;
    }
    const key = JSON.stringify(body);
    if (state.controller) state.controller.abort();
    if (state.cache.has(key)) {
      render(state.cache.get(key), body);
      busy(false, "Shown again from this page's memory.");
      return;
    }
    const controller = new AbortController();
    state.controller = controller;
    busy(true);
    try {
      const response = await fetch("compare", { method: "POST", headers: { "content-type": "application/json", accept: "application/json" }, body: key, signal: controller.signal });
      const answer = await response.json().catch(() => ({ title: `HTTP ${response.status}`, detail: "the server's answer was not JSON" }));
      if (controller !== state.controller) return;
      if (!response.ok) {
        busy(false, "");
        $("results").hidden = true; // what is shown always answers the question in the form and the URL
        showProblem(answer, response, body);
        return;
      }
      state.cache.set(key, answer);
      render(answer, body);
      const ok = answer.rows.filter((r) => r.status === "ok").length;
      busy(false, `Done: ${ok} of ${answer.rows.length} scenarios have a route.`);
    } catch (error) {
      if (controller !== state.controller) return;
      $("results").hidden = true;
      if (error.name === "AbortError") busy(false, "Cancelled: the server stopped computing. Change the question or plan again.");
      else busy(false, `Could not reach the server (${error.message}). Is \`transit serve\` still running?`);
    } finally {
      if (controller === state.controller) state.controller = null;
    }
  }

  function suggestionButtons(id, name, suggestions) {
    const out = [];
    suggestions.forEach((s, i) => {
      const button = el("button", { type: "button", class: "suggest", text: s });
      button.addEventListener("click", () => {
        const field = $(id);
        if (id === "via") {
          field.value = splitList(field.value).map((t) => (fold(t) === fold(name) ? s : t)).join(", ");
        } else field.value = s;
        fieldError(id);
        field.removeAttribute("aria-invalid");
        field.focus();
        describeDeparture();
      });
      out.push(i === 0 ? "" : " or ", button);
    });
    return out;
  }

  // A server message as a sentence: a capital first letter and a full stop.
  const sentence = (text) => {
    const t = String(text).trim();
    return t ? `${t[0].toUpperCase()}${t.slice(1)}${/[.?!)]$/.test(t) ? "" : "."}` : t;
  };

  function showProblem(p, response, body) {
    const type = String(p.type || "").split(":").pop();
    const detail = p.detail || p.title || `HTTP ${response.status}`;
    if (type === "unknown-place" && p.name) {
      const name = fold(p.name);
      const id = fold(body.origin) === name ? "from" : fold(body.destination) === name ? "to" : (body.via || []).some((v) => fold(v) === name) ? "via" : null;
      const what = `Unknown place “${p.name}”.`;
      const content = p.suggestions && p.suggestions.length ? [what, " Did you mean ", ...suggestionButtons(id || "from", p.name, p.suggestions), "?"] : [what, " No close match: start typing to see the places."];
      if (id) {
        fieldError(id, ...content);
        $(id).focus();
      } else $("form-error").replaceChildren(...content);
      return;
    }
    if (type === "limit-exceeded" && /samples/.test(detail)) {
      fieldError("samples", `${sentence(detail)} Lower the samples to ${Number(p.limit).toLocaleString("en")} or fewer.`);
      $("samples").focus();
      return;
    }
    if (type === "unknown-regime") {
      fieldError("regimes", sentence(detail));
      return;
    }
    if ((type === "invalid-request" || type === "invalid-time") && Array.isArray(p.errors) && p.errors.length) {
      let placed = false;
      for (const e of p.errors) {
        const where = String(e.field || "");
        const id = /departures/.test(where) ? "dates" : /departure/.test(where) ? "depart" : /origin/.test(where) ? "from" : /destination/.test(where) ? "to" : /via/.test(where) ? "via" : /samples/.test(where) ? "samples" : /registration|vehicle/.test(where) ? "reg" : /regimes/.test(where) ? "regimes" : null;
        if (id) {
          fieldError(id, e.message || detail);
          placed = true;
        }
      }
      if (placed) return;
    }
    if (type === "timeout") {
      const limit = p.limit ?? CONFIG.limits.timeout_s;
      $("form-error").replaceChildren(
        `The server stopped this question at its time limit of ${limit} s. Ask for less: fewer samples (now ${body.samples.toLocaleString("en")}), fewer regimes or dates, or fewer via places.`,
      );
      return;
    }
    if (type === "overloaded" || type === "cancelled") {
      const wait = response.headers.get("retry-after");
      $("form-error").replaceChildren(`${detail}${wait ? ` Try again in ${wait} s.` : ""}`);
      return;
    }
    if (type === "invalid-vehicle") {
      fieldError("reg", sentence(detail));
      return;
    }
    if (type === "no-route") {
      const blocking = (p.blocking || []).map(crossingName);
      $("form-error").replaceChildren(`No route: ${sentence(detail)}${blocking.length ? ` Blocked by: ${blocking.join(", ")}.` : ""}`);
      return;
    }
    $("form-error").replaceChildren(`${p.title || "Error"}: ${detail}${p.request_id && response.status >= 500 ? ` (request id ${p.request_id})` : ""}`);
  }

  // -- the answer ------------------------------------------------------------------------------------------------

  function render(answer, body) {
    state.result = { answer, body };
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

  function renderTimeline() {
    const { answer } = state.result;
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
    if (state.map || typeof L === "undefined") return state.map;
    const map = L.map("map", { zoomSnap: 0.25, worldCopyJump: false, keyboard: true });
    map.attributionControl.setPrefix("Leaflet");
    map.attributionControl.addAttribution("Outlines: Natural Earth");
    map.setView([41, 70], 4);
    state.routeLayer = L.layerGroup().addTo(map);
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
    state.map = map;
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
    state.routeLayer.clearLayers();
    const bounds = [];
    trips.forEach(({ row, trip, index }) => {
      const colour = CONFIG.palette[index % CONFIG.palette.length];
      const coords = trip.geometry.geometry.coordinates.map(([lon, lat]) => [lat, lon]);
      bounds.push(...coords);
      L.polyline(coords, { color: colour, weight: 5, opacity: 1, dashArray: DASHES[index % DASHES.length] })
        .bindTooltip(el("span", { text: `${row.row}: ${num(row.total_h)} h, ${num(row.distance_km, 0)} km` }), { sticky: true })
        .addTo(state.routeLayer);
      const spent = new Map();
      for (const step of trip.timeline) {
        if (!step.crossing_id || !CONFIG.border_activities.includes(step.activity)) continue;
        const at = spent.get(step.crossing_id) || new Map();
        at.set(step.activity, (at.get(step.activity) || 0) + step.duration_h);
        spent.set(step.crossing_id, at);
      }
      for (const id of trip.crossings) {
        const c = state.crossings.get(id);
        if (!c) continue;
        const at = spent.get(id) || new Map();
        const total = [...at.values()].reduce((a, b) => a + b, 0);
        const card = el("div", {}, el("strong", { text: `${c.name} (${row.row})` }));
        for (const [activity, hours] of at) card.append(el("div", { text: `${activity.replace(/_/g, " ")}: ${num(hours)} h` }));
        card.append(el("div", {}, el("strong", { text: `total: ${num(total)} h` })));
        L.circleMarker([c.lat, c.lon], { radius: Math.max(11 - 4 * index, 4), color: "#222", weight: 1.5, fillColor: delayColour(total), fillOpacity: 0.95 })
          .bindTooltip(card, { sticky: true })
          .addTo(state.routeLayer);
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

  function downloadCsv() {
    const { answer } = state.result;
    const row = $("timeline-of").value;
    const trip = (answer.trips || {})[row];
    if (!trip) return;
    const columns = ["scenario", "activity", "place", "country", "start", "end", "duration_h", "distance_km", "crossing_id", "note", "source"];
    const lines = [columns.join(",")];
    for (const s of trip.timeline) lines.push([row, s.activity, s.place, s.country, s.start, s.end, s.duration_h, s.distance_km, s.crossing_id, s.note, s.source].map(csvCell).join(","));
    download(`transit_${slug(answer.origin)}_${slug(answer.destination)}_${slug(row)}.csv`, "text/csv", `${lines.join("\r\n")}\r\n`);
  }

  function downloadJson() {
    const { answer } = state.result;
    download(`transit_${slug(answer.origin)}_${slug(answer.destination)}_compare.json`, "application/json", `${JSON.stringify(answer, null, 2)}\n`);
  }

  // -- start -----------------------------------------------------------------------------------------------------

  function fillChoices() {
    const regs = [...new Set(state.places.map((p) => p.country))].sort();
    $("reg").append(...regs.map((c) => el("option", { value: c, text: c })));
    const list = $("regimes-list");
    list.replaceChildren();
    for (const r of state.regimes) {
      const box = el("input", { type: "checkbox", id: `regime-${r.id}`, value: r.id, "aria-describedby": `regime-${r.id}-hint` });
      box.addEventListener("change", () => {
        state.regimeOrder = box.checked ? [...state.regimeOrder.filter((id) => id !== r.id), r.id] : state.regimeOrder.filter((id) => id !== r.id);
      });
      const when = r.in_force_from ? `in force from ${r.in_force_from}` : r.id === "history" ? "the rules in force on each date" : "";
      list.append(el("div", {}, box, " ", el("label", { for: `regime-${r.id}`, text: `${r.id}` }), el("span", { class: "hint", id: `regime-${r.id}-hint`, text: [r.name, when].filter(Boolean).join(": ") })));
    }
  }

  function fromUrl() {
    const params = new URLSearchParams(location.search);
    paramsToForm(params);
    if (params.get("from") || params.get("to")) run(params);
    else {
      $("results").hidden = true;
      busy(false, "");
    }
  }

  async function start() {
    $("version").textContent = `${CONFIG.version}, dataset ${CONFIG.dataset_version}`;
    $("samples").max = String(CONFIG.limits.max_samples);
    $("samples-hint").textContent = `(0: none; at most ${CONFIG.limits.max_samples.toLocaleString("en")}; more is slower)`;
    busy(false, "Loading the places…");
    try {
      const [places, crossings, regimes] = await Promise.all(["places", "crossings", "regimes"].map((u) => fetch(u).then((r) => (r.ok ? r.json() : Promise.reject(new Error(`${u}: HTTP ${r.status}`))))));
      state.places = places;
      for (const c of crossings) state.crossings.set(c.id, c);
      state.regimes = regimes;
    } catch (error) {
      busy(false, "");
      $("form-error").textContent = `Could not load the places from the server (${error.message}). Reload the page.`;
      return;
    }
    fillChoices();
    const crossingItems = [...state.crossings.values()].map((c) => ({ name: c.name, id: c.id, kind: "crossing", aliases: c.posts }));
    combobox($("from"), $("from-list"), { source: () => state.places });
    combobox($("to"), $("to-list"), { source: () => state.places });
    combobox($("via"), $("via-list"), { source: () => [...crossingItems, ...state.places], multi: true });
    $("from").addEventListener("change", describeDeparture);
    $("from").addEventListener("input", describeDeparture);
    $("depart").addEventListener("change", describeDeparture);
    for (const radio of document.querySelectorAll("input[name=mode]")) {
      radio.addEventListener("change", () => {
        showMode();
        if (mode() === "dates" && !$("dates").value.trim() && $("depart").value) $("dates").value = $("depart").value;
      });
    }
    $("question").addEventListener("submit", (event) => {
      event.preventDefault();
      const query = formToQuery();
      const url = `${location.pathname}?${query}`;
      if (url !== location.pathname + location.search) history.pushState(null, "", url);
      run(new URLSearchParams(query));
    });
    $("cancel").addEventListener("click", () => state.controller && state.controller.abort());
    $("timeline-of").addEventListener("change", renderTimeline);
    $("download-csv").addEventListener("click", downloadCsv);
    $("download-json").addEventListener("click", downloadJson);
    window.addEventListener("popstate", fromUrl);
    fromUrl();
  }

  start();
})();
