/* Draws every chart of a page: an element with data-chart="<id>" takes its figure from the
   json_script element of that id. No inline script anywhere (Content-Security-Policy). */
(function () {
  "use strict";

  function drawCharts() {
    var elements = document.querySelectorAll("[data-chart]");
    Array.prototype.forEach.call(elements, function (element) {
      var source = document.getElementById(element.getAttribute("data-chart"));
      if (!source || !window.Plotly) {
        return;
      }
      var figure = JSON.parse(source.textContent);
      // A phone has no room for twelve month labels: every other one. Nor for plotly's
      // toolbar, whose 22 px icons are below a finger's 44 px: a tap still shows the values.
      var phone = element.clientWidth < 480;
      var xaxis = figure.layout.xaxis;
      if (xaxis && xaxis.dtick === 1 && phone) {
        xaxis.dtick = 2;
      }
      window.Plotly.newPlot(element, figure.data, figure.layout, {
        displaylogo: false,
        displayModeBar: !phone,
        responsive: true,
        modeBarButtonsToRemove: ["sendDataToCloud", "lasso2d", "select2d"]
      }).then(function () {
        element.setAttribute("data-rendered", "true");
        // The time to the first chart, read by the page-weight test (tests/browser).
        if (window.performance && performance.mark && !performance.getEntriesByName("first-chart").length) {
          performance.mark("first-chart");
        }
      });
    });
  }

  // A select inside <form data-autosubmit> sends its form when changed (the as-of month).
  function autosubmit() {
    var selects = document.querySelectorAll("form[data-autosubmit] select");
    Array.prototype.forEach.call(selects, function (select) {
      select.addEventListener("change", function () {
        select.form.submit();
      });
    });
  }

  // Charts are drawn after the page's first paint: the tables and figures show at once.
  function afterFirstPaint(callback) {
    if (window.requestAnimationFrame) {
      window.requestAnimationFrame(function () {
        window.setTimeout(callback, 0);
      });
    } else {
      window.setTimeout(callback, 0);
    }
  }

  function start() {
    autosubmit();
    afterFirstPaint(drawCharts);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
