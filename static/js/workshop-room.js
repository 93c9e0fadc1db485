// Keyboard shortcuts for the projected room view: N or → for the next vignette, P or ← for
// the previous one, R to reveal or hide the intended mapping. Each presses a real button of
// a real form, so the page works the same without this file. Keys typed into a field, or
// pressed with a modifier, are left alone.
(function () {
  "use strict";
  var keys = { n: "n", arrowright: "n", p: "p", arrowleft: "p", r: "r" };
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) {
      return;
    }
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) {
      return;
    }
    var name = keys[String(event.key).toLowerCase()];
    if (!name) {
      return;
    }
    var button = document.querySelector('[data-room] [data-room-key="' + name + '"]');
    if (button) {
      event.preventDefault();
      button.click();
    }
  });
})();
