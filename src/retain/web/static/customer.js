// Customer 360: the stage-history chart, drawn from the Vega-Lite spec embedded in the page.
(function () {
  "use strict";
  const source = document.getElementById("stage-history-spec");
  const el = document.getElementById("chart-stage-history");
  if (!source || !el) return;
  const spec = JSON.parse(source.textContent);
  spec.width = Math.max(200, el.clientWidth - 20);
  spec.autosize = { type: "fit", contains: "padding" };
  vegaEmbed("#chart-stage-history", spec, { actions: false, renderer: "svg" })
    .then(function () { el.dataset.state = "drawn"; })
    .catch(function (err) { el.dataset.state = "failed"; el.textContent = String(err); });
})();
