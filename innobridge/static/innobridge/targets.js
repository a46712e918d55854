/* Targets dashboard: ECharts from the local asset, data from the page's JSON island.
   Every bar, point and funnel step links to the records behind it. No inline script (CSP). */
(function () {
  "use strict";
  function ready(fn) { if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); } }
  ready(function () {
    var island = document.getElementById("chart-data");
    if (!island || typeof echarts === "undefined") { return; }
    var data = JSON.parse(island.textContent);
    var charts = [];
    function make(id, option, urls) {
      var node = document.getElementById(id);
      if (!node) { return; }
      var chart = echarts.init(node, null, { renderer: "canvas" });
      chart.setOption(option);
      chart.on("click", function (params) {
        var url = urls && urls[params.dataIndex];
        if (params.data && params.data.url) { url = params.data.url; }
        if (url) { window.location.href = url; }
      });
      charts.push(chart);
    }
    var targets = data.targets.slice().reverse();
    make("chart-progress", {
      grid: { left: 170, right: 40, top: 30, bottom: 30 },
      legend: { data: [data.labels.progress, data.labels.expected] },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", max: function (v) { return Math.max(120, Math.ceil(v.max / 10) * 10); } },
      yAxis: { type: "category", data: targets.map(function (t) { return t.name; }), axisLabel: { width: 160, overflow: "truncate" } },
      series: [
        { name: data.labels.progress, type: "bar", barMaxWidth: 18,
          data: targets.map(function (t) { return { value: t.progress, url: t.url, itemStyle: { color: t.progress < t.expected ? "#d9822b" : "#2f6fae" } }; }),
          label: { show: true, position: "right", formatter: "{c}%" } },
        { name: data.labels.expected, type: "scatter", symbol: "rect", symbolSize: [3, 18], itemStyle: { color: "#c0392b" },
          data: targets.map(function (t) { return t.expected; }) }
      ]
    });
    if (data.trend && data.trend.values) {
      make("chart-trend", {
        grid: { left: 50, right: 30, top: 30, bottom: 30 },
        tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: data.months },
        yAxis: { type: "value" },
        series: [{ name: data.labels.cumulative, type: "line", smooth: true, areaStyle: {},
          data: data.trend.values.map(function (v, i) { return { value: v, url: data.trend.url + "?month=" + (i + 1) }; }),
          markLine: { symbol: "none", data: [{ yAxis: data.trend.number, name: data.labels.target }], label: { formatter: data.labels.target + " {c}" } } }]
      });
    } else if (document.getElementById("chart-trend")) {
      make("chart-trend", { title: { text: "—", left: "center", top: "middle" }, xAxis: { show: false, type: "category", data: data.months }, yAxis: { show: false }, series: [{ type: "bar", data: data.months.map(function () { return 0; }) }] });
    }
    ["district", "field"].forEach(function (by) {
      var rows = data[by] || [];
      make("chart-" + by, {
        grid: { left: 110, right: 30, top: 10, bottom: 20 },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", inverse: true, data: rows.map(function (r) { return r.label; }) },
        series: [{ type: "bar", barMaxWidth: 16, itemStyle: { color: "#3b8ea5" }, data: rows.map(function (r) { return { value: r.count, url: r.url }; }), label: { show: true, position: "right" } }]
      });
    });
    data.funnels.forEach(function (f) {
      make("chart-funnel-" + f.name, {
        tooltip: { trigger: "item", formatter: "{b}: {c}" },
        series: [{ type: "funnel", left: "10%", width: "80%", sort: "none", minSize: "15%", label: { show: true, position: "inside", formatter: "{b} {c}" },
          data: f.steps.map(function (s) { return { name: s.label, value: s.count, url: s.url }; }) }]
      });
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
    document.documentElement.setAttribute("data-charts-ready", String(charts.length));
  });
})();
