// The cabinet page's buttons: each is one call to the cabinet's control
// API, same-origin. State changes go as JSON, which the control API
// requires and which no other web page can send here, and with the CSRF
// header that it requires of calls the dashboard's session cookie
// authorises.
const ops = {
  client: (u) => ["POST", u + "/clients"],
  secret: (u, id) => ["POST", u + "/clients/" + encodeURIComponent(id) + "/secret"],
  create: (u) => ["POST", u + "/personal-tokens"],
  delete: (u, id) => ["DELETE", u + "/personal-tokens/" + encodeURIComponent(id)],
};
document.addEventListener("click", async (ev) => {
  const b = ev.target.closest("button[data-op]");
  if (!b) return;
  const email = b.closest("section").dataset.email;
  const [method, url] = ops[b.dataset.op]("users/" + encodeURIComponent(email), b.dataset.id);
  const resp = await fetch(url, {method, headers: {"Content-Type": "application/json", "X-Fakeidp-Csrf": "1"}, body: method === "DELETE" ? undefined : "{}"});
  const text = await resp.text();
  document.getElementById("out").textContent = resp.status + " " + (text || "(no body)") +
    "\n(Reload the page to see the lists updated.)";
});
