// Small helpers of the planner's page: building elements (text only, never HTML), numbers and local times.

export const $ = (id) => document.getElementById(id);
/** The page's configuration, written in by the server: palette, activity colours, delay bins, limits, versions. */
export const CONFIG = JSON.parse(document.getElementById("config").textContent);
const SVG = "http://www.w3.org/2000/svg";
export function el(tag, attrs = {}, ...children) {
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

export function svg(tag, attrs = {}, text = null) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) if (value !== null && value !== undefined) node.setAttribute(key, String(value));
  if (text !== null) node.textContent = text;
  return node;
}

export const splitList = (text) => (text || "").split(/[,\n]/).map((s) => s.trim()).filter(Boolean);
export const fold = (s) => s.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
export const num = (v, digits = 1) => (v === null || v === undefined ? "—" : Number(v).toLocaleString("en", { minimumFractionDigits: digits, maximumFractionDigits: digits }));
// An ISO time with its offset, shown as it is: the local time of the place it belongs to.
export function localTime(iso) {
  if (!iso) return "—";
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/.exec(iso);
  if (!m) return iso;
  const offset = !m[3] || m[3] === "Z" ? "UTC" : `UTC${m[3].replace(/:00$/, "")}`;
  return `${m[1]} ${m[2]} ${offset}`;
}
export function weekday(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
  if (!m) return "";
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])).toLocaleDateString("en", { weekday: "short", timeZone: "UTC" });
}
