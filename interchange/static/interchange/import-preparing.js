// The preview of a large import, prepared by a job: jobs/jobs.js shows the job's progress
// and sets its data-job-state; once the job is done, the preview page is loaded.
const preparing = document.querySelector("[data-import-preparing]");
const job = preparing?.querySelector("[data-job]");

if (job) {
  const observer = new MutationObserver(() => {
    if (job.dataset.jobState !== "done") return;
    observer.disconnect();
    window.location.replace(preparing.dataset.previewUrl);
  });
  observer.observe(job, { attributes: true, attributeFilter: ["data-job-state"] });
}
