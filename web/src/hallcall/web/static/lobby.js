// The lobby page: draw the lobby model's snapshot, follow the stream, poll if it breaks.
(function () {
  "use strict";
  var pollS = Number(document.currentScript.dataset.pollS) || 10;
  var page = JSON.parse(document.getElementById("page-data").textContent);
  window.hallcallLobbyDraws = 0;

  function el(tag, cls, content) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (content !== undefined) e.textContent = content;
    return e;
  }
  function both(values) { return values.filter(function (v) { return v; }).join(" · "); }
  function word(key, n) {
    return page.languages.map(function (lang) {
      return (page.words[lang][key] || key).replace("{n}", n);
    }).join(" · ");
  }

  function draw(p) {
    page = p;
    window.hallcallLobbyDraws += 1;
    document.getElementById("hall-name").textContent = both(p.hall_name);
    document.getElementById("notice").textContent = both(p.notice);
    var off = document.getElementById("offline");
    off.hidden = p.online;
    off.textContent = word("offline");
    var newest = document.getElementById("newest");
    newest.replaceChildren();
    if (p.newest) {
      newest.appendChild(el("div", "newest-number", p.newest.number));
      p.languages.forEach(function (lang) {
        var phrase = (p.words[lang].call_to || "").replace("{n}", p.newest.window_number);
        newest.appendChild(el("div", "newest-window", phrase));
      });
      newest.appendChild(el("div", "newest-dep", both(p.newest.department)));
    } else {
      newest.appendChild(el("div", "newest-none", word("none")));
    }
    document.getElementById("recent-title").textContent = word("recent");
    var recent = document.getElementById("recent");
    recent.replaceChildren();
    p.recent.forEach(function (c) {
      var li = el("li");
      li.appendChild(el("span", "num", c.number));
      li.appendChild(el("span", "win", word("window_n", c.window_number)));
      recent.appendChild(li);
    });
    document.getElementById("windows-title").textContent = word("windows");
    var windows = document.getElementById("windows");
    windows.replaceChildren();
    p.windows.forEach(function (w) {
      var tr = el("tr", "w-" + w.status);
      tr.appendChild(el("td", "wn", String(w.number)));
      tr.appendChild(el("td", "cur", w.current || ""));
      tr.appendChild(el("td", "st", both(w.status_text) + (w.pause_reason ? " (" + w.pause_reason + ")" : "")));
      tr.appendChild(el("td", "dep", both(w.department)));
      windows.appendChild(tr);
    });
    document.getElementById("queues-title").textContent = word("queues");
    var queues = document.getElementById("queues");
    queues.replaceChildren();
    p.queues.forEach(function (q) {
      var tr = el("tr");
      tr.appendChild(el("td", "qp", q.prefix));
      tr.appendChild(el("td", "qn", both(q.name)));
      tr.appendChild(el("td", "qw", word("waiting_n", q.waiting)));
      queues.appendChild(tr);
    });
  }

  function clock() {
    try {
      document.getElementById("clock").textContent = new Date().toLocaleTimeString("zh-CN", { timeZone: page.timezone, hour12: false });
    } catch (e) {}
  }

  draw(page);
  clock();
  setInterval(clock, 1000);
  var polling = null;
  function poll() {
    fetch("/lobby/state.json", { cache: "no-store" }).then(function (r) { return r.json(); }).then(draw).catch(function () {});
  }
  if (window.EventSource) {
    var stream = new EventSource("/lobby/events");
    stream.addEventListener("lobby", function (e) { draw(JSON.parse(e.data)); });
    stream.onerror = function () { if (polling === null) polling = setInterval(poll, pollS * 1000); };
    stream.onopen = function () { if (polling !== null) { clearInterval(polling); polling = null; } };
  } else {
    setInterval(poll, pollS * 1000);
  }
})();
