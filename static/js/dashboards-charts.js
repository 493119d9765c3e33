/* Region dashboard: draw every chart from its json_script figure with the vendored Plotly.
   Without JavaScript the data tables (<details>) and downloads still work. */
(function () {
  "use strict";
  function draw() {
    if (typeof Plotly === "undefined") { return; }
    var narrow = window.matchMedia("(max-width: 640px)").matches;
    document.querySelectorAll(".chart[data-figure]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-figure"));
      if (!source) { return; }
      var fig = JSON.parse(source.textContent);
      var layout = fig.layout || {};
      layout.autosize = true;
      // the card's heading names the chart; the figure's own title serves PDFs and exports
      if (layout.title && !layout.annotations) { layout.title = {text: ""}; layout.margin = Object.assign({}, layout.margin, {t: 24}); }
      else if (layout.title) { layout.title = {text: ""}; }
      delete layout.width;
      if (narrow) {
        layout.height = Math.min(layout.height || 400, 360);
        layout.margin = {l: 48, r: 8, t: 56, b: 24};
        if (layout.title && layout.title.font) { layout.title.font.size = 13; }
      }
      Plotly.newPlot(el, fig.data, layout, {
        responsive: true,
        displaylogo: false,
        modeBarButtonsToRemove: ["select2d", "lasso2d"],
        locale: document.documentElement.lang || "en"
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
