// Forms with data-confirm="…" ask before submitting (irreversible steps: 换届、阶段推进、退回…).
// CSP forbids inline handlers, hence this file.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
