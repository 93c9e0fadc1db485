// Nothing typed is lost. A form marked data-keep-unsent="<name>" has what is typed into it
// copied to sessionStorage as the person types (keyed by signed-in person, form action and
// name). If the form is sent and the session had ended, or the tab was reloaded, the copy is
// put back when the same form appears again as it was, with a notice and a "Discard it"
// button.
//
// The copy is deleted only once the server confirms it received the form: the form carries a
// `_keep_unsent` field with the copy's id, and a successful POST (a redirect, or htmx's
// HX-Redirect) answers with a short-lived `appear_sent` cookie naming it
// (accounts.middleware.KeepUnsentReceiptMiddleware). An htmx submit answered in place counts
// as received when the form does not come back with errors or marked
// data-keep-unsent-unsaved. Explicitly signing out deletes all copies.
//
// sessionStorage rather than localStorage: the copy lives as long as the tab, which is where
// signing in again brings the person back, and is gone when the browser closes, so reflective
// notes are not left on a shared computer (sessions end at browser close too).
(function () {
  "use strict";

  var PREFIX = "appear.unsent.";
  var RECEIPT_COOKIE = "appear_sent";
  var ID_FIELD = "_keep_unsent";
  var SKIPPED_TYPES = ["password", "hidden", "file", "submit", "button", "reset", "image"];

  var storage = (function () {
    try {
      var probe = PREFIX + "probe";
      window.sessionStorage.setItem(probe, "1");
      window.sessionStorage.removeItem(probe);
      return window.sessionStorage;
    } catch (error) {
      return null;
    }
  })();
  if (!storage) {
    return;
  }

  var session = document.querySelector("[data-idle-warning]");
  var user = session ? session.getAttribute("data-user") : null;
  var signOutPath = session ? pathOf(session.getAttribute("data-sign-out-url")) : null;

  function pathOf(url) {
    var anchor = document.createElement("a");
    anchor.href = url || window.location.href;
    return anchor.pathname;
  }

  function storageKeys() {
    var keys = [];
    for (var i = 0; i < storage.length; i += 1) {
      var key = storage.key(i);
      if (key && key.indexOf(PREFIX) === 0) {
        keys.push(key);
      }
    }
    return keys;
  }

  function read(key) {
    try {
      return JSON.parse(storage.getItem(key) || "null");
    } catch (error) {
      return null;
    }
  }

  function write(key, entry) {
    try {
      storage.setItem(key, JSON.stringify(entry));
    } catch (error) {
      // Storage full or refused: the form still works, only the safety copy is missing.
    }
  }

  function removeWhere(test) {
    storageKeys().forEach(function (key) {
      if (test(key, read(key))) {
        storage.removeItem(key);
      }
    });
  }

  function newId() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map
      .call(bytes, function (byte) {
        return ("0" + byte.toString(16)).slice(-2);
      })
      .join("");
  }

  function keptFields(form) {
    return Array.prototype.filter.call(form.elements, function (element) {
      return (
        element.name &&
        element.name !== "csrfmiddlewaretoken" &&
        element.name !== ID_FIELD &&
        SKIPPED_TYPES.indexOf(element.type) === -1 &&
        !element.hasAttribute("data-keep-unsent-skip")
      );
    });
  }

  // A snapshot of the form: what the page was sent with (initial) or what is there now.
  function snapshot(form, initial) {
    var values = {};
    keptFields(form).forEach(function (element) {
      var list = values[element.name] || (values[element.name] = []);
      if (element.type === "checkbox" || element.type === "radio") {
        if (initial ? element.defaultChecked : element.checked) {
          list.push(element.value);
        }
      } else if (element.tagName === "SELECT") {
        Array.prototype.forEach.call(element.options, function (option) {
          if (initial ? option.defaultSelected : option.selected) {
            list.push(option.value);
          }
        });
      } else {
        list.push(initial ? element.defaultValue : element.value);
      }
    });
    return JSON.stringify(values);
  }

  function restore(form, json) {
    var values = JSON.parse(json);
    var used = {};
    keptFields(form).forEach(function (element) {
      var list = values[element.name] || [];
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = list.indexOf(element.value) !== -1;
      } else if (element.tagName === "SELECT") {
        Array.prototype.forEach.call(element.options, function (option) {
          option.selected = list.indexOf(option.value) !== -1;
        });
      } else {
        var index = used[element.name] || 0;
        used[element.name] = index + 1;
        if (index < list.length) {
          element.value = list[index];
        }
      }
    });
  }

  function keyFor(form) {
    return PREFIX + user + ":" + pathOf(form.getAttribute("action")) + ":" + form.getAttribute("data-keep-unsent");
  }

  function readReceipt() {
    var match = document.cookie.match(/(?:^|;\s*)appear_sent=([A-Za-z0-9_-]+)/);
    if (!match) {
      return null;
    }
    document.cookie =
      RECEIPT_COOKIE + "=; Max-Age=0; Path=/; SameSite=Lax" + (window.location.protocol === "https:" ? "; Secure" : "");
    return match[1];
  }

  function applyReceipt() {
    var receipt = readReceipt();
    if (receipt) {
      removeWhere(function (key, entry) {
        return entry && entry.id === receipt;
      });
    }
  }

  function showRestoredNotice(form, key) {
    var template = document.getElementById("keep-unsent-restored");
    if (!template) {
      return;
    }
    var notice = template.content.firstElementChild.cloneNode(true);
    form.parentNode.insertBefore(notice, form);
    var discard = notice.querySelector("[data-keep-unsent-discard]");
    if (discard) {
      discard.addEventListener("click", function () {
        form.reset();
        storage.removeItem(key);
        notice.parentNode.removeChild(notice);
        var first = keptFields(form)[0];
        if (first) {
          first.focus();
        }
      });
    }
  }

  function isBlank(form) {
    return keptFields(form).every(function (element) {
      var choice = element.type === "checkbox" || element.type === "radio" || element.tagName === "SELECT";
      return choice || element.value === "";
    });
  }

  function idField(form) {
    var field = form.querySelector('input[name="' + ID_FIELD + '"]');
    if (!field) {
      field = document.createElement("input");
      field.type = "hidden";
      field.name = ID_FIELD;
      form.appendChild(field);
    }
    return field;
  }

  function watch(form) {
    if (form.hasAttribute("data-keep-unsent-watched")) {
      return;
    }
    form.setAttribute("data-keep-unsent-watched", "");
    var key = keyFor(form);
    var current = snapshot(form, false);
    var entry = read(key);
    // A copy that is still unsent began from the form as it first came: keep comparing with
    // that, not with a form the server has since shown again (with errors, or a new row).
    var baseline = entry && entry.baseline ? entry.baseline : snapshot(form, true);
    // Put the copy back only where it cannot overwrite something newer: into a blank form,
    // or into the form exactly as it was when the typing began.
    if (entry && entry.values !== current && (current === entry.baseline || isBlank(form))) {
      restore(form, entry.values);
      showRestoredNotice(form, key);
    }
    var id = entry && entry.id ? entry.id : newId();
    // In the form from the start, so htmx sends it as well as a plain submit.
    idField(form).value = id;

    // Kept until the server confirms receipt, even when it matches what the page was sent
    // with: after errors the page echoes the typed text, and that must survive an expiry too.
    function save() {
      write(key, { id: id, baseline: baseline, values: snapshot(form, false), savedAt: Date.now() });
    }

    form.addEventListener("input", save);
    form.addEventListener("change", save);
    form.addEventListener("submit", function () {
      idField(form).value = id;
      save();
    });
  }

  function watchWithin(root) {
    if (root.matches && root.matches("form[data-keep-unsent]")) {
      watch(root);
    }
    if (root.querySelectorAll) {
      Array.prototype.forEach.call(root.querySelectorAll("form[data-keep-unsent]"), watch);
    }
  }

  // Whether the answer to an htmx submit shows the form `name` again unsaved: with errors,
  // or marked data-keep-unsent-unsaved (e.g. a row was added). Read before the swap, so the
  // fresh form that replaces a sent one is never filled from a copy about to be deleted.
  function comesBackUnsaved(html, name) {
    var page = new DOMParser().parseFromString(html || "", "text/html");
    var again = page.querySelector('form[data-keep-unsent="' + name + '"]');
    return Boolean(again && (again.querySelector('[aria-invalid="true"]') || again.hasAttribute("data-keep-unsent-unsaved")));
  }

  function watchHtmxSubmits() {
    document.addEventListener("htmx:afterRequest", applyReceipt);
    document.addEventListener("htmx:beforeSwap", function (event) {
      var detail = event.detail || {};
      var source = detail.requestConfig ? detail.requestConfig.elt : null;
      var form = source && source.closest ? source.closest("form[data-keep-unsent]") : null;
      var xhr = detail.xhr;
      // A save that sends the page on (HX-Redirect) is confirmed by the receipt cookie there.
      if (!form || !xhr || xhr.status < 200 || xhr.status >= 300 || xhr.getResponseHeader("HX-Redirect")) {
        return;
      }
      if (!comesBackUnsaved(xhr.responseText, form.getAttribute("data-keep-unsent"))) {
        storage.removeItem(keyFor(form));
      }
    });
    // Forms htmx swaps in (a comment thread, a record form shown again) are watched too.
    document.addEventListener("htmx:load", function (event) {
      if (event.detail && event.detail.elt) {
        watchWithin(event.detail.elt);
      }
    });
  }

  function forgetOnSignOut() {
    document.addEventListener(
      "submit",
      function (event) {
        var form = event.target;
        if (form.hasAttribute("data-sign-out") || pathOf(form.getAttribute("action")) === signOutPath) {
          removeWhere(function () {
            return true;
          });
        }
      },
      true
    );
  }

  applyReceipt();
  if (!user) {
    // Not signed in (e.g. on the sign-in page after the session ended): keep every copy.
    return;
  }
  // A different person signed in in this tab: the previous person's copies are not theirs.
  removeWhere(function (key) {
    return key.indexOf(PREFIX + user + ":") !== 0;
  });
  watchWithin(document);
  watchHtmxSubmits();
  forgetOnSignOut();
})();
