// 花名册导入: the upload shows its own progress (a large file takes a while on a slow line), then the job
// page polls the background import until it is done. CSP forbids inline scripts, hence this file.
(function () {
  "use strict";

  var PHASES = { queued: "（等待后台任务进程处理）", saving: "（全部成功或全部不保存）" };

  function uploadForm(form) {
    var box = document.getElementById("upload-progress");
    var bar = box.querySelector("progress");
    var label = box.querySelector("span");
    var errors = document.getElementById("upload-errors");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action || window.location.href);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          var pct = Math.round((e.loaded / e.total) * 100);
          bar.value = pct;
          label.textContent = "正在上传 " + pct + "%";
        }
      });
      xhr.addEventListener("load", function () {
        var body = {};
        try { body = JSON.parse(xhr.responseText); } catch (err) { body = {}; }
        if (xhr.status === 201 && body.url) {
          label.textContent = "上传完成，正在打开导入进度…";
          window.location.assign(body.url);
          return;
        }
        button.disabled = false;
        box.hidden = true;
        errors.textContent = "";
        (body.errors || ["上传失败（" + xhr.status + "），请稍后重试"]).forEach(function (message) {
          var li = document.createElement("li");
          li.textContent = message;
          errors.appendChild(li);
        });
        errors.hidden = false;
      });
      xhr.addEventListener("error", function () {
        button.disabled = false;
        label.textContent = "网络中断，上传失败，请重新选择文件上传";
      });
      button.disabled = true;
      errors.hidden = true;
      box.hidden = false;
      bar.value = 0;
      label.textContent = "正在上传 0%";
      xhr.send(new FormData(form));
    });
  }

  function jobPage(card) {
    var url = card.getAttribute("data-status-url");
    var bar = document.getElementById("job-progress");
    function show(state) {
      bar.value = state.percent;
      bar.textContent = state.percent + "%";
      document.getElementById("job-percent").textContent = state.percent + "%";
      var text = state.label;
      if (state.running && state.total) {
        text += "：" + state.done.toLocaleString("zh-CN") + " / " + state.total.toLocaleString("zh-CN");
      }
      document.getElementById("job-label").textContent = text + (PHASES[state.status] || "");
      if (state.status === "done") {
        document.getElementById("job-created").textContent = state.created;
        document.getElementById("job-done").hidden = false;
      }
      if (state.status === "failed") {
        var list = document.getElementById("import-errors");
        list.textContent = "";
        state.errors.forEach(function (message) {
          var li = document.createElement("li");
          li.textContent = message;
          list.appendChild(li);
        });
        document.getElementById("job-error-count").textContent = state.errors.length;
        document.getElementById("job-failed").hidden = false;
      }
    }
    function poll() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (state) {
          show(state);
          if (state.running) { window.setTimeout(poll, 700); }
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    }
    if (card.getAttribute("data-running") === "1") { poll(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("roster-upload");
    if (form) { uploadForm(form); }
    var card = document.getElementById("roster-job");
    if (card) { jobPage(card); }
  });
})();
