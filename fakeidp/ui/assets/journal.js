// The journal panel: the journal's live stream (Server-Sent Events),
// filtered, paused and cleared in the page.
import { base, api, el, $, guarded } from "./api.js";
import { showDetail, hideDetail } from "./detail.js";
import { timeCell, setClockOffset } from "./times.js";

const maxRows = 500;
let paused = false;
let held = [];
let source = null;
let onEntry = () => {};
const entryOf = new WeakMap();

// startJournal opens the stream; notify is told of each entry, and of a
// reset with null, so that other panels can refresh.
export function startJournal(notify) {
  onEntry = notify;
  for (const id of ["f-site", "f-path", "f-client", "f-status"]) {
    $(id).addEventListener("input", refilter);
  }
  $("journal-pause").addEventListener("click", togglePause);
  $("journal-clear").addEventListener("click", () => guarded("clear", () => api("DELETE", "journal")));
  $("journal-rows").addEventListener("click", (ev) => {
    const tr = ev.target.closest("tr");
    if (tr) select(tr);
  });
  $("detail-close").addEventListener("click", hideDetail);
  // The clock panel says when the server's clock moved.
  document.addEventListener("fakeidp:clock", (ev) => setClockOffset(ev.detail.offsetMs, $("journal-rows").children));
  connect();
}

let retryTimer;
let refused = false;

function connect() {
  clearTimeout(retryTimer);
  if (source) source.close();
  source = new EventSource(new URL("journal/stream?limit=300", base));
  source.addEventListener("open", () => {
    live("live", "");
    if (refused) note("");
    refused = false;
  });
  source.addEventListener("error", () => {
    // CLOSED: the server answered, but not with a stream, and
    // EventSource gives up without saying why.
    if (source.readyState === EventSource.CLOSED) explain();
    else live("reconnecting…", "off");
  });
  source.addEventListener("reset", () => {
    $("journal-rows").replaceChildren();
    showEmpty();
    held = [];
    note("");
    hideDetail();
    onEntry(null);
  });
  source.addEventListener("entry", (ev) => {
    const e = JSON.parse(ev.data);
    if (paused) held.push(e);
    else addRow(e);
    if (paused) live("paused, " + held.length + " new", "paused");
    onEntry(e);
  });
  source.addEventListener("dropped", (ev) => {
    const n = JSON.parse(ev.data).count;
    note(n + " request(s) were not shown live: the page fell behind. The journal keeps them: ",
      el("button", { type: "button", onclick: connect }, "Reload the journal"));
  });
}

// explain asks for the stream once more with fetch, which sees what
// EventSource does not: the status and the server's error. At the host's
// cap of open streams (server.max_streams, 429) the page says so and
// tries again after the Retry-After the server gives.
async function explain() {
  const ctl = new AbortController();
  let resp;
  try {
    resp = await fetch(new URL("journal/stream?limit=0", base), { credentials: "same-origin", cache: "no-store", signal: ctl.signal });
  } catch {
    live("reconnecting…", "off");
    retryIn(5);
    return;
  }
  if (resp.ok) {
    ctl.abort(); // a stream is free again: open the page's own
    retryIn(1);
    return;
  }
  if (resp.status === 401) {
    location.reload(); // signed out: the page asks for the token
    return;
  }
  let msg = "";
  try { msg = (await resp.json()).error || ""; } catch { msg = ""; }
  const wait = parseInt(resp.headers.get("Retry-After") || "", 10) || 5;
  refused = true;
  live(resp.status === 429 ? "too many streams" : "stopped", "off");
  note((msg || "The journal's stream was refused (HTTP " + resp.status + ").") + " Trying again in " + wait + " s. ",
    el("button", { type: "button", onclick: connect }, "Retry now"));
  retryIn(wait);
}

function retryIn(seconds) {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(connect, seconds * 1000);
}

function live(text, cls) {
  const s = $("journal-live");
  s.textContent = text;
  s.className = "live " + cls;
  // The SMS outbox is refreshed by the journal's stream: it is live
  // exactly when the stream is connected, paused or not.
  const sms = $("sms-live");
  sms.textContent = cls === "off" ? text : "live";
  sms.className = "live " + (cls === "off" ? "off" : "");
}

// showEmpty says why the journal shows no row: none came yet, or the
// filters hide them all.
function showEmpty() {
  const rows = [...$("journal-rows").children];
  const shown = rows.some((tr) => !tr.hidden);
  $("journal-empty").hidden = shown || rows.length > 0;
  $("journal-filtered").hidden = shown || rows.length === 0;
  $("journal-table").hidden = !shown;
}

function note(text, ...extra) {
  const n = $("journal-note");
  n.replaceChildren(text, ...extra);
  n.hidden = !text;
}

function togglePause() {
  paused = !paused;
  const b = $("journal-pause");
  b.setAttribute("aria-pressed", String(paused));
  b.textContent = paused ? "Resume" : "Pause";
  if (!paused) {
    for (const e of held) addRow(e);
    held = [];
    live("live", "");
  } else {
    live("paused", "paused");
  }
}

function addRow(e) {
  const tr = el("tr", { dataset: { testid: "journal-row", path: e.path, site: e.site, status: String(e.status) } },
    timeCell(e.time),
    el("td", {}, e.site),
    el("td", {}, e.method),
    el("td", { class: "mono" }, e.path),
    el("td", {}, e.client_id || ""),
    el("td", { class: "s" + String(e.status)[0] }, e.status ? String(e.status) : "—", reasonCode(e)),
    el("td", {}, String(e.duration_ms)));
  if (e.reason) tr.dataset.reason = e.reason.code;
  entryOf.set(tr, e);
  tr.hidden = !matches(e);
  const rows = $("journal-rows");
  rows.prepend(tr);
  while (rows.children.length > maxRows) rows.lastElementChild.remove();
  showEmpty();
}

// reasonCode is why fakeidp refused, under the status; the message is in
// the detail pane and the row's tooltip.
function reasonCode(e) {
  if (!e.reason) return null;
  return el("span", { class: "reason-code", title: e.reason.message || "", dataset: { testid: "row-reason" } }, e.reason.code);
}

// matches applies the filters: site exactly, path and client as
// substrings, status as a list such as "4xx, 200".
function matches(e) {
  const site = $("f-site").value;
  const path = $("f-path").value.trim();
  const client = $("f-client").value.trim();
  const status = $("f-status").value.trim().toLowerCase();
  if (site && e.site !== site) return false;
  if (path && !e.path.includes(path)) return false;
  if (client && !(e.client_id || "").includes(client)) return false;
  if (status) {
    const s = String(e.status);
    const ok = status.split(/[\s,]+/).filter(Boolean).some((want) => {
      const prefix = want.replace(/x+$/, "");
      return want.endsWith("x") ? s.startsWith(prefix) : s === want;
    });
    if (!ok) return false;
  }
  return true;
}

function refilter() {
  for (const tr of $("journal-rows").children) {
    tr.hidden = !matches(entryOf.get(tr));
  }
  showEmpty();
}

function select(tr) {
  for (const r of $("journal-rows").querySelectorAll("tr.selected")) r.classList.remove("selected");
  tr.classList.add("selected");
  showDetail(entryOf.get(tr));
}
