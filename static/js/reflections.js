// Reflections autosave while typing (debounced) and when leaving the page. A copy of unsaved text is
// kept in this browser, so text typed offline or after the session expired is restored on return.
// Each save carries the revision it was based on; the server refuses a stale one (409) and sends the
// newer text, which is offered instead of silently overwriting either version.
(function () {
  var tokenMeta = document.querySelector('meta[name="csrf-token"]');
  if (!window.fetch || !tokenMeta) { return; }

  // The same rule as the server's word_count: letters and digits, joined by inner apostrophes or hyphens.
  function words(text) { var m = text.match(/[\p{L}\p{N}\p{M}_]+(?:['’\-][\p{L}\p{N}\p{M}_]+)*/gu); return m ? m.length : 0; }

  function setup(box) {
    var form = box.querySelector("form");
    var area = box.querySelector("[data-text]");
    var revisionInput = box.querySelector("[data-revision]");
    var status = box.querySelector("[data-status]");
    var count = box.querySelector("[data-count]");
    var key = box.getAttribute("data-storage-key");
    var minWords = parseInt(box.getAttribute("data-min-words"), 10) || 0;
    var saveUrl = box.getAttribute("data-save-url");
    var timer = null, saving = false, dirty = false, conflict = false, loggedOut = false, loginNote = null;

    function show(text, state) {
      status.textContent = text;
      status.className = state ? "is-" + state : "";
      box.classList.toggle("has-problem", state === "unsaved" || state === "conflict");
    }
    function updateCount() {
      var n = words(area.value);
      count.textContent = n + " words" + (minWords ? " of at least " + minWords : "");
    }
    function keep() {
      try { localStorage.setItem(key, JSON.stringify({ text: area.value, revision: revisionInput.value, at: Date.now() })); } catch (e) {}
    }
    function forget() { try { localStorage.removeItem(key); } catch (e) {} }

    // The session ended: keep the text here, say so with a way to log in, and save once logged in again.
    function waitForLogin() {
      keep();
      show(window.courseSession.message, "unsaved");
      if (!loginNote) {
        loginNote = document.createElement("p");
        loginNote.className = "autosave-login";
        loginNote.appendChild(window.courseSession.loginLink());
        status.parentNode.insertAdjacentElement("afterend", loginNote);
      }
      if (loggedOut) { return; }
      loggedOut = true;
      window.courseSession.whenLoggedIn(function () {
        loggedOut = false;
        if (loginNote) { loginNote.remove(); loginNote = null; }
        save();
      });
    }

    function save(keepalive) {
      if (!dirty || saving || conflict || loggedOut) { return; }
      saving = true;
      var sent = area.value;
      show("Saving…", "");
      fetch(saveUrl, {
        method: "POST", credentials: "same-origin", keepalive: !!keepalive,
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": tokenMeta.content },
        body: JSON.stringify({ text: sent, revision: parseInt(revisionInput.value, 10) || 0 })
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) { return { status: response.status, data: data }; });
      }).then(function (result) {
        saving = false;
        if (result.status === 200) {
          revisionInput.value = result.data.revision;
          showModel(result.data.model_html);
          if (area.value === sent) { dirty = false; forget(); show("Saved", "saved"); } else { keep(); schedule(); }
        } else if (result.status === 409) {
          conflict = true;
          offerNewer(result.data);
        } else if (result.status === 401 || (result.status === 400 && /security token/.test(result.data.error || ""))) {
          waitForLogin();  // a 400 here is a CSRF token from before a login in another tab: fetch a fresh one
        } else {
          keep();
          show("Not saved (" + (result.data.error || "error " + result.status) + "). Your text is kept in this browser.", "unsaved");
        }
      }).catch(function () {
        saving = false;
        keep();
        show("Offline: not saved yet. Your text is kept in this browser and will be saved when you are back online.", "unsaved");
      });
    }

    // The server sends a reflection's model response once enough words are saved; it was not on the page before.
    function showModel(html) {
      var locked = box.querySelector("[data-model-locked]");
      if (!html || !locked) { return; }
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var model = holder.firstElementChild;
      model.setAttribute("role", "region");
      model.setAttribute("aria-label", "Model response");
      locked.replaceWith(model);
    }

    function offerNewer(data) {
      show("Newer text was saved elsewhere. Choose which version to keep below.", "conflict");
      var panel = document.createElement("div");
      panel.className = "notice notice-warning";
      panel.setAttribute("role", "alert");
      var p = document.createElement("p");
      p.textContent = "This reflection was saved from another tab or device (" + words(data.text || "") + " words). Your version stays in the box until you choose.";
      var quote = document.createElement("blockquote");
      quote.className = "saved-text";
      quote.textContent = data.text || "(empty)";
      var useTheirs = document.createElement("button");
      useTheirs.type = "button"; useTheirs.className = "button button-secondary"; useTheirs.textContent = "Use the saved version";
      var useMine = document.createElement("button");
      useMine.type = "button"; useMine.className = "button"; useMine.textContent = "Keep my version";
      useTheirs.onclick = function () { area.value = data.text || ""; revisionInput.value = data.revision; conflict = false; dirty = false; forget(); panel.remove(); updateCount(); show("Saved", "saved"); };
      useMine.onclick = function () { revisionInput.value = data.revision; conflict = false; dirty = true; panel.remove(); save(); };
      var actions = document.createElement("p");
      actions.className = "actions";
      actions.appendChild(useMine); actions.appendChild(useTheirs);
      panel.appendChild(p); panel.appendChild(quote); panel.appendChild(actions);
      form.insertBefore(panel, area);
    }

    function schedule() { clearTimeout(timer); timer = setTimeout(save, 1500); }

    area.addEventListener("input", function () {
      dirty = true; keep(); updateCount();
      if (loggedOut) { show(window.courseSession.message, "unsaved"); } else { show("Unsaved changes", "unsaved"); schedule(); }
    });
    window.addEventListener("online", function () { if (dirty) { save(); } });
    window.addEventListener("pagehide", function () { if (dirty) { keep(); save(true); } });
    document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden" && dirty) { save(true); } });

    // Text typed before this script ran (it loads deferred) has fired no input event: treat it as unsaved.
    if (area.value !== area.defaultValue) { dirty = true; keep(); updateCount(); show("Unsaved changes", "unsaved"); schedule(); return; }
    // Restore a copy typed earlier that never reached the server.
    try {
      var stored = JSON.parse(localStorage.getItem(key) || "null");
      if (stored && typeof stored.text === "string" && stored.text !== area.value) {
        area.value = stored.text;
        // Save against the revision the copy was based on: if the text moved on elsewhere, the server says 409.
        if (stored.revision !== undefined) { revisionInput.value = stored.revision; }
        dirty = true;
        updateCount();
        show("Restored text you typed earlier; saving…", "unsaved");
        save();
      } else if (stored) { forget(); }
    } catch (e) {}
  }

  document.querySelectorAll("[data-reflection]").forEach(setup);
})();
