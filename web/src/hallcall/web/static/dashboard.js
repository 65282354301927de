// The live dashboard: follow the server's stream of rendered rows, fall back to polling.
(function () {
  "use strict";
  var root = document.getElementById("live");
  if (!root) return;
  var base = root.dataset.root || "/admin";
  var lang = root.dataset.lang;
  var pollS = Number(root.dataset.pollS) || 10;
  window.hallcallLiveUpdates = 0;

  function show(data) {
    if (root.innerHTML !== data.html) root.innerHTML = data.html;
    window.hallcallLiveUpdates += 1;
    document.title = (data.alarms.length ? "(" + data.alarms.length + ") " : "") +
      document.title.replace(/^\(\d+\) /, "");
  }

  var polling = null;
  function poll() {
    fetch(base + "/live.json?lang=" + lang, { cache: "no-store", credentials: "same-origin" })
      .then(function (r) {
        if (r.status === 401) { window.location.href = base + "/login"; return null; }
        return r.ok ? r.json() : null;
      })
      .then(function (data) { if (data) show(data); })
      .catch(function () {});
  }
  function startPolling() { if (!polling) polling = setInterval(poll, pollS * 1000); }

  if (window.EventSource) {
    var source = new EventSource(base + "/events?lang=" + lang);
    source.addEventListener("live", function (e) {
      if (polling) { clearInterval(polling); polling = null; }
      show(JSON.parse(e.data));
    });
    source.addEventListener("logout", function () { window.location.href = base + "/login"; });
    source.onerror = function () { startPolling(); };
  } else {
    startPolling();
  }
})();
