// kneedrive coach's workspace: the progress of a queued analysis (polls /api/sessions/ID; the state is in
// the store, so a reload finds it again) and picking two sessions to compare. No library, no network but
// this server.
"use strict";
(function () {
  const box = document.getElementById("progress");
  if (box) {
    const id = box.dataset.session;
    const bar = document.getElementById("bar");
    const text = document.getElementById("progress-text");
    const status = document.getElementById("status");
    const poll = async () => {
      let s;
      try {
        const r = await fetch("/api/sessions/" + id, { credentials: "same-origin" });
        s = await r.json();
        if (!r.ok) { text.textContent = s.error || r.statusText; return; }
      } catch (e) { setTimeout(poll, 2000); return; }
      status.textContent = s.status;
      status.className = "status " + s.status;
      if (s.status === "done" || s.status === "failed") { location.reload(); return; }
      const p = s.progress;
      if (s.status === "queued") {
        text.textContent = "number " + s.queue_position + " in the queue";
        bar.removeAttribute("value");
      } else if (p.total > 0) {
        bar.max = p.total; bar.value = p.done;
        let line = p.phase + ": " + p.done + " / " + p.total + " frames";
        if (p.frames_per_s) line += " · " + p.frames_per_s.toFixed(1) + " frames/s";
        if (p.eta_s !== null) line += " · about " + Math.ceil(p.eta_s) + " s left";
        text.textContent = line;
      } else { text.textContent = p.phase || "working"; bar.removeAttribute("value"); }
      setTimeout(poll, 1000);
    };
    poll();
  }
  const form = document.getElementById("compare-form");
  if (form) {
    form.addEventListener("submit", (ev) => {
      const picked = [...form.querySelectorAll("input.pick:checked")].map((c) => c.value);
      if (picked.length !== 2) { ev.preventDefault(); alert("Tick two sessions to compare."); return; }
      form.elements.a.value = picked[1]; // older first (the table lists newest first)
      form.elements.b.value = picked[0];
    });
  }
})();
