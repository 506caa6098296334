// 志愿服务: ask before destructive actions (cancel a sign-up, an activity or a shift; reject a request).
// CSP forbids inline handlers, so forms carry data-confirm="…" and this listener asks.
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});
