/* The demand forecast's charts, drawn with Chart.js from the figures the page passes with
 * json_script (the CSP forbids inline script). Each chart shows the history, the forecast
 * and its 80% and 95% bands; the same figures are in the tables under it, so the page
 * reads the same without this file. */
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") {
    return;
  }
  var BLUE = "#1d70b8";
  var ORANGE = "#d4351c";
  var BAND80 = "rgba(29, 112, 184, 0.30)";
  var BAND95 = "rgba(29, 112, 184, 0.12)";

  function line(label, values, colour, dash) {
    return {
      label: label,
      data: values,
      borderColor: colour,
      backgroundColor: colour,
      borderDash: dash,
      borderWidth: 3,
      pointRadius: 2,
      spanGaps: false,
      fill: false,
    };
  }

  // A band is its upper edge filled down to its lower edge (the dataset just before it).
  function edge(label, values, colour, fillTo) {
    return {
      label: label,
      data: values,
      borderColor: "transparent",
      backgroundColor: colour,
      borderWidth: 0,
      pointRadius: 0,
      pointHitRadius: 0,
      fill: fillTo,
    };
  }

  function draw(canvas, figures) {
    var datasets = [
      edge("95% range, lower", figures.low95, BAND95, false),
      edge("95% range", figures.high95, BAND95, "-1"),
      edge("80% range, lower", figures.low80, BAND80, false),
      edge("80% range", figures.high80, BAND80, "-1"),
      line("Actual", figures.history, BLUE, []),
      line("Forecast", figures.mean, ORANGE, [6, 4]),
    ];
    return new window.Chart(canvas, {
      type: "line",
      data: { labels: figures.labels, datasets: datasets },
      options: {
        animation: false,
        responsive: true,
        aspectRatio: 2.6,
        interaction: { mode: "index", intersect: false },
        scales: { y: { beginAtZero: true } },
        plugins: {
          legend: {
            labels: {
              // The lower edges are drawing aids, not series of their own.
              filter: function (item) {
                return item.text.indexOf(", lower") === -1;
              },
            },
          },
          tooltip: {
            filter: function (item) {
              return item.raw !== null && item.dataset.label.indexOf(", lower") === -1;
            },
          },
        },
      },
    });
  }

  document.querySelectorAll("canvas[data-forecast-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.forecastChart);
    if (source === null) {
      return;
    }
    draw(canvas, JSON.parse(source.textContent));
    canvas.dataset.drawn = "true";
  });
})();
