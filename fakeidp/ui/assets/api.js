// The page's one way to the control API, and the small DOM helpers the
// panels share.

// The control API is the page's own directory: URLs relative to the page
// keep it working wherever the API is mounted (a sandbox's too).
export const base = new URL(".", location.href);

export class APIError extends Error {
  constructor(status, body, text) {
    super((body && body.error) || text || "HTTP " + status);
    this.status = status;
    this.body = body;
  }
}

// api calls the control API. Every call carries the CSRF header, which no
// other web page can send here (it would need a CORS preflight that this
// server never grants), and state changes go as JSON, which the control
// API requires for the same reason.
export async function api(method, path, body) {
  const init = { method, headers: { "X-Fakeidp-CSRF": "1" }, credentials: "same-origin", cache: "no-store" };
  if (method !== "GET" && method !== "HEAD") {
    init.headers["Content-Type"] = "application/json";
    if (method !== "DELETE") init.body = JSON.stringify(body ?? {});
  }
  const resp = await fetch(new URL(path, base), init);
  const text = await resp.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (resp.status === 401) {
    // The control token changed or the cookie went: the page asks again.
    location.reload();
  }
  if (!resp.ok) throw new APIError(resp.status, data, text);
  return data;
}

// el builds an element. Text always goes in as text, never as HTML: the
// journal shows what any client sent.
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "dataset") Object.assign(node.dataset, v);
    else if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) {
    if (c !== null && c !== undefined) node.append(c);
  }
  return node;
}

export const $ = (id) => document.getElementById(id);

let statusTimer;
// say shows a short message under the header; errors stay until the next.
export function say(msg, bad = false) {
  const s = $("status");
  s.textContent = msg;
  s.classList.toggle("bad", bad);
  s.hidden = false;
  clearTimeout(statusTimer);
  if (!bad) statusTimer = setTimeout(() => { s.hidden = true; }, 3000);
}

// guarded runs an action and reports its failure instead of throwing.
export async function guarded(what, fn) {
  try {
    return await fn();
  } catch (err) {
    say(what + ": " + err.message, true);
    return undefined;
  }
}

// debounce runs fn at most once per wait, after the last call.
export function debounce(fn, wait) {
  let t;
  return () => { clearTimeout(t); t = setTimeout(fn, wait); };
}
