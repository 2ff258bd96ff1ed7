// Time on task: report a heartbeat every interval (30 s by default) while the tab is visible and the
// learner has interacted within the last minute. The server credits at most one interval per heartbeat,
// nothing for a heartbeat that comes too soon after another (two tabs never count twice), and nothing
// unless the heartbeat says its tab is visible.
(function () {
  var layout = document.querySelector("[data-activity-url]");
  var tokenMeta = document.querySelector('meta[name="csrf-token"]');
  if (!layout || !tokenMeta || !window.fetch) { return; }
  var url = layout.getAttribute("data-activity-url");
  var interval = (parseInt(layout.getAttribute("data-activity-interval"), 10) || 30) * 1000;
  var lastInteraction = Date.now();
  var shown = document.querySelector("[data-active-minutes]");
  ["scroll", "keydown", "pointerdown", "pointermove", "input", "touchstart"].forEach(function (name) {
    window.addEventListener(name, function () { lastInteraction = Date.now(); }, { passive: true });
  });
  function beat() {
    if (document.visibilityState !== "visible" || Date.now() - lastInteraction > 60000) { return; }
    fetch(url, { method: "POST", credentials: "same-origin", body: JSON.stringify({ visible: true }),
      headers: { "X-CSRFToken": tokenMeta.content, "Accept": "application/json", "Content-Type": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data && shown) { shown.textContent = Math.floor(data.active_seconds / 60); }
        if (data && data.certificate) { announce(data.certificate); }
      })
      .catch(function () {});
  }
  // The heartbeat that completes the last requirement issues the certificate: say so on this page at once.
  function announce(code) {
    if (document.querySelector("[data-certificate-ready]")) { return; }
    var notice = document.createElement("p");
    notice.className = "notice notice-success";
    notice.setAttribute("role", "status");
    notice.setAttribute("data-certificate-ready", "");
    notice.textContent = "Everything for this module is done: your certificate is issued. ";
    var link = document.createElement("a");
    link.href = "/certificates/" + encodeURIComponent(code);
    link.textContent = "View your certificate";
    notice.appendChild(link);
    var main = document.querySelector("main .wrap") || document.body;
    main.insertBefore(notice, main.firstChild);
  }
  beat();
  setInterval(beat, interval);
})();
