// Dashboard charts: Vega-Lite specs drawn from /api/v1/dashboard (no CDN, no build step).
(function () {
  "use strict";
  const STAGES = ["prospect", "new", "active", "loyal", "lapsed", "inactive"];
  const opts = { actions: false, renderer: "svg" };

  function unavailable(id, reason) {
    const el = document.getElementById(id);
    el.innerHTML = "";
    const p = document.createElement("p");
    p.className = "unavailable";
    p.textContent = reason || "not available yet";
    el.appendChild(p);
    el.dataset.state = "unavailable";
  }

  function draw(id, spec) {
    spec.$schema = "https://vega.github.io/schema/vega-lite/v5.json";
    const el = document.getElementById(id);
    spec.width = Math.max(200, el.clientWidth - 20);
    spec.autosize = { type: "fit", contains: "padding" };
    return vegaEmbed("#" + id, spec, opts).then(function () {
      document.getElementById(id).dataset.state = "drawn";
    });
  }

  function kpi(id, figure, text) {
    const el = document.querySelector("#" + id + " .value");
    if (!figure.available) { el.textContent = "—"; el.title = figure.reason; return; }
    el.textContent = text(figure.data);
  }

  function money(minor, currency) {
    return new Intl.NumberFormat(undefined, { style: "currency", currency: currency,
      maximumFractionDigits: 0 }).format(minor / 100);
  }

  function render(d) {
    document.getElementById("as-of").textContent = "as of " + d.as_of.slice(0, 16).replace("T", " ") + " UTC";
    kpi("kpi-returning", d.returning, (x) => (100 * x.rate).toFixed(1) + " %");
    kpi("kpi-at-risk", d.at_risk, (x) => money(x.yearly_minor, x.currency) + " · " + x.customers + " customers");
    kpi("kpi-open", d.cases, (x) => String(x.open));
    kpi("kpi-late", d.cases, (x) => String(x.late));
    const jobs = [];
    if (d.stages.available) {
      jobs.push(draw("chart-stages", {
        data: { values: d.stages.data }, height: 220, mark: "bar",
        encoding: {
          x: { field: "stage", type: "nominal", sort: STAGES, title: null },
          y: { field: "customers", type: "quantitative", aggregate: "sum", title: "customers" },
          color: { field: "substage", type: "nominal", title: "substage" },
          tooltip: [{ field: "stage" }, { field: "substage" }, { field: "customers" }, { field: "share_pct", title: "%" }],
        },
      }));
    } else unavailable("chart-stages", d.stages.reason);
    if (d.flows.available) {
      jobs.push(draw("chart-flows", {
        data: { values: d.flows.data.rows }, height: 220,
        encoding: {
          x: { field: "to_stage", type: "nominal", sort: STAGES, title: "to (" + d.flows.data.to + ")" },
          y: { field: "from_stage", type: "nominal", sort: ["unknown"].concat(STAGES), title: "from (" + d.flows.data.from + ")" },
        },
        layer: [
          { mark: "rect", encoding: { color: { field: "customers", type: "quantitative", scale: { type: "log" } } } },
          { mark: { type: "text", fontSize: 10 }, encoding: { text: { field: "customers" } } },
        ],
      }));
    } else unavailable("chart-flows", d.flows.reason);
    if (d.cohorts.available) {
      jobs.push(draw("chart-cohorts", {
        data: { values: d.cohorts.data }, height: 260, mark: "rect",
        encoding: {
          x: { field: "months_since", type: "ordinal", title: "months since first purchase" },
          y: { field: "cohort", type: "ordinal", title: "cohort" },
          color: { field: "retained_pct", type: "quantitative", title: "%", scale: { scheme: "blues" } },
          tooltip: [{ field: "cohort" }, { field: "months_since" }, { field: "retained_pct" }, { field: "cohort_customers" }],
        },
      }));
    } else unavailable("chart-cohorts", d.cohorts.reason);
    if (d.nps.available) {
      const layers = [
        { mark: { type: "area", opacity: 0.25 }, encoding: {
          x: { field: "group", type: "ordinal", title: "month" },
          y: { field: "low", type: "quantitative", title: "NPS", scale: { domain: [-100, 100] } },
          y2: { field: "high" } } },
        { mark: { type: "line", point: true }, encoding: {
          x: { field: "group", type: "ordinal" }, y: { field: "score", type: "quantitative" },
          tooltip: [{ field: "group" }, { field: "score", format: ".1f" }, { field: "n" }, { field: "margin_of_error", format: ".1f" }] } },
      ];
      if (d.nps.data.baseline) {
        layers.push({ data: { values: [d.nps.data.baseline] }, mark: { type: "rule", strokeDash: [4, 4], color: "#a15c00" },
          encoding: { y: { field: "score", type: "quantitative" } } });
      }
      jobs.push(draw("chart-nps", { data: { values: d.nps.data.months }, height: 220, layer: layers }));
    } else unavailable("chart-nps", d.nps.reason);
    return Promise.all(jobs);
  }

  fetch("/api/v1/dashboard", { credentials: "same-origin", headers: { accept: "application/json" } })
    .then((r) => (r.ok ? r.json() : Promise.reject(new Error("HTTP " + r.status))))
    .then(render)
    .then(() => { document.body.dataset.dashboard = "ready"; })
    .catch((err) => {
      document.querySelectorAll(".chart").forEach((el) => unavailable(el.id, "could not load the figures: " + err.message));
      document.body.dataset.dashboard = "failed";
    });
})();
