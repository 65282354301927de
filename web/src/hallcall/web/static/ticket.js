// The visitor's ticket page: follow the server's stream, fall back to polling, alert when near.
(function () {
  "use strict";
  var root = document.getElementById("ticket");
  var token = root.dataset.token;
  var lang = root.dataset.lang;
  var pollS = Number(root.dataset.pollS) || 10;
  var page = JSON.parse(document.getElementById("page-data").textContent);
  var alerted = page.near;  // a page opened when already near does not ring at once
  window.hallcallAlerts = 0;

  function text(id, value) {
    var el = document.getElementById(id);
    if (el && el.textContent !== value) el.textContent = value;
  }

  function ring() {
    window.hallcallAlerts += 1;
    document.title = "\u23F0 " + page.number;
    try { if (navigator.vibrate) navigator.vibrate([300, 150, 300]); } catch (e) {}
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (Ctx) {
        var ctx = new Ctx(), osc = ctx.createOscillator(), gain = ctx.createGain();
        osc.frequency.value = 880; gain.gain.value = 0.2;
        osc.connect(gain); gain.connect(ctx.destination);
        osc.start(); osc.stop(ctx.currentTime + 0.6);
      }
    } catch (e) {}
    try {
      if (window.Notification && Notification.permission === "granted") {
        new Notification(page.number, { body: page.headline });
      }
    } catch (e) {}
  }

  function show(next) {
    if (next.state === "error") { window.location.reload(); return; }
    var wasCalled = page.state === "called";
    page = next;
    root.className = "card state-" + next.state + (next.near ? " near" : "");
    text("number", next.number);
    text("department", next.department + (next.matter ? " · " + next.matter : ""));
    text("headline", next.headline);
    text("detail", next.detail);
    var rate = document.getElementById("rate");
    if (rate) rate.hidden = !next.can_rate;
    document.getElementById("alert").hidden = next.state !== "waiting";
    var qr = document.getElementById("checkin-qr");
    if (qr) qr.hidden = next.state !== "checkin";
    if ((next.near && !alerted) || (next.state === "called" && !wasCalled)) ring();
    alerted = alerted || next.near || next.state === "called";
  }

  function online(up) {
    document.getElementById("connection").hidden = up;
  }

  var base = "/t/" + encodeURIComponent(token);
  var polling = null;
  function poll() {
    fetch(base + "/status.json?lang=" + lang, { cache: "no-store" })
      .then(function (r) { online(r.ok); return r.ok ? r.json() : null; })
      .then(function (data) { if (data) show(data); })
      .catch(function () { online(false); });
  }
  function startPolling() {
    if (polling === null) polling = setInterval(poll, pollS * 1000);
  }

  if (window.EventSource) {
    var stream = new EventSource(base + "/events?lang=" + lang);
    stream.addEventListener("ticket", function (e) {
      var data = JSON.parse(e.data);
      online(data.status === 200);
      if (data.status === 200) show(data);
    });
    var ended = false;
    stream.addEventListener("end", function () { ended = true; stream.close(); });
    stream.onerror = function () { if (ended) return; online(false); startPolling(); };
    stream.onopen = function () { online(true); if (polling !== null) { clearInterval(polling); polling = null; } };
  } else {
    startPolling();
  }

  document.getElementById("alert").addEventListener("click", function () {
    if (window.Notification && Notification.permission === "default") Notification.requestPermission();
  });
})();
