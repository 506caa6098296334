// 接诉即办 staff pages (no inline scripts under the CSP):
// 1. forms with data-confirm ask before a destructive action (the server also needs the ticked box);
// 2. report-in countdowns ([data-due]) tick every 30 seconds.
(function () {
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) e.preventDefault();
  });

  function text(ms) {
    var late = ms < 0, m = Math.floor(Math.abs(ms) / 60000);
    var d = Math.floor(m / 1440), h = Math.floor((m % 1440) / 60), min = m % 60;
    var s = (d ? d + "天" : "") + (h ? h + "小时" : "") + (d ? "" : min + "分");
    return { late: late, label: (late ? "已超时 " : "剩余 ") + s };
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-due"));
      if (isNaN(due)) return;
      var t = text(due - now);
      el.textContent = t.label;
      el.classList.toggle("over", t.late);
    });
  }
  setInterval(tick, 30000);
})();
