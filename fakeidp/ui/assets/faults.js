// The fault rules: the list with delete buttons, and the form that adds
// one, showing each problem the control API reports next to its field.
import { api, el, $, say, guarded } from "./api.js";

export async function refreshFaults() {
  const { rules } = await api("GET", "faults");
  $("fault-rows").replaceChildren(...rules.map(ruleRow));
  $("faults-empty").hidden = rules.length > 0;
}

function ruleRow(r) {
  const match = Object.entries(r.match || {}).map(([k, v]) => k + "=" + v).join(" ") || "every site request";
  const e = r.effect;
  const effect = [e.type, e.status, e.error, e.delay, e.content_type].filter(Boolean).join(" ");
  const how = [r.times ? "×" + r.times : "", r.after ? "after " + r.after : ""].filter(Boolean).join(", ");
  return el("tr", { dataset: { testid: "fault-row", id: r.id } },
    el("td", { class: "mono" }, r.id),
    el("td", { class: "mono" }, match),
    el("td", {}, effect, how ? el("div", { class: "note" }, how) : null),
    el("td", {}, r.seen + " / " + r.fired),
    el("td", {}, el("button", { type: "button", dataset: { testid: "fault-delete" }, onclick: () => remove(r.id) }, "Delete")));
}

let afterChange = async () => {};

async function remove(id) {
  await guarded("delete " + id, async () => {
    await api("DELETE", "faults/" + encodeURIComponent(id));
    await afterChange();
    say("Rule " + id + " deleted");
  });
}

export function setupFaultForm(after) {
  afterChange = after;
  const form = $("fault-form");
  const type = form.elements["effect.type"];
  const showFields = () => {
    for (const label of form.querySelectorAll("label[data-types]")) {
      label.hidden = !label.dataset.types.split(" ").includes(type.value);
    }
  };
  type.addEventListener("change", showFields);
  showFields();
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const { rule, problems } = ruleOf(form);
    if (problems.length > 0) {
      showProblems(form, problems);
      return;
    }
    try {
      const added = await api("POST", "faults", rule);
      await after();
      say("Rule " + added.id + " added");
    } catch (err) {
      showProblems(form, (err.body && err.body.problems) || [err.message]);
    }
  });
}

// ruleOf reads the form into a rule: names such as "effect.delay" are its
// JSON paths, empty and hidden fields are left out, whole numbers go as
// numbers (anything else as text, for the server to name the problem).
function ruleOf(form) {
  const rule = { match: {}, effect: {} };
  const problems = [];
  for (const input of form.querySelectorAll("[name]")) {
    const v = input.value.trim();
    if (!v || input.closest("label").hidden) continue;
    const [group, field] = input.name.includes(".") ? input.name.split(".") : [null, input.name];
    let value = /^-?\d+$/.test(v) && ["status", "times", "after"].includes(field) ? Number(v) : v;
    if (input.name === "effect.headers") {
      value = {};
      for (const line of v.split("\n").filter((l) => l.trim())) {
        const i = line.indexOf(":");
        if (i <= 0) problems.push("effect.headers: write one header a line, as Name: value");
        else value[line.slice(0, i).trim()] = line.slice(i + 1).trim();
      }
    } else if (input.name === "effect.fields") {
      try { value = JSON.parse(v); } catch { problems.push("effect.fields: want a JSON object, such as {\"key\": \"value\"}"); }
    }
    if (group) rule[group][field] = value;
    else rule[field] = value;
  }
  return { rule, problems };
}

function clearErrors(form) {
  for (const e of form.querySelectorAll(".error")) e.textContent = "";
  for (const e of form.querySelectorAll(".invalid")) e.classList.remove("invalid");
  for (const e of form.querySelectorAll("[data-error-for]:not([data-error-for=''])")) e.remove();
}

// showProblems puts each "field: message" next to its field; the rest go
// above the button.
function showProblems(form, problems) {
  const general = form.querySelector("[data-error-for='']");
  const rest = [];
  for (const p of problems) {
    const m = /^([a-z_.]+): (.*)$/s.exec(p);
    const input = m && form.elements[m[1]];
    if (!input || input.closest("label").hidden) {
      rest.push(p);
      continue;
    }
    input.classList.add("invalid");
    input.closest("label").append(el("span", { class: "error", dataset: { errorFor: m[1], testid: "field-error" } }, m[2]));
  }
  general.textContent = rest.join("; ");
}
