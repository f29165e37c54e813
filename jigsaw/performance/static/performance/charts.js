/* The dashboards' charts, drawn with Chart.js from the figures each tile passes with
 * json_script (the page carries no inline script: the CSP forbids it). Each figure is also
 * in the table under its chart, so the page reads the same without this file. */
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") {
    return;
  }
  var BLUE = "#1d70b8";
  var GREEN = "#00703c";
  var GREY = "#505a5f";
  var SUFFIX = { percent: "%", per_10000: " per 10,000" };

  function data(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    return source ? JSON.parse(source.textContent) : null;
  }

  function level(label, value, count, colour, dash) {
    // A target or comparator: the same value across every month, drawn as a flat line.
    var values = [];
    for (var i = 0; i < count; i += 1) {
      values.push(value);
    }
    return {
      label: label,
      data: values,
      borderColor: colour,
      borderDash: dash,
      borderWidth: 2,
      pointRadius: 0,
      pointHitRadius: 0,
      fill: false,
    };
  }

  function options(figures, onClick) {
    var suffix = SUFFIX[figures.unit] || "";
    return {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      onClick: onClick,
      scales: { y: { beginAtZero: true } },
      plugins: {
        legend: { labels: { boxHeight: 2 } },
        tooltip: {
          callbacks: {
            label: function (item) {
              return item.dataset.label + ": " + item.formattedValue + suffix;
            },
          },
        },
      },
    };
  }

  function trend(canvas, figures) {
    var datasets = [
      {
        label: figures.name,
        data: figures.values,
        borderColor: BLUE,
        backgroundColor: BLUE,
        borderWidth: 3,
        pointRadius: 4,
        pointHoverRadius: 6,
        spanGaps: false,
      },
    ];
    if (figures.target !== null) {
      datasets.push(level("Target", figures.target, figures.labels.length, GREEN, [6, 4]));
    }
    if (figures.comparator !== null) {
      datasets.push(level(figures.comparatorLabel, figures.comparator, figures.labels.length, GREY, [2, 3]));
    }
    // Selecting a month opens the records behind that month's figure.
    var onClick = function (event, elements) {
      if (!elements.length || elements[0].datasetIndex !== 0) {
        return;
      }
      var period = figures.periods[elements[0].index];
      var filters = canvas.dataset.filters ? "&" + canvas.dataset.filters : "";
      window.location.href = canvas.dataset.link + "?period=" + encodeURIComponent(period) + filters;
    };
    return new window.Chart(canvas, {
      type: "line",
      data: { labels: figures.labels, datasets: datasets },
      options: options(figures, onClick),
    });
  }

  function bars(canvas, figures) {
    var settings = options(figures, undefined);
    // One series of bars: the heading above names it, a legend would only repeat it.
    settings.plugins.legend = { display: false };
    return new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: figures.bars.labels,
        datasets: [{ label: figures.name, data: figures.bars.values, backgroundColor: BLUE }],
      },
      options: settings,
    });
  }

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var figures = data(canvas);
    if (figures === null) {
      return;
    }
    if (canvas.dataset.kind === "bars") {
      bars(canvas, figures);
    } else {
      trend(canvas, figures);
    }
    canvas.dataset.drawn = "true";
  });
})();
