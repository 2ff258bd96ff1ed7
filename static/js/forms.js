// Move focus to the error summary when a form comes back with errors, so screen readers hear it first.
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
  // A submitted attempt no longer needs the copy of its answers kept in this browser.
  document.querySelectorAll("[data-clear-storage]").forEach(function (el) {
    try { localStorage.removeItem(el.getAttribute("data-clear-storage")); } catch (e) {}
  });
  // The lesson's contents sit open beside the text on a wide screen and folded above it on a phone.
  var toc = document.querySelector("[data-toc]");
  if (toc && window.matchMedia("(min-width: 64rem)").matches) { toc.open = true; }
});

// On a phone the main navigation folds behind a Menu button (without script it simply shows in full).
document.addEventListener("DOMContentLoaded", function () {
  var toggle = document.querySelector(".menu-toggle");
  var nav = document.getElementById("site-nav");
  if (!toggle || !nav) { return; }
  toggle.hidden = false;
  toggle.addEventListener("click", function () {
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    nav.classList.toggle("is-open", open);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && nav.classList.contains("is-open")) {
      toggle.setAttribute("aria-expanded", "false");
      nav.classList.remove("is-open");
      toggle.focus();
    }
  });
});
