// How the journal shows a request's time: the time of day, the date too
// when it is not today, and a "virtual" mark when the server's clock was
// moved (times are the server's clock, which tests move and freeze).
import { el } from "./api.js";

// offset is the server's clock minus the browser's, as the clock panel
// last read it (0 until then).
let offset = 0;
const slack = 30000; // ms: nearer than this to real time is real time

// isVirtual: the time is more than the slack from real time, and either
// ahead of it (no real request comes from the future) or nearer to the
// server's moved clock than to real time.
function isVirtual(t) {
  const now = Date.now();
  const real = t - now;
  if (Math.abs(real) <= slack) return false;
  return real > 0 || (offset !== 0 && Math.abs(t - (now + offset)) < Math.abs(real));
}

// timeCell is the journal row's first cell for an entry's RFC 3339 time.
export function timeCell(time) {
  const td = el("td", { class: "when", dataset: { time } });
  fillTime(td, time);
  return td;
}

function fillTime(td, time) {
  const parts = [];
  const today = new Date().toISOString().slice(0, 10);
  if (time.slice(0, 10) !== today) parts.push(el("span", { class: "date" }, time.slice(0, 10)), " ");
  parts.push(time.slice(11, 23));
  const virtual = isVirtual(Date.parse(time));
  if (virtual) {
    parts.push(" ", el("span", { class: "virtual", dataset: { testid: "virtual-time" } }, "virtual"));
  }
  td.title = time + (virtual ? ": the server's clock was moved (virtual time)" : "");
  td.replaceChildren(...parts);
}

// setClockOffset takes the clock panel's reading; when it changed, every
// shown time is marked again.
export function setClockOffset(ms, rows) {
  if (Math.abs(ms - offset) < 1000) return;
  offset = ms;
  for (const tr of rows) {
    const td = tr.firstElementChild;
    if (td && td.dataset.time) fillTime(td, td.dataset.time);
  }
}
