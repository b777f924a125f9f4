// The dashboard's entry point: wires the panels together. The journal's
// live stream drives the refreshes of what requests change (SMS codes,
// fault counters), so nothing polls but the clock.
import { $, debounce, guarded } from "./api.js";
import { startJournal } from "./journal.js";
import { refreshFaults, setupFaultForm } from "./faults.js";
import {
  refreshClock, refreshKeys, refreshPresets, refreshSandboxes, refreshSMS, refreshStubs, setupClock, setupCopy, setupKeys,
  setupPresets, setupReset, setupSignIn, setupSignOut,
} from "./panels.js";

const refreshErrors = () => guarded("fault rules", () => Promise.all([refreshFaults(), refreshPresets()]));
const refreshAll = () => guarded("refresh", () =>
  Promise.all([refreshSMS(), refreshClock(), refreshKeys(), refreshFaults(), refreshPresets(), refreshStubs(),
    refreshSandboxes()]));

function main() {
  if ($("signin")) {
    setupSignIn();
    return;
  }
  const smsLater = debounce(() => guarded("SMS outbox", refreshSMS), 100);
  const faultsLater = debounce(refreshErrors, 300);
  startJournal((entry) => {
    // null: the journal started over (a reset): everything may differ.
    if (entry === null || entry.site.startsWith("doktornarabote")) smsLater();
    faultsLater();
  });
  setupClock(() => Promise.all([refreshClock(), refreshKeys()]));
  setupKeys();
  setupPresets(refreshErrors);
  setupFaultForm(refreshErrors);
  setupReset(refreshAll);
  setupCopy();
  setupSignOut();
  refreshAll();
  // The virtual clock runs with real time (or stands still when a test
  // froze it): ask it rather than guess.
  setInterval(() => { if (!document.hidden) guarded("clock", refreshClock); }, 1000);
}

main();
