// Idle-session warning. The server ends a session after SESSION_IDLE_TIMEOUT seconds without
// a request (accounts.middleware.IdleSessionMiddleware). Two minutes before that, this asks
// "Are you still there?" in a modal alert dialog with "Stay signed in" (a POST to the
// keep-alive endpoint) and "Sign out". When the time is up it reloads the page, so the server
// can send the person to sign in and nothing sensitive stays on an unattended screen.
// Tabs share the expiry time through localStorage, so activity in one tab calms the others.
// Progressive enhancement: without script the session still ends on the server.
(function () {
  "use strict";

  var body = document.body;
  var dialog = document.querySelector("[data-idle-warning]");
  if (!body || !dialog || !body.hasAttribute("data-idle-timeout")) {
    return;
  }
  var timeout = parseInt(body.getAttribute("data-idle-timeout"), 10);
  var left = parseInt(body.getAttribute("data-idle-left") || "", 10);
  if (!(timeout > 0)) {
    return;
  }
  if (!(left > 0)) {
    left = timeout;
  }

  var STORAGE_KEY = "appear.idle.expiresAt";
  var WARN_BEFORE_MS = Math.min(120, Math.floor(timeout / 2)) * 1000;
  var expiresAt = Date.now() + left * 1000;
  var returnFocus = null;
  var ended = false;
  var stayForm = dialog.querySelector("[data-idle-stay]");
  var text = dialog.querySelector("[data-idle-text]");
  var textTemplate = dialog.querySelector("[data-idle-text-template]");

  function readShared() {
    try {
      return parseInt(window.localStorage.getItem(STORAGE_KEY) || "0", 10) || 0;
    } catch (error) {
      return 0;
    }
  }

  function writeShared(value) {
    try {
      if (value > readShared()) {
        window.localStorage.setItem(STORAGE_KEY, String(value));
      }
    } catch (error) {
      // Storage can be switched off; this tab then keeps its own clock.
    }
  }

  function currentExpiry() {
    return Math.max(expiresAt, readShared());
  }

  function extendBy(seconds) {
    if (seconds > 0) {
      expiresAt = Date.now() + seconds * 1000;
      writeShared(expiresAt);
    }
  }

  function describe(at) {
    if (!text || !textTemplate) {
      return;
    }
    var time = new Date(at).toLocaleTimeString(document.documentElement.lang || undefined, {
      hour: "2-digit",
      minute: "2-digit",
    });
    text.textContent = textTemplate.content.textContent.replace("{time}", time);
  }

  function open(at) {
    describe(at);
    returnFocus = document.activeElement;
    if (typeof dialog.showModal === "function") {
      dialog.showModal();
    } else {
      dialog.setAttribute("open", "");
    }
    var stayButton = stayForm ? stayForm.querySelector("button") : null;
    if (stayButton) {
      stayButton.focus();
    }
  }

  function close() {
    if (typeof dialog.close === "function") {
      dialog.close();
    } else {
      dialog.removeAttribute("open");
    }
    if (returnFocus && typeof returnFocus.focus === "function") {
      returnFocus.focus();
    }
    returnFocus = null;
  }

  function end() {
    ended = true;
    window.location.assign(window.location.href);
  }

  function tick() {
    if (ended) {
      return;
    }
    var at = currentExpiry();
    var remaining = at - Date.now();
    if (remaining <= 0) {
      end();
    } else if (remaining <= WARN_BEFORE_MS) {
      if (!dialog.open) {
        open(at);
      }
    } else if (dialog.open) {
      close();
    }
  }

  function stay() {
    var request = new XMLHttpRequest();
    request.open("POST", stayForm.action);
    request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    request.onload = function () {
      // Anything but 204 means the session had already ended: reload to go and sign in.
      if (request.status !== 204) {
        end();
        return;
      }
      extendBy(parseInt(request.getResponseHeader("X-Session-Idle-Left") || "", 10) || timeout);
      close();
    };
    request.onerror = end;
    request.send(new FormData(stayForm));
  }

  if (stayForm) {
    stayForm.addEventListener("submit", function (event) {
      event.preventDefault();
      stay();
    });
  }

  // Escape means the person is there: treat it as "Stay signed in".
  dialog.addEventListener("cancel", function (event) {
    event.preventDefault();
    if (stayForm) {
      stay();
    }
  });

  // Every htmx request resets the server's clock, and the response says by how much.
  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail && event.detail.xhr;
    if (xhr) {
      extendBy(parseInt(xhr.getResponseHeader("X-Session-Idle-Left") || "", 10));
    }
  });

  writeShared(expiresAt);
  window.setInterval(tick, 1000);
})();
