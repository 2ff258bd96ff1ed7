// Post-test answers are kept in this browser as they are chosen, and saved to the server a moment
// later, so a lost connection, a closed tab or an expired session never loses them.
(function () {
  var form = document.querySelector("[data-quiz-form]");
  if (!form || !window.fetch) { return; }
  var key = "quiz:" + form.getAttribute("data-attempt");
  var status = document.querySelector("[data-quiz-status]");
  var revision = form.querySelector("input[name=revision]");
  var timer = null, inflight = null, loggedOut = false, loginNote = null;

  function answers() {
    var pairs = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !/^q-/.test(el.name)) { return; }
      if ((el.type === "radio" || el.type === "checkbox") && el.checked) { pairs.push([el.name, el.value]); }
      if (el.tagName === "SELECT" && el.value) { pairs.push([el.name, el.value]); }
    });
    return pairs;
  }
  function restore(pairs) {
    // Only questions the page shows unanswered: an answer the server already has is kept as it is.
    var answered = {};
    answers().forEach(function (pair) { answered[pair[0]] = true; });
    pairs = pairs.filter(function (pair) { return !answered[pair[0]]; });
    pairs.forEach(function (pair) {
      Array.prototype.forEach.call(form.querySelectorAll("[name='" + pair[0] + "']"), function (el) {
        if (el.tagName === "SELECT") { el.value = pair[1]; } else if (el.value === pair[1]) { el.checked = true; }
      });
    });
    return pairs.length;
  }
  function say(text) { if (status) { status.textContent = text; } }
  function keep() { try { localStorage.setItem(key, JSON.stringify(answers())); } catch (e) {} }

  // The session ended: the answers stay in this browser; say so with a way to log in, and save once logged in.
  function waitForLogin() {
    say(window.courseSession.message);
    if (!loginNote && status) {
      loginNote = document.createElement("p");
      loginNote.appendChild(window.courseSession.loginLink());
      status.insertAdjacentElement("afterend", loginNote);
    }
    if (loggedOut) { return; }
    loggedOut = true;
    window.courseSession.whenLoggedIn(function () {
      loggedOut = false;
      if (loginNote) { loginNote.remove(); loginNote = null; }
      save();
    });
  }

  function save() {
    if (loggedOut) { return; }
    var data = new FormData(form);
    data.set("action", "save");
    inflight = fetch(form.getAttribute("action"), { method: "POST", body: data, credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (response.status === 401 || response.redirected) { waitForLogin(); return null; }
        if (response.status === 400) {
          return response.json().catch(function () { return {}; }).then(function (data) {
            if (/security token/.test(data.error || "")) { waitForLogin(); }  // a token from before a login elsewhere
            return null;
          });
        }
        if (response.status === 409) { say("These answers were changed in another tab. Reload to see the latest; your choices here are kept in this browser."); return null; }
        return response.ok ? response.json() : null;
      })
      .then(function (result) { if (result && result.revision !== undefined) { revision.value = result.revision; say("Answers saved"); } })
      .catch(function () { say("Offline: your answers are kept in this browser and will be saved when you submit."); })
      .then(function () { inflight = null; });
  }

  // Submitting while a save is still on its way would look like an edit from another tab: wait for it.
  form.addEventListener("submit", function (event) {
    clearTimeout(timer);
    keep();
    if (inflight) {
      event.preventDefault();
      var submitter = event.submitter;
      inflight.then(function () { form.requestSubmit(submitter); });
    }
  });
  form.addEventListener("change", function () {
    keep();
    if (loggedOut) { say(window.courseSession.message); return; }
    say("Saving…");
    clearTimeout(timer);
    timer = setTimeout(save, 1000);
  });

  try {
    var stored = JSON.parse(localStorage.getItem(key) || "null");
    if (stored && stored.length && restore(stored)) {
      say("Restored the answers you chose earlier in this browser.");
      save();
    }
  } catch (e) {}
})();
