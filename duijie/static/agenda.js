// The programme's zone switch: offers the browser's own time zone ("My time zone: Europe/London") as an option,
// read from Intl, so a visitor abroad sees the programme on their clock in one choice. Without JavaScript the
// switch still lists the common zones and the event's own (no inline handlers: the CSP forbids them).
(function () {
  // The switch sends itself on change (autosubmit.js), so its button is for pages without script only.
  document.documentElement.classList.add("js");
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!zone) { return; }
  document.querySelectorAll("select[name=tz]").forEach(function (select) {
    var mine = select.querySelector("option[data-my-zone]");
    if (!mine) { return; }
    var existing = Array.prototype.find.call(select.options, function (o) { return o.value === zone && o !== mine; });
    if (existing) {
      existing.textContent = existing.textContent + " · " + mine.textContent;
      mine.remove();
      return;
    }
    mine.value = zone;
    mine.textContent = mine.textContent + ": " + zone;
    mine.hidden = false;
    mine.disabled = false;
  });
}());
