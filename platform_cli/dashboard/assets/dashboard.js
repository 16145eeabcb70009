// Draw every chart of the page: each .vega element names the inline JSON holding its Vega-Lite spec.
// vega-lite compiles the spec to Vega, vega draws it as SVG. No network: data and specs are inline.
(function () {
  "use strict";
  function draw(el) {
    var spec = JSON.parse(document.getElementById(el.getAttribute("data-spec")).textContent);
    var compiled = vegaLite.compile(spec).spec;
    var view = new vega.View(vega.parse(compiled), { renderer: "svg", container: el, hover: true });
    return view.runAsync().then(function () { el.setAttribute("data-drawn", "true"); });
  }
  function drawAll() {
    var charts = Array.prototype.slice.call(document.querySelectorAll(".vega[data-spec]"));
    Promise.all(charts.map(draw)).then(function () {
      document.documentElement.setAttribute("data-charts", "drawn");
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
