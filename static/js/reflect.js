// The guided reflection, enhanced. Every step works without this file: it is a form that
// posts and redirects. With it:
// - the step saves itself as the worker types (debounced, one request at a time), naming the
//   revision the page holds; the status line says "Saving…", "Saved at 14:02" or why not;
// - a save that fails (offline, signed out, server error, invalid answer, conflict) leaves an
//   unsent copy in localStorage (per reflection and step), offered back on the next visit;
// - a conflict (another tab saved first) shows both versions; "keep the answers on this page"
//   saves this page's answers over the newer revision, knowingly;
// - before htmx swaps the step region (continue, back, another step), pending typing is saved
//   first, so the form never posts a revision its own autosave has already replaced;
// - after a swap, the page title follows and focus moves to the new heading.
(function () {
  "use strict";

  var DEBOUNCE_MS = 1200;
  var MAX_AGE_MS = 3 * 24 * 60 * 60 * 1000;
  var KEY_PREFIX = "appear-reflect:unsent:";
  var SKIPPED = ["csrfmiddlewaretoken", "revision"];

  document.documentElement.classList.add("js");

  var store = (function () {
    try {
      var probe = KEY_PREFIX + "probe";
      window.localStorage.setItem(probe, "1");
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (error) {
      return null;
    }
  })();

  var state = { form: null, timer: null, inFlight: null, dirty: false, conflicted: false, left: {} };

  function flowForm() {
    return document.querySelector("form[data-autosave-url]");
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function clock(date) {
    var hours = String(date.getHours()).padStart(2, "0");
    var minutes = String(date.getMinutes()).padStart(2, "0");
    return hours + ":" + minutes;
  }

  function setStatus(form, kind, time) {
    var status = form.querySelector("[data-autosave-status]");
    if (!status) {
      return;
    }
    var message = status.getAttribute("data-msg-" + kind) || "";
    status.textContent = message.replace("{time}", time || "");
    status.setAttribute("data-state", kind);
  }

  function fields(form) {
    var entries = [];
    new FormData(form).forEach(function (value, name) {
      if (SKIPPED.indexOf(name) === -1 && typeof value === "string") {
        entries.push([name, value]);
      }
    });
    return entries;
  }

  // Unsent copies ---------------------------------------------------------------------------

  function keepCopy(form) {
    if (!store) {
      return;
    }
    var copy = { saved: Date.now(), fields: fields(form) };
    try {
      store.setItem(form.getAttribute("data-unsent-key"), JSON.stringify(copy));
    } catch (error) {
      // Storage full or refused: the status line already says the save failed.
    }
  }

  function dropCopy(form) {
    if (store) {
      store.removeItem(form.getAttribute("data-unsent-key"));
    }
  }

  function readCopy(form) {
    if (!store) {
      return null;
    }
    try {
      var copy = JSON.parse(store.getItem(form.getAttribute("data-unsent-key")) || "null");
      return copy && Array.isArray(copy.fields) ? copy : null;
    } catch (error) {
      return null;
    }
  }

  function forgetOldCopies() {
    if (!store) {
      return;
    }
    for (var index = store.length - 1; index >= 0; index -= 1) {
      var key = store.key(index);
      if (key && key.indexOf(KEY_PREFIX) === 0) {
        try {
          var copy = JSON.parse(store.getItem(key) || "null");
          if (!copy || Date.now() - copy.saved > MAX_AGE_MS) {
            store.removeItem(key);
          }
        } catch (error) {
          store.removeItem(key);
        }
      }
    }
  }

  function forgetAllCopies() {
    if (!store) {
      return;
    }
    for (var index = store.length - 1; index >= 0; index -= 1) {
      var key = store.key(index);
      if (key && key.indexOf(KEY_PREFIX) === 0) {
        store.removeItem(key);
      }
    }
  }

  function sameAsForm(form, copy) {
    return JSON.stringify(fields(form)) === JSON.stringify(copy.fields);
  }

  function offerCopy(form) {
    var copy = readCopy(form);
    if (!copy) {
      return;
    }
    if (sameAsForm(form, copy)) {
      dropCopy(form);
      return;
    }
    var region = form.querySelector("[data-unsent-region]");
    var template = form.querySelector("template[data-unsent-template]");
    if (!region || !template) {
      return;
    }
    region.replaceChildren(template.content.cloneNode(true));
    var time = region.querySelector("[data-unsent-time]");
    if (time) {
      time.textContent = clock(new Date(copy.saved));
    }
  }

  function restoreCopy(form) {
    var copy = readCopy(form);
    if (!copy) {
      return;
    }
    var values = {};
    copy.fields.forEach(function (entry) {
      (values[entry[0]] = values[entry[0]] || []).push(entry[1]);
    });
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name || SKIPPED.indexOf(element.name) !== -1 || element.type === "submit") {
        return;
      }
      if (/-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS$/.test(element.name)) {
        return;
      }
      var wanted = values[element.name] || [];
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = wanted.indexOf(element.value) !== -1;
      } else if (element.tagName === "SELECT" || element.tagName === "TEXTAREA" || element.tagName === "INPUT") {
        element.value = wanted.length ? wanted[0] : "";
      }
    });
    clearOffer(form);
    state.dirty = true;
    flush();
  }

  function clearOffer(form) {
    var region = form.querySelector("[data-unsent-region]");
    if (region) {
      region.replaceChildren();
    }
  }

  // Field errors from the autosave answer -----------------------------------------------------

  function clearErrors(form) {
    form.querySelectorAll("[data-autosave-error]").forEach(function (list) {
      list.remove();
    });
    form.querySelectorAll("[data-autosave-invalid]").forEach(function (element) {
      element.removeAttribute("aria-invalid");
      element.removeAttribute("data-autosave-invalid");
    });
  }

  function clearServerErrors(form) {
    form.querySelectorAll(".field--error").forEach(function (field) {
      field.classList.remove("field--error");
      field.querySelectorAll(".errorlist").forEach(function (list) {
        list.remove();
      });
      field.querySelectorAll('[aria-invalid="true"]').forEach(function (element) {
        element.removeAttribute("aria-invalid");
      });
    });
    var summary = form.querySelector("[data-error-summary]");
    if (summary) {
      summary.remove();
    }
  }

  // Only fields the worker has left (or a row whose field they left) get a message: an answer
  // still being written is not wrong yet. Returns how many were shown.
  function hasLeft(name) {
    if (state.left[name]) {
      return true;
    }
    var row = name.match(/^(.*-\d+)-row$/);
    return Boolean(
      row &&
        Object.keys(state.left).some(function (left) {
          return left.indexOf(row[1] + "-") === 0;
        })
    );
  }

  function showErrors(form, errors) {
    clearErrors(form);
    var shown = 0;
    Object.keys(errors).forEach(function (name) {
      if (!hasLeft(name) && name !== "__all__") {
        return;
      }
      shown += 1;
      var holder =
        document.getElementById("id_" + name + "-field") ||
        document.getElementById(name) ||
        form.querySelector("[data-conflict-region]");
      if (!holder) {
        return;
      }
      var list = document.createElement("ul");
      list.className = "errorlist";
      list.id = "autosave-error-" + name;
      list.setAttribute("data-autosave-error", "");
      errors[name].forEach(function (message) {
        var item = document.createElement("li");
        item.textContent = message;
        list.appendChild(item);
      });
      var label = holder.querySelector("label, legend");
      if (label && label.parentNode) {
        label.parentNode.insertBefore(list, label.nextSibling);
      } else {
        holder.insertBefore(list, holder.firstChild);
      }
      form.querySelectorAll('[name="' + name + '"]').forEach(function (element) {
        element.setAttribute("aria-invalid", "true");
        element.setAttribute("data-autosave-invalid", "");
        var described = (element.getAttribute("aria-describedby") || "").split(" ");
        if (described.indexOf(list.id) === -1) {
          described.push(list.id);
          element.setAttribute("aria-describedby", described.join(" ").trim());
        }
      });
    });
    return shown;
  }

  // Saving ---------------------------------------------------------------------------------

  function failed(form, kind) {
    keepCopy(form);
    state.dirty = true;
    setStatus(form, kind);
  }

  function send(form) {
    var body = new FormData(form);
    state.dirty = false;
    setStatus(form, "saving");
    return window
      .fetch(form.getAttribute("data-autosave-url"), {
        method: "POST",
        body: body,
        credentials: "same-origin",
        redirect: "manual",
        headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      })
      .then(function (response) {
        if (form !== flowForm()) {
          return null;
        }
        if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) {
          failed(form, "signed-out");
          return null;
        }
        if (response.status === 409) {
          return response.text().then(function (html) {
            var region = form.querySelector("[data-conflict-region]");
            if (region) {
              region.innerHTML = html;
            }
            state.conflicted = true;
            failed(form, "conflict");
          });
        }
        if (!response.ok) {
          failed(form, "failed");
          return null;
        }
        return response.json().then(function (answer) {
          if (!answer.saved) {
            var shown = showErrors(form, answer.errors || {});
            failed(form, shown ? "invalid" : "waiting");
            return;
          }
          var revision = form.querySelector("[data-revision]");
          if (revision) {
            revision.value = answer.revision;
          }
          Object.keys(answer.row_ids || {}).forEach(function (name) {
            var input = form.querySelector('[name="' + name + '"]');
            if (input) {
              input.value = answer.row_ids[name];
            }
          });
          clearErrors(form);
          clearServerErrors(form);
          if (!state.dirty) {
            dropCopy(form);
          }
          setStatus(form, "saved", answer.saved_at);
        });
      })
      .catch(function () {
        if (form === flowForm()) {
          failed(form, "offline");
        }
      });
  }

  // Save now if there is anything to save; resolves once nothing is in flight.
  function flush() {
    var form = flowForm();
    window.clearTimeout(state.timer);
    state.timer = null;
    if (state.inFlight) {
      return state.inFlight.then(function () {
        return state.dirty && !state.conflicted ? flush() : null;
      });
    }
    if (!form || !state.dirty || state.conflicted) {
      return Promise.resolve();
    }
    state.inFlight = send(form).then(function () {
      state.inFlight = null;
    });
    return state.inFlight;
  }

  function schedule() {
    state.dirty = true;
    if (state.conflicted) {
      keepCopy(flowForm());
      return;
    }
    window.clearTimeout(state.timer);
    state.timer = window.setTimeout(flush, DEBOUNCE_MS);
  }

  // Wiring ---------------------------------------------------------------------------------

  function onNewFlow() {
    var form = flowForm();
    if (form === state.form) {
      return;
    }
    window.clearTimeout(state.timer);
    state = { form: form, timer: null, inFlight: null, dirty: false, conflicted: false, left: {} };
    var flow = document.querySelector("[data-flow]");
    if (flow && flow.getAttribute("data-page-title")) {
      document.title = flow.getAttribute("data-page-title");
    }
    if (form) {
      offerCopy(form);
    }
  }

  function focusAfterSwap() {
    var target =
      document.querySelector("[data-flow] [data-error-summary]") ||
      document.querySelector("[data-flow] [data-conflict]") ||
      document.querySelector("[data-flow] .flow__title");
    if (target) {
      target.focus();
      if (target.scrollIntoView) {
        target.scrollIntoView({ block: "start" });
      }
    }
  }

  function inFlowForm(target) {
    var form = flowForm();
    return form && target && target.form === form;
  }

  document.addEventListener("input", function (event) {
    if (inFlowForm(event.target)) {
      schedule();
    }
  });

  document.addEventListener("change", function (event) {
    if (inFlowForm(event.target)) {
      schedule();
    }
  });

  document.addEventListener("focusout", function (event) {
    if (inFlowForm(event.target) && event.target.name) {
      state.left[event.target.name] = true;
    }
  });

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    var form = flowForm();
    if (!target || !form) {
      return;
    }
    var keep = target.closest("[data-conflict-keep]");
    if (keep) {
      event.preventDefault();
      var box = keep.closest("[data-conflict]");
      var revision = form.querySelector("[data-revision]");
      if (box && revision) {
        revision.value = box.getAttribute("data-server-revision");
        box.remove();
      }
      state.conflicted = false;
      state.dirty = true;
      var heading = document.querySelector("[data-flow] .flow__title");
      if (heading) {
        heading.focus();
      }
      flush();
      return;
    }
    if (target.closest("[data-unsent-restore]")) {
      restoreCopy(form);
      var first = form.querySelector("textarea, input:not([type=hidden]), select");
      if (first) {
        first.focus();
      }
      return;
    }
    if (target.closest("[data-unsent-discard]")) {
      dropCopy(form);
      clearOffer(form);
      var title = document.querySelector("[data-flow] .flow__title");
      if (title) {
        title.focus();
      }
    }
  });

  function isPrivacyCheck(event) {
    var source = event.detail && event.detail.elt;
    return Boolean(source && source.hasAttribute && source.hasAttribute("data-privacy-live"));
  }

  // The privacy check while typing: skipped offline (nothing could answer, and the autosave
  // status already says so); never waits for the autosave; and a signed-out answer (the
  // sign-in page, reached by a redirect) is not shown in its place.
  document.addEventListener("htmx:confirm", function (event) {
    if (isPrivacyCheck(event) && !navigator.onLine) {
      event.preventDefault();
    }
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail && event.detail.xhr;
    if (isPrivacyCheck(event) && xhr && /\/accounts\/login\//.test(xhr.responseURL || "")) {
      event.detail.shouldSwap = false;
    }
  });

  // htmx asks before each request: save pending typing first, then let it go.
  document.addEventListener("htmx:confirm", function (event) {
    if (isPrivacyCheck(event)) {
      return;
    }
    if (!flowForm() || !(state.dirty || state.inFlight) || state.conflicted) {
      return;
    }
    event.preventDefault();
    flush().then(function () {
      event.detail.issueRequest(true);
    });
  });

  document.addEventListener("htmx:afterSettle", function () {
    var before = state.form;
    onNewFlow();
    if (state.form !== before) {
      focusAfterSwap();
    }
  });

  document.addEventListener("htmx:historyRestore", onNewFlow);

  window.addEventListener("online", function () {
    if (state.dirty) {
      flush();
    }
  });

  // Leaving the page with typing not yet saved: keep a copy, and try to send it on the way.
  window.addEventListener("pagehide", function () {
    var form = flowForm();
    if (!form || !(state.dirty || state.inFlight)) {
      return;
    }
    keepCopy(form);
    if (state.dirty && !state.inFlight && !state.conflicted && navigator.sendBeacon) {
      navigator.sendBeacon(form.getAttribute("data-autosave-url"), new FormData(form));
    }
  });

  // Signing out on purpose removes the copies: reflective notes stay off a shared computer.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && /\/logout\/?$/.test(new URL(form.action, location.href).pathname)) {
      forgetAllCopies();
    }
  });

  forgetOldCopies();
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", onNewFlow);
  } else {
    onNewFlow();
  }
})();
