// The revision history page following its re-anchoring job (jobs/jobs.js updates the job's
// parts): once the job is done, the next steps ([data-job-next]) are shown.

const section = document.querySelector("[data-revision-job]");
const job = section?.querySelector("[data-job]");
const next = section?.querySelector("[data-job-next]");

function update() {
  if (next) next.hidden = job.dataset.jobState !== "done";
}

if (job) {
  new MutationObserver(update).observe(job, { attributes: true, attributeFilter: ["data-job-state"] });
  update();
}
