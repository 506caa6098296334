// 反映诉求 / 巡查上报 form: the location choice (map tap, address, my household), the grid map picker
// (ECharts geo map of the grids in the user's scope; a tap fills lat/lng), the phone's position, and a
// photo preview that warns before more than the allowed photos are sent (the server checks again).
(function () {
  var form = document.getElementById("appeal-form");
  if (!form) { return; }
  var latInput = document.getElementById("pick-lat");
  var lngInput = document.getElementById("pick-lng");
  var hint = document.getElementById("pick-hint");
  var mapEl = document.getElementById("pick-map");
  var chart = null;
  var features = [];

  // --- location choice -------------------------------------------------------------------------------
  function currentWhere() {
    var checked = form.querySelector("input[name=where]:checked");
    return checked ? checked.value : "";
  }

  function showPanes() {
    var where = currentWhere();
    form.querySelectorAll(".ap-pane").forEach(function (pane) {
      pane.hidden = pane.dataset.pane.split(" ").indexOf(where) < 0;
    });
    var label = document.getElementById("address-label");
    if (label) { label.textContent = where === "address" ? "地址（必填）" : "详细地址（可选）"; }
    if (where === "point" && chart) { chart.resize(); }
  }

  form.querySelectorAll("input[name=where]").forEach(function (r) { r.addEventListener("change", showPanes); });

  function choose(where) {
    var radio = form.querySelector("input[name=where][value=" + where + "]");
    if (radio) { radio.checked = true; showPanes(); }
  }

  // --- map picker ------------------------------------------------------------------------------------
  function inRing(lng, lat, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > lat) !== (yj > lat) && lng < (xj - xi) * (lat - yi) / (yj - yi) + xi) { inside = !inside; }
    }
    return inside;
  }

  function inPolygon(lng, lat, rings) {
    if (!inRing(lng, lat, rings[0])) { return false; }
    for (var k = 1; k < rings.length; k++) { if (inRing(lng, lat, rings[k])) { return false; } }
    return true;
  }

  function gridAt(lng, lat) {
    for (var i = 0; i < features.length; i++) {
      var g = features[i].geometry;
      var polys = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
      for (var p = 0; p < polys.length; p++) {
        if (inPolygon(lng, lat, polys[p])) { return features[i].properties.name; }
      }
    }
    return null;
  }

  function drawMarker(lng, lat) {
    if (!chart) { return; }
    chart.setOption({ series: [{ id: "pick", data: [[lng, lat]] }] });
  }

  function setPoint(lng, lat, source) {
    latInput.value = lat.toFixed(6);
    lngInput.value = lng.toFixed(6);
    drawMarker(lng, lat);
    var grid = gridAt(lng, lat);
    var where = source === "gps" ? "当前位置" : "已选位置";
    hint.textContent = grid
      ? where + "：" + grid + "（" + lng.toFixed(5) + ", " + lat.toFixed(5) + "）"
      : where + "不在本社区网格内（" + lng.toFixed(5) + ", " + lat.toFixed(5) + "），将由街道分拣";
    hint.dataset.grid = grid || "";
  }

  function initMap() {
    if (!mapEl || !window.echarts) { return; }
    chart = echarts.init(mapEl);
    fetch(mapEl.dataset.source, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (fc) {
        features = fc.features || [];
        if (!features.length) {
          mapEl.hidden = true;
          hint.textContent = "暂无可选的网格地图，请使用当前位置或填写地址";
          return;
        }
        echarts.registerMap("appeal-grids", fc);
        chart.setOption({
          geo: {
            map: "appeal-grids", roam: true, selectedMode: false,
            label: { show: true, fontSize: 10, color: "#646a73" },
            itemStyle: { areaColor: "#fff1f0", borderColor: "#c8161d", borderWidth: 1 },
            emphasis: { label: { show: true }, itemStyle: { areaColor: "#fde2e2" } }
          },
          series: [{ id: "pick", type: "scatter", coordinateSystem: "geo", symbol: "pin", symbolSize: 34,
            itemStyle: { color: "#c8161d" }, silent: true, data: [] }]
        });
        if (latInput.value && lngInput.value) {
          setPoint(parseFloat(lngInput.value), parseFloat(latInput.value), "kept");
        }
        // A tap anywhere on the map (inside a grid or not) picks that point.
        chart.getZr().on("click", function (e) {
          var pt = chart.convertFromPixel({ geoIndex: 0 }, [e.offsetX, e.offsetY]);
          if (pt && isFinite(pt[0]) && isFinite(pt[1])) { setPoint(pt[0], pt[1], "map"); }
        });
      })
      .catch(function () { hint.textContent = "地图加载失败，请使用当前位置或填写地址"; });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  var gps = document.getElementById("use-gps");
  if (gps) {
    if (!navigator.geolocation) { gps.hidden = true; }
    gps.addEventListener("click", function () {
      hint.textContent = "正在获取当前位置…";
      navigator.geolocation.getCurrentPosition(
        function (pos) { choose("point"); setPoint(pos.coords.longitude, pos.coords.latitude, "gps"); },
        function () { hint.textContent = "无法获取当前位置，请在地图上点选或填写地址"; },
        { enableHighAccuracy: true, timeout: 10000 }
      );
    });
  }

  // --- photos ----------------------------------------------------------------------------------------
  var photos = document.getElementById("photos");
  var preview = document.getElementById("photo-preview");
  var warn = document.getElementById("photo-warn");
  var maxPhotos = parseInt(form.dataset.maxPhotos, 10) || 9;
  var maxBytes = (parseInt(form.dataset.maxMb, 10) || 10) * 1024 * 1024;

  function photoProblem(files) {
    if (files.length > maxPhotos) { return "最多上传 " + maxPhotos + " 张照片，您选择了 " + files.length + " 张"; }
    for (var i = 0; i < files.length; i++) {
      if (files[i].size > maxBytes) { return "照片「" + files[i].name + "」超过 " + form.dataset.maxMb + " MB"; }
    }
    return "";
  }

  if (photos) {
    photos.addEventListener("change", function () {
      preview.innerHTML = "";
      var files = Array.prototype.slice.call(photos.files);
      var problem = photoProblem(files);
      warn.textContent = problem;
      warn.hidden = !problem;
      files.slice(0, maxPhotos).forEach(function (f) {
        var img = document.createElement("img");
        img.alt = f.name;
        img.src = URL.createObjectURL(f);
        preview.appendChild(img);
      });
    });
  }

  form.addEventListener("submit", function (e) {
    var problem = photos ? photoProblem(photos.files) : "";
    if (problem) {
      e.preventDefault();
      warn.textContent = problem;
      warn.hidden = false;
      return;
    }
    if (currentWhere() === "point" && !latInput.value) {
      e.preventDefault();
      hint.textContent = "请先在地图上点选问题发生的位置";
      hint.classList.add("ap-warn");
      mapEl.scrollIntoView({ behavior: "smooth", block: "center" });
    }
  });

  showPanes();
  initMap();
})();
