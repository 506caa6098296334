// 摇一摇: a firm shake of the phone submits the shake form once (the button works everywhere).
(function () {
  var form = document.getElementById("shake-form");
  if (!form || !("DeviceMotionEvent" in window)) return;
  var last = null, sent = false, THRESHOLD = 25;
  function onMotion(e) {
    var a = e.accelerationIncludingGravity;
    if (!a || sent) return;
    if (last) {
      var delta = Math.abs(a.x - last.x) + Math.abs(a.y - last.y) + Math.abs(a.z - last.z);
      if (delta > THRESHOLD) { sent = true; form.requestSubmit ? form.requestSubmit() : form.submit(); }
    }
    last = { x: a.x, y: a.y, z: a.z };
  }
  function listen() { window.addEventListener("devicemotion", onMotion); }
  // iOS asks for permission on a user gesture.
  if (typeof DeviceMotionEvent.requestPermission === "function") {
    document.getElementById("shake-hint").addEventListener("click", function () {
      DeviceMotionEvent.requestPermission().then(function (s) { if (s === "granted") listen(); });
    });
  } else {
    listen();
  }
})();
