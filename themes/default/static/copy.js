/* Copy buttons of code blocks. A snippet's button copies its commands only (no prompts,
   no output: its data-copy); a plain block's copies the block's text. "Copied" shows on
   the button and is announced through a live region. Without JavaScript, or without a
   clipboard, the buttons stay hidden. */
(function () {
  if (!navigator.clipboard) return;
  var status = document.createElement("p");
  status.className = "visually-hidden copy-status";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  document.body.appendChild(status);
  document.querySelectorAll(".snippet-copy, .code-copy").forEach(function (b) {
    b.hidden = false;
  });
  document.addEventListener("click", function (event) {
    var b = event.target.closest && event.target.closest(".snippet-copy, .code-copy");
    if (!b) return;
    var text = b.dataset.copy;
    if (text === undefined) {
      var pre = b.closest(".code-block").querySelector("pre");
      text = pre.textContent.replace(/\n$/, "");
    }
    navigator.clipboard.writeText(text).then(function () {
      b.textContent = "Copied";
      status.textContent = "";
      setTimeout(function () { status.textContent = "Copied"; }, 50);
      setTimeout(function () { b.textContent = "Copy"; }, 1500);
    });
  });
})();
