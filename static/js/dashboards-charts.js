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
        layout.height = 280 + (layout.showlegend === false ? 0 : 22 * fig.data.length);
        layout.margin = {l: 48, r: 8, t: 56, b: 24};
        // the years on the axis speak for themselves; the title would collide with the legend
        if (layout.xaxis && layout.meta && layout.meta.x_code === "year") { layout.xaxis.title = {text: ""}; }
        if (layout.legend) { layout.legend.y = -0.15; }
        var first = fig.data[0] || {};
        if (first.type === "bar" && first.x && first.x.length > 3) {
          // many regions on a phone: horizontal bars keep their names readable
          fig.data.forEach(function (t) {
            var x = t.x; t.x = t.y; t.y = x; t.orientation = "h"; t.texttemplate = "%{x:.1f}%";
          });
          var xaxis = layout.xaxis || {};
          layout.xaxis = Object.assign({}, layout.yaxis || {}, {title: {text: ""}});
          layout.yaxis = Object.assign({}, xaxis, {tickangle: 0, autorange: "reversed", automargin: true});
          layout.height = 140 + 40 * first.y.length;
          layout.legend = {orientation: "h", x: 0, y: 1.02, yanchor: "bottom"};
          layout.margin = {l: 8, r: 40, t: 40, b: 24};
        }
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
