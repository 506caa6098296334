// The leader's large screen: loads the counters, trend, categories and unit rates of the node, and the grid
// map (GeoJSON with open/overdue appeals per grid) from the assessment API; numbers link to their records.
(function () {
  var root = document.getElementById("screen");
  if (!root || !window.echarts) { return; }
  var TEXT = "#d6e4ff", AXIS = "#1d3b6b";
  var charts = {};
  function chart(id) {
    var el = document.getElementById(id);
    charts[id] = charts[id] || echarts.init(el, null, { renderer: "canvas" });
    return charts[id];
  }
  function get(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    });
  }
  function go(url) { if (url) { window.location = url; } }
  function pct(v) { return v === null || v === undefined ? "—" : (v * 100).toFixed(1) + "%"; }
  function text(el, value) { el.textContent = value; }

  function counters(data) {
    document.querySelectorAll("#counters .counter").forEach(function (a) {
      var key = a.dataset.key;
      text(a.querySelector("b"), data.counters[key]);
      var link = data.counters.links[key];
      if (link) { a.setAttribute("href", link); }
    });
  }

  function crumbs(data) {
    var nav = document.getElementById("crumbs");
    nav.innerHTML = "";
    data.breadcrumbs.forEach(function (c) {
      var a = document.createElement("a");
      a.href = root.dataset.self + "?node=" + c.id;
      text(a, c.name);
      nav.appendChild(a);
    });
    var kids = document.getElementById("children");
    kids.innerHTML = "";
    data.children.forEach(function (c) {
      var a = document.createElement("a");
      a.href = root.dataset.self + "?node=" + c.id;
      text(a, c.name + " ");
      kids.appendChild(a);
    });
  }

  function trend(data) {
    var t = data.trend;
    chart("dash-trend").setOption({
      textStyle: { color: TEXT },
      tooltip: { trigger: "axis" },
      legend: { data: ["受理", "结案"], textStyle: { color: TEXT } },
      grid: { left: 40, right: 16, top: 30, bottom: 24 },
      xAxis: { type: "category", data: t.days, axisLine: { lineStyle: { color: AXIS } }, axisLabel: { color: TEXT } },
      yAxis: { type: "value", splitLine: { lineStyle: { color: AXIS } }, axisLabel: { color: TEXT } },
      series: [
        { name: "受理", type: "line", smooth: true, showSymbol: false, data: t.intake, areaStyle: { opacity: 0.15 } },
        { name: "结案", type: "line", smooth: true, showSymbol: false, data: t.closed }
      ]
    });
    chart("dash-trend").on("click", function (p) {
      var base = data.links.day;
      if (base) { go(base + "&date_from=" + p.name + "&date_to=" + p.name); }
    });
  }

  function categories(data) {
    var rows = data.categories.slice().reverse();
    chart("dash-categories").setOption({
      textStyle: { color: TEXT },
      tooltip: {},
      grid: { left: 110, right: 24, top: 8, bottom: 20 },
      xAxis: { type: "value", splitLine: { lineStyle: { color: AXIS } }, axisLabel: { color: TEXT } },
      yAxis: { type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: { color: TEXT } },
      series: [{ type: "bar", data: rows.map(function (r) { return { value: r.count, link: r.link }; }), itemStyle: { color: "#ffa940" } }]
    });
    chart("dash-categories").on("click", function (p) { go(p.data && p.data.link); });
  }

  function units(data) {
    var rows = data.units.slice().reverse();
    var names = rows.map(function (r) { return r.name; });
    function s(key) { return rows.map(function (r) { return r[key] === null ? null : Math.round(r[key] * 1000) / 10; }); }
    chart("dash-units").setOption({
      textStyle: { color: TEXT },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null ? "—" : v + "%"; } },
      legend: { data: ["响应率", "解决率", "满意率"], textStyle: { color: TEXT } },
      grid: { left: 90, right: 16, top: 30, bottom: 20 },
      xAxis: { type: "value", max: 100, splitLine: { lineStyle: { color: AXIS } }, axisLabel: { color: TEXT } },
      yAxis: { type: "category", data: names, axisLabel: { color: TEXT } },
      series: [
        { name: "响应率", type: "bar", data: s("response_rate") },
        { name: "解决率", type: "bar", data: s("resolution_rate") },
        { name: "满意率", type: "bar", data: s("satisfaction_rate") }
      ]
    });
    chart("dash-units").on("click", function () { go(data.links.ranking); });
  }

  var mapData = null;
  function drawMap() {
    if (!mapData) { return; }
    var metric = document.getElementById("map-metric").value;
    // Grids are matched by their 15-digit code: names such as 第1网格 repeat across communities.
    var data = mapData.grids.map(function (g) {
      return { name: g.code, value: metric === "load" ? (g.load || 0) : g.overdue, props: g };
    });
    var max = Math.max.apply(null, data.map(function (d) { return d.value; }).concat([1]));
    chart("dash-map").setOption({
      tooltip: { trigger: "item", formatter: function (p) {
        var q = p.data && p.data.props;
        if (!q) { return p.name; }
        return q.name + "<br>居民 " + q.residents + " 人<br>在办 " + q.open + " 件（每千人 " + (q.load === null ? "—" : q.load) + "）<br>超期 " + q.overdue + " 件";
      } },
      visualMap: { min: 0, max: max, left: 10, bottom: 10, calculable: true, textStyle: { color: TEXT },
        inRange: { color: metric === "load" ? ["#0f3b2e", "#fadb14", "#f5222d"] : ["#10325e", "#ff4d4f"] } },
      series: [{ type: "map", map: "dash-grids", nameProperty: "code", roam: true, data: data, label: { show: false },
        itemStyle: { borderColor: "#5b8ff9", borderWidth: 0.6 }, emphasis: { label: { show: false } } }]
    }, true);
  }

  function map(shapes, values) {
    mapData = values;
    echarts.registerMap("dash-grids", shapes);
    drawMap();
    chart("dash-map").on("click", function (p) {
      var q = p.data && p.data.props;
      if (q && q.link) { go(document.getElementById("map-metric").value === "overdue" ? q.link + "&overdue=yes" : q.link); }
    });
  }

  document.getElementById("map-metric").addEventListener("change", drawMap);
  function tick() { text(document.getElementById("clock"), new Date().toLocaleString("zh-CN", { hour12: false })); }
  tick();
  setInterval(tick, 1000);

  function load() {
    get(root.dataset.api).then(function (data) {
      text(document.getElementById("screen-title"), data.node.name);
      crumbs(data); counters(data); trend(data); categories(data); units(data);
    }).catch(function (e) { root.dataset.error = String(e); });
  }
  load();
  Promise.all([get(root.dataset.shapes), get(root.dataset.map)])
    .then(function (both) { map(both[0], both[1]); })
    .catch(function (e) { root.dataset.error = String(e); });
  setInterval(load, 60000);
  window.addEventListener("resize", function () { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); });
})();
