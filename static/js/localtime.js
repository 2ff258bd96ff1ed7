// Show a moment in the learner's own time zone; the provider's zone, written by the server, stays beside it.
(function () {
  document.querySelectorAll("time[data-local-time]").forEach(function (el) {
    var moment = new Date(el.getAttribute("datetime"));
    if (isNaN(moment.getTime())) { return; }
    var mine = moment.toLocaleString(undefined, { weekday: "long", month: "long", day: "numeric",
      hour: "numeric", minute: "2-digit", timeZoneName: "short" });
    var provider = el.textContent;
    el.textContent = mine + " your time";
    el.insertAdjacentText("afterend", " (" + provider + ")");
  });
})();
