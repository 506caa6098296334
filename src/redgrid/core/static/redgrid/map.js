// Grid map: draws the GeoJSON boundaries of the grids in the user's scope with ECharts registerMap.
(function () {
  var el = document.getElementById("grid-map");
  if (!el || !window.echarts) { return; }
  var chart = echarts.init(el);
  fetch(el.dataset.source, { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (fc) {
      echarts.registerMap("grids", fc);
      var data = fc.features.map(function (f) {
        return { name: f.properties.name, value: f.properties.value || 0, id: f.properties.id };
      });
      chart.setOption({
        tooltip: { trigger: "item", formatter: function (p) { return p.name + "<br>" + (el.dataset.metric || "户数") + "：" + (p.value || 0); } },
        visualMap: { min: 0, max: Math.max.apply(null, data.map(function (d) { return d.value; }).concat([1])),
          left: 10, bottom: 10, calculable: true, inRange: { color: ["#fff1f0", "#c8161d"] } },
        series: [{ type: "map", map: "grids", roam: true, data: data, label: { show: true, fontSize: 10 },
          emphasis: { label: { show: true } } }]
      });
      chart.on("click", function (p) {
        if (p.data && p.data.id && el.dataset.link) { window.location = el.dataset.link.replace("0", p.data.id); }
      });
    });
  window.addEventListener("resize", function () { chart.resize(); });
})();
