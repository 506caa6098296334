// Study-time heartbeats (党员教育): every 15 s while the page is visible, the seconds seen since the last
// beat are posted; when the page is hidden a beat with visible=false stops the server clock, so hidden
// and idle time is never counted. The server also caps each beat at the wall time since the previous one.
(function () {
  "use strict";
  var box = document.getElementById("study");
  if (!box) { return; }
  var url = box.getAttribute("data-heartbeat-url");
  var required = parseInt(box.getAttribute("data-required"), 10) || 0;
  var bar = document.getElementById("study-bar");
  var label = document.getElementById("study-seconds");
  var video = document.getElementById("course-video");
  var INTERVAL = 15000;
  var since = null;
  var timer = null;

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
    catch (e) { return ""; }
  }

  function show(data) {
    if (!data) { return; }
    if (label) { label.textContent = Math.floor(data.seconds / 60) + " 分 " + (data.seconds % 60) + " 秒"; }
    if (bar && required) { bar.style.width = Math.min(100, Math.round(100 * data.seconds / required)) + "%"; }
    if (data.completed) { box.classList.add("done"); }
  }

  function beat(visible) {
    var now = Date.now();
    var seconds = since === null ? 0 : Math.round((now - since) / 1000);
    since = visible ? now : null;
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: !visible,
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken()},
      body: JSON.stringify(video ? {seconds: seconds, visible: visible, position: Math.floor(video.currentTime)}
                                 : {seconds: seconds, visible: visible})
    }).then(function (r) { return r.ok ? r.json() : null; }).then(show).catch(function () {});
  }

  function start() {
    if (timer !== null) { return; }
    beat(true);
    timer = window.setInterval(function () {
      if (document.visibilityState === "visible") { beat(true); }
    }, INTERVAL);
  }

  function stop() {
    if (timer === null) { return; }
    window.clearInterval(timer);
    timer = null;
    beat(false);
  }

  // Resume a video where the member stopped last time (the server keeps the position per course and year).
  if (video) {
    var resumeAt = parseInt(video.getAttribute("data-position"), 10) || 0;
    var resume = function () { if (resumeAt > 0 && resumeAt < video.duration) { video.currentTime = resumeAt; } };
    if (video.readyState >= 1) { resume(); } else { video.addEventListener("loadedmetadata", resume, {once: true}); }
    video.addEventListener("pause", function () { if (document.visibilityState === "visible") { beat(true); } });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { start(); } else { stop(); }
  });
  if (document.visibilityState === "visible") { start(); }
})();
