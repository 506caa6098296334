// 接诉即办 H5: forms marked data-confirm ask before they are sent (撤销, 重办).
(function () {
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      e.preventDefault();
    }
  });
})();
