// Live progress for every job on the page ([data-job]): polls the job's JSON
// (GET /api/jobs/<id>/) until it has finished, and updates its progress bar, state,
// "started again" note, summary, error, download link and Cancel button. Says when a job
// ends through the page's polite live region ([data-job-announcer]).

const POLL_MS = 1000;
const FINISHED = new Set(["done", "failed", "cancelled"]);

export function progressText(job) {
  if (job.state === "queued") return "Waiting for a worker";
  if (job.state === "done") return "Done";
  if (job.state === "cancelled") return "Cancelled";
  if (job.state === "failed") return "Failed";
  const label = job.progress_label || "Working";
  if (job.total !== null) return `${label}: ${job.done} of ${job.total}`;
  return job.done ? `${label}: ${job.done}` : label;
}

function formatSize(bytes) {
  if (bytes === null || bytes === undefined) return "";
  const units = ["bytes", "KB", "MB", "GB"];
  let size = bytes;
  let unit = 0;
  while (size >= 1024 && unit < units.length - 1) {
    size /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${size} bytes` : `${size.toFixed(1)} ${units[unit]}`;
}

function part(element, name) {
  return element.querySelector(`[data-job-${name}]`);
}

function show(element, visible) {
  if (element) element.hidden = !visible;
}

export function render(element, job) {
  element.dataset.jobState = job.state;
  const state = part(element, "state-label");
  state.textContent =
    job.state_label + (job.cancel_requested && !job.finished ? " (stopping)" : "");
  state.className = `job-state job-state-${job.state}`;
  const bar = part(element, "progress");
  if (job.percent === null) {
    bar.removeAttribute("value");
    bar.removeAttribute("max");
  } else {
    bar.max = 100;
    bar.value = job.percent;
  }
  bar.textContent = job.percent === null ? "" : `${job.percent}%`;
  part(element, "progress-text").textContent = progressText(job);
  const attempt = part(element, "attempt");
  if (attempt) {
    attempt.textContent = job.attempt_note;
    show(attempt, Boolean(job.attempt_note));
  }
  const summary = part(element, "summary");
  summary.textContent = job.summary;
  show(summary, Boolean(job.summary));
  const error = part(element, "error");
  error.textContent = job.error;
  show(error, Boolean(job.error));
  const download = part(element, "download");
  if (job.download_url) {
    const link = part(element, "download-link");
    link.href = job.download_url;
    link.textContent = `Download ${job.filename}`;
    part(element, "size").textContent = formatSize(job.size);
  }
  show(download, Boolean(job.download_url));
  show(part(element, "cancel"), job.can_cancel && !job.cancel_requested);
}

function announce(job) {
  const region = document.querySelector("[data-job-announcer]");
  if (!region) return;
  const outcome = { done: "is done", failed: "failed", cancelled: "was cancelled" }[job.state];
  region.textContent = `${job.label} ${outcome}.`;
}

async function follow(element) {
  const url = element.dataset.jobApi;
  while (!FINISHED.has(element.dataset.jobState)) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    let job;
    try {
      const response = await fetch(url, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) continue;
      job = await response.json();
    } catch {
      continue; // offline for a moment: try again at the next tick
    }
    render(element, job);
    if (job.finished) announce(job);
  }
}

for (const element of document.querySelectorAll("[data-job]")) {
  follow(element);
}
