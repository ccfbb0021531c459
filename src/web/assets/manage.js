// The appointment page behind a manage link: cancel, or move to another free slot.
// Served as a file so that the pages' Content-Security-Policy can forbid inline script.
(() => {
  const actions = document.getElementById("actions");
  if (!actions) return;
  const base = "/api/v1/appointments/by-token/" + location.pathname.split("/").pop();
  const show = (text) => { document.getElementById("msg").textContent = text; };
  async function send(path, body) {
    const answer = await fetch(base + path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body || {}),
    });
    if (answer.ok) { location.reload(); } else { show((await answer.json()).error.message); }
  }
  document.getElementById("cancel").addEventListener("click", () => send("/cancel"));
  document.getElementById("move").addEventListener("click", () => {
    const slot = document.getElementById("slot").value;
    if (slot) send("/reschedule", { slot_start: slot });
  });
  fetch("/api/v1/offices/" + encodeURIComponent(actions.dataset.office) + "/slots")
    .then((r) => r.json())
    .then((found) => {
      for (const slot of found.slots || []) {
        if (slot.remaining > 0) {
          const option = document.createElement("option");
          option.value = slot.start_local;
          option.textContent = slot.start_local.replace("T", " ").slice(0, 16) + " (" + slot.remaining + ")";
          document.getElementById("slot").append(option);
        }
      }
    });
})();
