// The batch page: while the reports are being reviewed, poll the status and show the progress;
// reload when the batch is done. On the upload form, show that the files are being sent.
(function () {
  "use strict";
  var form = document.getElementById("batch-form");
  if (form) {
    form.addEventListener("submit", function () {
      var button = document.getElementById("batch-submit");
      if (button) { button.disabled = true; }
      var busy = form.querySelector(".busy");
      if (busy) { busy.hidden = false; }
    });
  }
  var box = document.getElementById("batch");
  if (!box) { return; }
  var state = box.getAttribute("data-state");
  if (state !== "waiting" && state !== "running") { return; }
  var bid = box.getAttribute("data-bid");
  var bar = document.getElementById("progress-bar");
  var text = document.getElementById("progress-text");
  function poll() {
    fetch("/batch/" + encodeURIComponent(bid) + "/status.json", {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (s.state === "done" || s.state === "error") { window.location.reload(); return; }
        bar.value = s.done;
        text.textContent = s.state === "waiting" ? "排队等待中（另一批报告正在审核）"
          : "已审核 " + s.done + " / " + s.total + " 份" + (s.failed ? "，未能审核 " + s.failed + " 份" : "");
        window.setTimeout(poll, 400);
      })
      .catch(function () { window.setTimeout(poll, 1500); });
  }
  window.setTimeout(poll, 300);
})();
