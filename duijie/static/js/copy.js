// A button marked data-copy="#id" copies that field's text and says so for a moment (no inline handlers: the
// CSP forbids them). Where the clipboard is not available (plain http), the field's text is selected instead.
document.addEventListener("click", function (event) {
  var button = event.target && event.target.closest ? event.target.closest("button[data-copy]") : null;
  if (!button) { return; }
  var field = document.querySelector(button.getAttribute("data-copy"));
  if (!field) { return; }
  var label = button.textContent;
  var done = function () {
    button.textContent = button.getAttribute("data-copied") || label;
    setTimeout(function () { button.textContent = label; }, 1800);
  };
  field.focus();
  field.select();
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(done, function () {});
  } else if (document.execCommand && document.execCommand("copy")) {
    done();
  }
});
