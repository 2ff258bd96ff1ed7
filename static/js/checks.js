// Knowledge checks work as plain forms; this script sends the answer in the background and shows the
// server's feedback in place, so the page does not jump. The key is never on the page before an answer.
(function () {
  if (!window.fetch || !window.FormData) { return; }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-check-form]")) { return; }
    event.preventDefault();
    var box = form.closest("[data-check]");
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin",
                         headers: { "Accept": "application/json" } })
      .then(function (response) {
        return response.json().then(function (data) { return { status: response.status, data: data }; });
      })
      .then(function (result) {
        if (result.status === 200 && result.data.html) {
          var holder = document.createElement("div");
          holder.innerHTML = result.data.html;
          var fresh = holder.firstElementChild;
          box.replaceWith(fresh);
          var verdict = fresh.querySelector("[data-verdict]");
          if (verdict) { verdict.focus(); }
          return;
        }
        button.disabled = false;
        showProblem(form, result.data.error || "This answer could not be checked. Please try again.");
      })
      .catch(function () { form.submit(); });  // offline or a network fault: fall back to the plain form
  });

  function showProblem(form, text) {
    var note = form.querySelector("[data-check-problem]");
    if (!note) {
      note = document.createElement("p");
      note.className = "check-problem";
      note.setAttribute("role", "alert");
      note.setAttribute("data-check-problem", "");
      form.insertBefore(note, form.querySelector("button[type=submit]"));
    }
    note.textContent = text;
  }
})();
