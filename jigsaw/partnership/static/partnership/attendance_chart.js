/* The governance page's bar chart of each agency's attendance rate, drawn with Chart.js
 * from the figures passed with json_script (the CSP forbids inline script). The same
 * figures are in the table under the chart, so the page reads the same without it. */
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") {
    return;
  }
  var canvases = document.querySelectorAll("canvas[data-chart]");
  for (var i = 0; i < canvases.length; i += 1) {
    var canvas = canvases[i];
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) {
      continue;
    }
    var figures = JSON.parse(source.textContent);
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: figures.labels,
        datasets: [{ label: "Attendance rate (%)", data: figures.values, backgroundColor: "#1d70b8" }],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: "y",
        scales: { x: { beginAtZero: true, max: 100 } },
        plugins: { legend: { display: false } },
      },
    });
  }
})();
