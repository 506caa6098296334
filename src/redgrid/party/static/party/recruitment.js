// Destructive recruitment actions (终止发展, 延长预备期) ask for confirmation; CSP forbids inline handlers.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
