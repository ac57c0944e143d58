// The background export's page: ask the server how far the workbook is, every second, until it
// is done (show the download link) or failed (show why). Without JavaScript the page shows
// the state it was served with and a refresh link.
(function () {
  "use strict";

  function show(element, visible) {
    if (element) element.hidden = !visible;
  }

  function render(state) {
    var bar = document.getElementById("job-progress");
    bar.value = state.percent;
    bar.textContent = state.percent + "%";
    document.getElementById("job-percent").textContent = state.percent + "%";
    document.getElementById("job-status").textContent = state.status_display;
    document.getElementById("rows-done").textContent = state.rows_done;
    document.getElementById("rows-total").textContent = state.rows_total;
    var link = document.getElementById("job-download");
    if (state.download_url) {
      link.href = state.download_url;
      show(link, true);
    }
    var error = document.getElementById("job-error");
    if (state.error) {
      error.querySelector("p").textContent = state.error;
      show(error, true);
    }
    show(document.getElementById("job-expired"), state.expired);
    show(document.getElementById("job-hint"), !state.download_url && !state.error);
  }

  function poll(section) {
    var url = section.getAttribute("data-status-url");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (state) {
        render(state);
        if (state.status === "queued" || state.status === "running") {
          window.setTimeout(function () { poll(section); }, 1000);
        } else if (state.status === "failed") {
          window.location.reload(); // the page offers to generate it again
        }
      })
      .catch(function () {
        window.setTimeout(function () { poll(section); }, 3000);
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var section = document.getElementById("export-job");
    if (!section) return;
    var initial = section.getAttribute("data-initial");
    if (initial === "queued" || initial === "running") poll(section);
  });
})();
