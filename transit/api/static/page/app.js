// The planner's page of transit: plain JavaScript, no build step. It asks this server's API only (the page's
// Content-Security-Policy forbids anything else): GET /places, /crossings, /regimes once, then one POST /compare
// (with trips: true) per question, from which it draws the table, the time-distance chart, the map and the timeline.
// Data from the server is put into the page as text (textContent), never as HTML. Addresses are relative, so the
// page also works behind a reverse proxy that serves the API under a path (https://host/transit/).
import { $, CONFIG, el, fold, splitList } from "./dom.js";
import { crossingName, downloadCsv, downloadJson, render, renderTimeline, setCrossings } from "./draw.js";

const DEFAULT_SAMPLES = 1000;
const DEFAULT_SEED = 1;

const state = {
  places: [], // {name, id, country, tz, aliases}
  crossings: new Map(), // id -> crossing
  regimes: [], // {id, name, in_force_from, description}
  regimeOrder: [], // ticked regimes, in the order they were ticked (the first is the baseline)
  controller: null,
  timer: null,
  cache: new Map(), // request body (JSON) -> response: the back button shows an answer again without asking
};

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

const MODES = ["modes-road", "modes-road-rail", "modes-rail"].map((id) => document.getElementById(id));
const checkedModes = () => MODES.filter((box) => box.checked).map((box) => box.value);
// "road+rail" typed into a link arrives as "road rail" (a + in a query is a space)
const modesOf = (params) => splitList(params.get("modes")).map((m) => m.replace(/\s+/g, "+"));

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
  const modes = checkedModes();
  if (modes.join(",") !== "road") add("modes", modes.join(","));
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
  const modes = modesOf(params);
  const knownModes = MODES.map((m) => m.value);
  const wanted = modes.length ? modes.filter((m) => knownModes.includes(m)) : ["road"];
  for (const box of MODES) box.checked = wanted.includes(box.value);
  const badModes = modes.filter((m) => !knownModes.includes(m));
  $("modes-error").textContent = badModes.length ? `Unknown mode ${badModes.map((m) => `“${m}”`).join(", ")}: ignored. Known: ${knownModes.join(", ")}.` : "";
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
  const modes = modesOf(params);
  if (modes.length && modes.join(",") !== "road") body.modes = modes;
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
  if (body.modes && body.modes.length > 3) problems.push(["modes", "Compare at most three mode sets."]);
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

const FIELDS = ["from", "to", "via", "depart", "dates", "regimes", "modes", "reg", "samples"];

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
    render(state.cache.get(key));
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
    render(answer);
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
  setCrossings(state.crossings);
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
