// Branch view: members, branch-life compliance, dues, study and wishes of the organisation, from the API.
(function () {
  var root = document.getElementById("branch");
  if (!root || !window.echarts) { return; }
  function chart(id) { return echarts.init(document.getElementById(id)); }
  function card(n, label, href) {
    var box = document.createElement(href ? "a" : "div");
    box.className = "stat";
    if (href) { box.href = href; }
    var a = document.createElement("div"); a.className = "n"; a.textContent = n;
    var b = document.createElement("div"); b.className = "l"; b.textContent = label;
    box.appendChild(a); box.appendChild(b);
    return box;
  }
  fetch(root.dataset.api, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (d) {
    var cards = document.getElementById("branch-cards");
    cards.innerHTML = "";
    [
      [d.members.full, "正式党员", d.links.members], [d.members.probationary, "预备党员", d.links.members],
      [d.branches, "党支部", d.links.compliance], [d.dues.warning + d.dues.lapsed, "党费欠交人数", null],
      [d.study.met + " / " + d.study.members, "学时达标", null], [d.study.average_hours, "人均学时", null],
      [d.volunteer.hours, "志愿服务时长（小时）", null], [d.volunteer.dual_report_hours, "双报到时长（小时）", null]
    ].forEach(function (c) { cards.appendChild(card(c[0], c[1], c[2])); });
    var kinds = d.compliance.map(function (c) { return c.kind; });
    chart("branch-compliance").setOption({
      tooltip: { trigger: "axis" }, legend: { data: ["已完成", "本期待开", "逾期"] },
      grid: { left: 90, right: 16, top: 30, bottom: 20 },
      xAxis: { type: "value", minInterval: 1 }, yAxis: { type: "category", data: kinds },
      series: [
        { name: "已完成", type: "bar", stack: "s", data: d.compliance.map(function (c) { return c.done; }), itemStyle: { color: "#52c41a" } },
        { name: "本期待开", type: "bar", stack: "s", data: d.compliance.map(function (c) { return c.due; }), itemStyle: { color: "#faad14" } },
        { name: "逾期", type: "bar", stack: "s", data: d.compliance.map(function (c) { return c.overdue; }), itemStyle: { color: "#f5222d" } }
      ]
    });
    chart("branch-dues").setOption({
      tooltip: {}, series: [{ type: "pie", radius: ["40%", "70%"], data: [
        { name: "正常", value: d.dues.ok, itemStyle: { color: "#52c41a" } },
        { name: "欠交提醒", value: d.dues.warning, itemStyle: { color: "#faad14" } },
        { name: "连续欠交", value: d.dues.lapsed, itemStyle: { color: "#f5222d" } }] }]
    });
    chart("branch-study").setOption({
      tooltip: {}, series: [{ type: "pie", radius: ["40%", "70%"], data: [
        { name: "学时达标", value: d.study.met, itemStyle: { color: "#c8161d" } },
        { name: "未达标", value: d.study.members - d.study.met, itemStyle: { color: "#d9d9d9" } }] }]
    });
    chart("branch-wishes").setOption({
      tooltip: {}, grid: { left: 60, right: 16, top: 10, bottom: 24 },
      xAxis: { type: "category", data: d.wishes.map(function (w) { return w.status; }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", data: d.wishes.map(function (w) { return w.count; }), itemStyle: { color: "#c8161d" } }]
    });
  }).catch(function (e) { root.dataset.error = String(e); });
})();
