// When the server answers a script with 401 (the session ended: logged out in another tab, a password
// changed elsewhere, an idle timeout), scripts keep their text on this device and wait here until the
// learner is logged in again, in this tab or another; then they get a fresh CSRF token and save.
window.courseSession = (function () {
  var MESSAGE = "You were logged out. Log in to save; your text is kept on this device.";
  var STATE_URL = "/account/session";  // the auth blueprint's session_state view
  var waiting = [], timer = null;

  function refreshTokens(token) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) { meta.content = token; }
    document.querySelectorAll('input[name="csrf_token"]').forEach(function (input) { input.value = token; });
  }
  function check() {
    if (!waiting.length) { return; }
    fetch(STATE_URL, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (!data.logged_in) { return; }
        refreshTokens(data.csrf_token);
        var callbacks = waiting; waiting = [];
        clearInterval(timer); timer = null;
        callbacks.forEach(function (callback) { callback(); });
      }).catch(function () {});
  }
  function whenLoggedIn(callback) {
    waiting.push(callback);
    if (!timer) { timer = setInterval(check, 10000); setTimeout(check, 1000); }
  }
  window.addEventListener("focus", check);
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "visible") { check(); } });

  function loginLink() {
    var link = document.createElement("a");
    link.href = "/account/login?next=" + encodeURIComponent(location.pathname + location.search + location.hash);
    link.textContent = "Log in";
    link.className = "autosave-login";
    return link;
  }
  return { message: MESSAGE, whenLoggedIn: whenLoggedIn, loginLink: loginLink, check: check };
})();
