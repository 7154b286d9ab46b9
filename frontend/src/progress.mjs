// Progress of background work (exports, bulk enrolment): polls the JSON status and
// moves the bar, then reloads to show the result. Without JavaScript the page offers
// a refresh link instead.
const root = document.querySelector("[data-status-url]");
const bar = root && root.querySelector("progress");
const text = root && root.querySelector("[data-progress-text]");

async function poll() {
  try {
    const response = await fetch(root.dataset.statusUrl, { headers: { Accept: "application/json" } });
    if (response.ok) {
      const state = await response.json();
      bar.value = state.percent;
      bar.textContent = `${state.percent}%`;
      const of = state.total ? `: ${state.processed} of ${state.total} rows` : "";
      text.textContent = `${state.percent}% done${of}.`;
      if (state.status === "done" || state.status === "failed") {
        window.location.reload();
        return;
      }
    }
  } catch (error) {
    // A dropped connection: try again on the next tick.
  }
  window.setTimeout(poll, 1500);
}

if (bar && text) {
  window.setTimeout(poll, 1000);
}
