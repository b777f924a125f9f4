// The cabinet page's buttons: each is one call to the cabinet's control
// API, same-origin. State changes go as JSON, which the control API
// requires and which no other web page can send here, and with the CSRF
// header that it requires of calls the dashboard's session cookie
// authorises. After each call the user's lists are read again and drawn
// in place.
const ops = {
  client: (u) => ["POST", u + "/clients", "Client generated"],
  secret: (u, id) => ["POST", u + "/clients/" + encodeURIComponent(id) + "/secret", "Secret of " + id + " regenerated"],
  create: (u) => ["POST", u + "/personal-tokens", "Personal token created"],
  delete: (u, id) => ["DELETE", u + "/personal-tokens/" + encodeURIComponent(id), "Personal token " + id + " deleted"],
};

async function call(method, url) {
  const resp = await fetch(url, {
    method, headers: {"Content-Type": "application/json", "X-Fakeidp-Csrf": "1"},
    body: method === "POST" ? "{}" : undefined,
  });
  if (resp.status === 401) {
    // The session ended (a sign-out, a restart): sign in again.
    location.href = "../ui?next=livedigital/";
    throw new Error("sign in again");
  }
  const body = resp.status === 204 ? null : await resp.json();
  if (!resp.ok) throw new Error((body && body.message) || resp.status + " " + resp.statusText);
  return body;
}

function say(text, bad) {
  const out = document.getElementById("out");
  out.textContent = text;
  out.className = bad ? "bad" : "";
  out.hidden = false;
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "dataset") Object.assign(e.dataset, v);
    else e.setAttribute(k, v);
  }
  e.append(...children);
  return e;
}

const code = (text) => el("code", {}, text);

// draw replaces a section's lists with the cabinet as the server has it now.
function draw(section, cab) {
  const clients = cab.clients.map((c) => el("tr", {dataset: {testid: "client-row", id: c.clientId}},
    el("td", {}, code(c.clientId)), el("td", {}, code(c.clientSecret)),
    el("td", {}, el("button", {class: "small", dataset: {op: "secret", id: c.clientId}}, "Regenerate secret"))));
  const tokens = cab.personalTokens.map((p) => el("tr", {dataset: {testid: "token-row", id: p.id}},
    el("td", {}, code(p.id)), el("td", {class: "when"}, p.createdAt),
    el("td", {}, el("button", {class: "small danger", dataset: {op: "delete", id: p.id}}, "Delete"))));
  section.querySelector('[data-list="clients"]').replaceChildren(...clients);
  section.querySelector('[data-list="tokens"]').replaceChildren(...tokens);
  section.querySelector('[data-empty="clients"]').hidden = clients.length > 0;
  section.querySelector('[data-empty="tokens"]').hidden = tokens.length > 0;
}

// confirmSecret asks before a secret is replaced: the old one stops
// working, and the README's examples use the seed secret.
function confirmSecret(b) {
  const cell = b.parentElement;
  if (cell.querySelector(".confirm")) return;
  cell.append(el("span", {class: "confirm", dataset: {testid: "secret-confirm"}},
    "The old secret stops working (the seed examples too, until a reset).",
    el("button", {class: "small danger", dataset: {op: "secret-yes", id: b.dataset.id}}, "Regenerate"),
    el("button", {class: "small", dataset: {op: "secret-no"}}, "Cancel")));
}

async function copyToken(b) {
  const value = b.parentElement.querySelector("code");
  try {
    await navigator.clipboard.writeText(value.textContent);
    b.textContent = "Copied";
  } catch {
    // The Clipboard API needs a secure context: select for Ctrl+C.
    getSelection().selectAllChildren(value);
    b.textContent = "Selected: press Ctrl+C";
  }
}

document.addEventListener("click", async (ev) => {
  const b = ev.target.closest("button[data-op]");
  if (!b) return;
  const section = b.closest("section");
  let op = b.dataset.op;
  switch (op) {
  case "copy": return copyToken(b);
  case "secret": return confirmSecret(b);
  case "secret-no": return b.parentElement.remove();
  case "secret-yes": op = "secret";
  }
  const user = "users/" + encodeURIComponent(section.dataset.email);
  const [method, url, done] = ops[op](user, b.dataset.id);
  try {
    const body = await call(method, url);
    const box = section.querySelector('[data-testid="new-token"]');
    box.hidden = op !== "create";
    if (op === "create") {
      box.querySelector("code").textContent = body.token;
      box.querySelector("button").textContent = "Copy";
    }
    draw(section, await call("GET", user));
    say(done);
  } catch (err) {
    say(err.message, true);
  }
});
