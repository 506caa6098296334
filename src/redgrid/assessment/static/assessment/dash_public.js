// Public statistics: aggregates of one street (no personal data), from the anonymous API endpoint.
(function () {
  var root = document.getElementById("public");
  if (!root || !window.echarts) { return; }
  function show(n, floor) { return n === null ? "少于 " + floor : String(n); }
  function pct(v) { return v === null || v === undefined ? "—" : (v * 100).toFixed(1) + "%"; }
  fetch(root.dataset.api).then(function (r) { return r.json(); }).then(function (d) {
    var cards = document.getElementById("public-cards");
    cards.innerHTML = "";
    [[d.intake, "本年受理"], [d.closed, "本年结案"], [pct(d.rates.response_rate), "响应率"],
     [pct(d.rates.resolution_rate), "解决率"], [pct(d.rates.satisfaction_rate), "满意率"], [pct(d.rates.close_rate), "结案率"]
    ].forEach(function (c) {
      var box = document.createElement("div"); box.className = "stat";
      var a = document.createElement("div"); a.className = "n"; a.textContent = c[0];
      var b = document.createElement("div"); b.className = "l"; b.textContent = c[1];
      box.appendChild(a); box.appendChild(b); cards.appendChild(box);
    });
    echarts.init(document.getElementById("public-months")).setOption({
      tooltip: { trigger: "axis" }, legend: { data: ["受理", "结案"] }, grid: { left: 40, right: 16, top: 30, bottom: 24 },
      xAxis: { type: "category", data: d.months }, yAxis: { type: "value", minInterval: 1 },
      series: [{ name: "受理", type: "bar", data: d.monthly_intake, itemStyle: { color: "#c8161d" } },
               { name: "结案", type: "bar", data: d.monthly_closed, itemStyle: { color: "#52c41a" } }]
    });
    var cats = d.categories.filter(function (c) { return c.count !== null; });
    echarts.init(document.getElementById("public-categories")).setOption({
      tooltip: {}, series: [{ type: "pie", radius: "65%", data: cats.map(function (c) { return { name: c.name, value: c.count }; }) }]
    });
    var body = document.getElementById("public-communities");
    body.innerHTML = "";
    d.communities.forEach(function (c) {
      var tr = document.createElement("tr");
      [c.name, show(c.intake, d.min_count), show(c.closed, d.min_count)].forEach(function (v) {
        var td = document.createElement("td"); td.textContent = v; tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    if (!d.communities.length) {
      var tr = document.createElement("tr"); var td = document.createElement("td");
      td.colSpan = 3; td.className = "empty"; td.textContent = "暂无社区数据"; tr.appendChild(td); body.appendChild(tr);
    }
  }).catch(function (e) { root.dataset.error = String(e); });
})();
