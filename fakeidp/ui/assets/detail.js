// The journal's detail pane: one request as the journal holds it, and the
// answer fakeidp gave, with why: the reason, the fault rule that made it
// and, when no stub answered, the stubs that nearly did. Everything here
// is text from a client or a stub, so it goes in as text (el, textContent),
// never as HTML.
import { el, $, say } from "./api.js";

// showDetail fills the pane with entry e and shows it.
export function showDetail(e) {
  $("detail-title").textContent = e.method + " " + e.site + " " + e.path;
  const request = { time: e.time, site: e.site, method: e.method, path: e.path, client_id: e.client_id,
    query: e.query, fields: e.fields, headers: e.headers };
  $("detail-request").textContent = JSON.stringify(request, null, 2);
  $("detail-response").replaceChildren(...explanation(e), ...answer(e));
  $("journal-detail").hidden = false;
}

export function hideDetail() {
  $("journal-detail").hidden = true;
}

// explanation is why fakeidp answered so: the reason, the fault rule, the
// near-misses. A success has none of them.
function explanation(e) {
  const out = [];
  if (e.reason) {
    out.push(el("p", { class: "reason" },
      el("code", { dataset: { testid: "reason" } }, e.reason.code),
      " ",
      el("span", { dataset: { testid: "reason-message" } }, e.reason.message || "")));
  }
  if (e.fault) out.push(faultLine(e.fault));
  if (e.near_misses && e.near_misses.length > 0) out.push(nearMisses(e.near_misses));
  return out;
}

// faultLine names the rule that made the answer and links to it in the
// Error cases panel.
function faultLine(f) {
  const link = el("a", {
    href: "#errors", dataset: { testid: "fault-link", rule: f.id },
    onclick: (ev) => { ev.preventDefault(); showRule(f.id, f.preset); },
  }, "fault rule " + f.id);
  const from = f.preset ? [" of preset ", el("code", {}, f.preset)] : [];
  return el("p", { class: "fault", dataset: { testid: "fault" } }, "Made by ", link, ...from, ".");
}

// showRule scrolls the Error cases panel to rule id (and its preset's
// switch) and marks it. The rule may be gone since: deleted, used up by
// its times, or taken back with its preset.
function showRule(id, preset) {
  const box = preset ? document.querySelector(`[data-preset="${CSS.escape(preset)}"]`) : null;
  const found = pointTo("fault-rows", id, $("errors"), box && box.closest("li"));
  if (!found) say("Fault rule " + id + " is no longer in the list: deleted, used up, or taken back with its preset");
}

// showStub scrolls the API stubs panel to stub id and marks it.
function showStub(id) {
  if (!pointTo("stub-rows", id, $("stubs"))) say("Stub " + id + " is no longer in the list");
}

// pointTo brings the row of table body tbody whose data-id is id into view
// (or, without one, fallback) and marks it and the extra node; it reports
// whether the row was there. Ids are compared, never put in a selector.
function pointTo(tbody, id, fallback, extra) {
  const rows = $(tbody);
  const row = rows ? [...rows.children].find((tr) => tr.dataset.id === id) : undefined;
  const target = row || extra || fallback;
  if (target) target.scrollIntoView({ block: "center" });
  for (const node of [row, extra]) {
    if (!node) continue;
    node.classList.remove("flash");
    void node.offsetWidth; // restart the animation on a second click
    node.classList.add("flash");
  }
  return row !== undefined;
}

// nearMisses lists the stubs of the site that came closest, closest first,
// with what differed.
function nearMisses(list) {
  return el("div", { class: "near-misses" },
    el("h4", {}, "No stub answered. Closest:"),
    el("ul", {}, ...list.map((m) => el("li", { dataset: { testid: "near-miss", id: m.id } },
      stubLink(m.id), " ", el("span", { class: "mono" }, (m.method || "GET") + " " + m.path),
      " differs in ", el("strong", {}, (m.differs || []).join(", ") || "nothing recorded")))));
}

// stubLink names a stub, linked to it in the API stubs panel when the
// page has one.
function stubLink(id) {
  const name = el("code", {}, id);
  if (!$("stub-rows")) return name;
  return el("a", {
    href: "#stubs", dataset: { testid: "stub-link", stub: id },
    onclick: (ev) => { ev.preventDefault(); showStub(id); },
  }, name);
}

// answer is what the client got: status, body, headers. An entry without
// a response is a connection closed or reset without one (a fault).
function answer(e) {
  const r = e.response;
  const code = (r && r.status) || e.status;
  const status = [code ? String(code) : "no response", e.duration_ms + " ms"];
  const out = [el("p", { class: "mono", dataset: { testid: "response-status" } }, status.join(" · "))];
  if (e.note) out.push(el("p", { class: "note" }, e.note));
  if (!r) return out;
  out.push(el("h4", {}, "Body"), el("pre", { dataset: { testid: "response-body" } }, r.body || ""));
  if (!r.body) out.push(el("p", { class: "note" }, "The body is empty."));
  if (r.truncated) out.push(el("p", { class: "note" }, "The body is cut here: the journal keeps its first 8 KiB."));
  const headers = Object.entries(r.headers || {}).sort(([a], [b]) => a.localeCompare(b));
  if (headers.length > 0) {
    out.push(el("h4", {}, "Headers"),
      el("pre", { dataset: { testid: "response-headers" } }, headers.map(([k, v]) => k + ": " + v).join("\n")));
  }
  return out;
}
