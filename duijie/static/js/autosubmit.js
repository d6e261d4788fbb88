// A select marked data-autosubmit sends its form when the choice changes (no inline handlers: the CSP forbids them).
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target && target.matches && target.matches("select[data-autosubmit]") && target.form) {
    target.form.submit();
  }
});
