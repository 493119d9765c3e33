/* Draw every element with data-plotly-json="<id of a json_script>" with the vendored Plotly.
   No inline scripts (Content-Security-Policy): pages only embed the figure's JSON. Redrawn after
   htmx swaps (htmx settles class attributes of same-id elements, stripping Plotly's classes). */
(function () {
  "use strict";
  function draw() {
    if (typeof Plotly === "undefined") { return; }
    document.querySelectorAll("[data-plotly-json]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-plotly-json"));
      if (!source) { return; }
      var fig = JSON.parse(source.textContent);
      Plotly.newPlot(el, fig.data, fig.layout, {responsive: true, displaylogo: false});
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
  document.addEventListener("htmx:afterSettle", draw);
})();
