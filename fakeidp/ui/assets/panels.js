// The small panels: SMS outbox, clock, keys, presets, reset, copy buttons
// and signing out.
import { api, el, $, say, guarded } from "./api.js";

export async function refreshSMS() {
  const list = await api("GET", "sms");
  const rows = list.map((m) => el("tr", { dataset: { testid: "sms-row", phone: m.phone } },
    el("td", { title: m.sent_at }, m.sent_at.replace("T", " ").slice(0, 19)),
    el("td", { class: "mono" }, m.phone),
    el("td", { class: "mono", dataset: { testid: "sms-code" } }, m.code),
    el("td", {}, m.text)));
  $("sms-rows").replaceChildren(...rows);
  $("sms-empty").hidden = rows.length > 0;
}

export async function refreshClock() {
  const c = await api("GET", "clock");
  $("clock-now").textContent = c.now.replace("T", " ").replace(/\.\d+/, "").replace("Z", " UTC");
  $("clock-offset").textContent = c.offset === "0s" ? "(real time)" : "(offset " + c.offset + ")";
  document.dispatchEvent(new CustomEvent("fakeidp:clock", { detail: { offsetMs: Date.parse(c.now) - Date.now() } }));
}

export async function refreshKeys() {
  const k = await api("GET", "keys");
  $("key-list").replaceChildren(...k.published.map((kid) =>
    el("li", {}, el("code", { dataset: { testid: "key-id" } }, kid), kid === k.signing ? " signing" : " published")));
}

// refreshStubs lists the API stubs, when the server has the panel.
export async function refreshStubs() {
  if (!$("stub-rows")) return;
  const { stubs } = await api("GET", "stubs");
  $("stub-rows").replaceChildren(...stubs.map((st) => el("tr", { dataset: { testid: "stub-row", id: st.id } },
    el("td", { class: "mono" }, st.id),
    el("td", {}, st.site),
    el("td", { class: "mono" }, (st.method || "GET") + " " + st.path),
    el("td", {}, [st.require?.token, st.require?.scope].filter(Boolean).join(", ") || "any token"),
    el("td", {}, String(st.response?.status || 200)),
    el("td", {}, el("button", {
      type: "button", dataset: { testid: "stub-delete" },
      onclick: () => guarded("delete stub " + st.id, async () => {
        await api("DELETE", "stubs/" + encodeURIComponent(st.id));
        await refreshStubs();
        say("Stub " + st.id + " deleted");
      }),
    }, "Delete")))));
  $("stubs-empty").hidden = stubs.length > 0;
}

// refreshSandboxes lists the sandboxes, each opened in this same page
// scoped to it. A sandbox's page has no such panel: the server leaves it
// out and says whose page it is.
export async function refreshSandboxes() {
  if (!$("sandboxes")) return;
  const { sandboxes: list } = await api("GET", "sandboxes");
  $("sandbox-rows").replaceChildren(...list.map((sb) => el("tr", { dataset: { testid: "sandbox-row", id: sb.id } },
    el("td", { class: "mono" }, sb.id),
    el("td", { title: sb.expires_at }, sb.expires_at.replace("T", " ").slice(0, 19)),
    el("td", {}, el("a", { href: sb.control + "/ui", dataset: { testid: "sandbox-open" } }, "Open"), " ",
      el("button", {
        type: "button", dataset: { testid: "sandbox-delete" },
        onclick: () => guarded("delete sandbox " + sb.id, async () => {
          await api("DELETE", "sandboxes/" + encodeURIComponent(sb.id));
          await refreshSandboxes();
          say("Sandbox " + sb.id + " deleted");
        }),
      }, "Delete")))));
  $("sandboxes-empty").hidden = list.length > 0;
}

export async function refreshPresets() {
  const list = await api("GET", "presets");
  for (const p of list) {
    const box = document.querySelector(`input[data-preset="${CSS.escape(p.name)}"]`);
    if (box) box.checked = p.enabled;
  }
}

export function setupClock(after) {
  const move = (body, what) => guarded(what, async () => {
    await api("POST", "clock", body);
    await after();
    say("Clock: " + what);
  });
  for (const b of document.querySelectorAll("[data-advance]")) {
    b.addEventListener("click", () => move({ advance: b.dataset.advance }, "+" + b.dataset.advance));
  }
  $("clock-reset").addEventListener("click", () => move({ reset: true }, "back to real time"));
  $("clock-set").addEventListener("submit", (ev) => {
    ev.preventDefault();
    let v = ev.target.elements.set.value;
    if (v.length === 16) v += ":00"; // browsers leave out zero seconds
    move({ set: v + "Z" }, "set to " + v);
  });
}

export function setupKeys() {
  $("keys-rotate").addEventListener("click", () => guarded("rotate", async () => {
    await api("POST", "keys/rotate", { keep_old: !$("keys-drop").checked });
    await refreshKeys();
    say("Keys rotated");
  }));
}

export function setupPresets(after) {
  for (const box of document.querySelectorAll("input[data-preset]")) {
    box.addEventListener("change", () => guarded(box.dataset.preset, async () => {
      try {
        await api(box.checked ? "POST" : "DELETE", "presets/" + encodeURIComponent(box.dataset.preset));
        say(box.dataset.preset + (box.checked ? " enabled" : " disabled"));
      } finally {
        await after();
      }
    }));
  }
  for (const b of document.querySelectorAll("button[data-preset]")) {
    b.addEventListener("click", () => guarded(b.dataset.preset, async () => {
      await api("POST", "presets/" + encodeURIComponent(b.dataset.preset));
      await after();
      say(b.dataset.preset + " applied");
    }));
  }
}

export function setupReset(after) {
  const confirm = $("reset-confirm");
  $("reset").addEventListener("click", () => { confirm.hidden = false; });
  $("reset-no").addEventListener("click", () => { confirm.hidden = true; });
  $("reset-yes").addEventListener("click", () => guarded("reset", async () => {
    confirm.hidden = true;
    await api("POST", "reset");
    await after();
    say("Reset: back to the state at start");
  }));
}

// setupCopy: the Clipboard API needs a secure context, which 127.0.0.1 and
// localhost are; elsewhere the text is selected for the user to copy.
export function setupCopy() {
  document.addEventListener("click", async (ev) => {
    const b = ev.target.closest("button.copy");
    if (!b) return;
    try {
      await navigator.clipboard.writeText(b.dataset.copy);
      b.textContent = "Copied";
      b.classList.add("done");
      setTimeout(() => { b.textContent = "Copy"; b.classList.remove("done"); }, 1500);
    } catch {
      const code = b.previousElementSibling;
      getSelection().selectAllChildren(code);
      say("Selected: press Ctrl+C to copy");
    }
  });
}

export function setupSignOut() {
  const b = $("signout");
  if (!b) return;
  b.addEventListener("click", () => guarded("sign out", async () => {
    await api("DELETE", "ui/session");
    location.reload();
  }));
}

// setupSignIn: the form sends the token once; the answer sets the cookie
// that the control API then accepts in its place.
export function setupSignIn() {
  $("signin").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      await api("POST", "ui/session", { token: ev.target.elements.token.value });
      // The cabinet sends a person here to sign in, and is where they
      // go back to; no other page is named, so this is no open redirect.
      if (new URLSearchParams(location.search).get("next") === "livedigital/") location.href = "livedigital/";
      else location.reload();
    } catch (err) {
      $("signin-error").textContent = err.message;
    }
  });
}
