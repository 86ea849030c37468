/* The clerks' form in the browser: add, remove and reorder rows; keep the draft in localStorage
   and restore it after a reload or a crash; take the focus to the errors. Without this script the
   form still works: the row buttons are submit buttons that the server handles. */
(function () {
  "use strict";

  var form = document.getElementById("nysan-form");
  if (!form) { return; }
  var strings = JSON.parse(document.getElementById("nysan-strings").textContent);
  var live = document.getElementById("live");
  var draftKey = "nysan-draft:" + form.dataset.form + ":" + form.dataset.version;
  var RENAMED = ["name", "data-path", "data-prefix", "value"];
  var ID_LISTS = ["id", "for", "aria-describedby", "aria-labelledby"];

  function format(text, params) {
    return text.replace(/\{(\w+)\}/g, function (whole, key) { return key in params ? params[key] : whole; });
  }

  function announce(text) {
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 50);
  }

  /* The same ids as service/web/widgets.py dom_id. */
  function domId(path) { return "f-" + path.replace(/[\[\].]/g, "-"); }

  // --- rows ----------------------------------------------------------------------------------
  function rowsBox(list) { return list.querySelector(":scope > [data-rows], :scope > .table-wrap [data-rows]"); }

  function rowsOf(list) {
    return Array.prototype.filter.call(rowsBox(list).children, function (el) { return el.hasAttribute("data-row"); });
  }

  /* Rename a row's inputs from one path prefix to another: names, ids, labels, descriptions,
     row-action values, and the row templates of lists nested inside it. */
  function rename(root, oldPrefix, newPrefix) {
    var oldId = domId(oldPrefix), newId = domId(newPrefix);
    var elements = [root].concat(Array.prototype.slice.call(root.querySelectorAll("*")));
    elements.forEach(function (el) {
      if (el.nodeType !== 1) { return; }
      RENAMED.forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (attr === "value" && !el.hasAttribute("data-row-action")) { return; }
        if (value === null) { return; }
        var colon = attr === "value" ? value.indexOf(":") + 1 : 0;
        if (value.slice(colon).indexOf(oldPrefix) === 0) {
          el.setAttribute(attr, value.slice(0, colon) + newPrefix + value.slice(colon + oldPrefix.length));
        }
      });
      ID_LISTS.forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (!value) { return; }
        el.setAttribute(attr, value.split(/\s+/).map(function (token) {
          return token.indexOf(oldId) === 0 ? newId + token.slice(oldId.length) : token;
        }).join(" "));
      });
      if (el.tagName === "TEMPLATE") { rename(el.content, oldPrefix, newPrefix); }
    });
  }

  function renumber(list) {
    var path = list.dataset.path;
    rowsOf(list).forEach(function (row, index) {
      var prefix = path + "[" + index + "]";
      if (row.dataset.prefix !== prefix) { rename(row, row.dataset.prefix, prefix); }
      row.querySelectorAll(".row-n").forEach(function (el) {
        if (el.closest("[data-row]") === row) { el.textContent = String(index + 1); }
      });
    });
    updateControls(list);
  }

  function updateControls(list) {
    var rows = rowsOf(list), count = rows.length;
    var max = list.dataset.max ? parseInt(list.dataset.max, 10) : null;
    var min = parseInt(list.dataset.min || "0", 10);
    var add = list.querySelector(":scope > [data-row-action=add]");
    if (add) { add.disabled = max !== null && count >= max; }
    var counter = list.querySelector(":scope > [data-rows-count]");
    if (counter) {
      counter.textContent = max !== null ? format(strings.rows_cap, {count: count, max: max}) : format(strings.rows_count, {count: count});
    }
    rows.forEach(function (row, index) {
      row.querySelectorAll("[data-row-action]").forEach(function (button) {
        if (button.closest("[data-row]") !== row) { return; }
        var action = button.dataset.rowAction;
        if (action === "up") { button.disabled = index === 0; }
        if (action === "down") { button.disabled = index === count - 1; }
        if (action === "remove") { button.disabled = count <= min; }
      });
    });
  }

  function addRow(list) {
    var template = list.querySelector(":scope > template[data-row-template]");
    var fragment = template.content.cloneNode(true);
    var row = fragment.querySelector("[data-row]");
    var index = rowsOf(list).length;
    rename(row, template.dataset.prefix, list.dataset.path + "[" + index + "]");
    rowsBox(list).appendChild(fragment);
    renumber(list);
    return row;
  }

  function firstInput(root) { return root.querySelector("input, select, textarea"); }

  function rowAction(button) {
    var action = button.dataset.rowAction;
    var list = button.closest("[data-list]");
    if (action === "add") {
      var max = list.dataset.max ? parseInt(list.dataset.max, 10) : null;
      if (max !== null && rowsOf(list).length >= max) { return; }
      var row = addRow(list);
      firstInput(row).focus();
      announce(format(strings.row_added, {n: rowsOf(list).length}));
    } else {
      var current = button.closest("[data-row]");
      var rows = rowsOf(list), index = rows.indexOf(current);
      if (action === "remove") {
        var next = rows[index + 1] || rows[index - 1];
        current.remove();
        renumber(list);
        var target = next ? next.querySelector("[data-row-action=remove]") : list.querySelector(":scope > [data-row-action=add]");
        if (!target || target.disabled) { list.setAttribute("tabindex", "-1"); target = list; }
        target.focus();
        announce(strings.row_removed);
      } else {
        var other = action === "up" ? rows[index - 1] : rows[index + 1];
        if (!other) { return; }
        if (action === "up") { other.before(current); } else { other.after(current); }
        renumber(list);
        var again = current.querySelector("[data-row-action=" + action + "]");
        (again.disabled ? current.querySelector("[data-row-action=" + (action === "up" ? "down" : "up") + "]") : again).focus();
        announce(format(strings.row_moved, {n: rowsOf(list).indexOf(current) + 1}));
      }
    }
    saveSoon();
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-row-action]");
    if (!button || !form.contains(button)) { return; }
    event.preventDefault();
    rowAction(button);
  });

  // --- the draft ------------------------------------------------------------------------------
  var status = document.getElementById("draft-status");
  var statusText = status.querySelector(".draft-text");

  function showStatus(text) {
    status.hidden = false;
    statusText.textContent = text;
  }

  /* "08.12.2026 14:05" in Almaty's time, as the server's pages show times (service/web/display.py). */
  var ALMATY = new Intl.DateTimeFormat("en-GB", {timeZone: "Asia/Almaty", day: "2-digit", month: "2-digit",
    year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23"});
  function clock(iso) {
    var parts = {};
    ALMATY.formatToParts(new Date(iso)).forEach(function (part) { parts[part.type] = part.value; });
    return parts.day + "." + parts.month + "." + parts.year + " " + parts.hour + ":" + parts.minute;
  }

  function snapshot() {
    var values = {}, rows = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrf_token" || el.name.charAt(0) === "_" || el.type === "file" ||
          el.type === "submit" || el.type === "button") { return; }
      values[el.name] = el.value;
    });
    form.querySelectorAll("[data-list]").forEach(function (list) { rows[list.dataset.path] = rowsOf(list).length; });
    return {saved: new Date().toISOString(), values: values, rows: rows};
  }

  // Signed in, the draft is kept on the server (data-drafts-url); the browser keeps a copy only
  // while the server cannot be reached, and says so.
  var serverUrl = form.dataset.draftsUrl;
  var dirty = false;

  function saveLocally(draft, text) {
    try {
      window.localStorage.setItem(draftKey, JSON.stringify(draft));
      showStatus(format(text, {time: clock(draft.saved)}));
    } catch (err) {
      showStatus(strings.draft_unavailable);
      announce(strings.draft_unavailable);
    }
  }

  function draftBody(draft) {
    var body = new FormData();
    body.append("csrf_token", form.elements.namedItem("csrf_token").value);
    body.append("draft", JSON.stringify({values: draft.values, rows: draft.rows}));
    return body;
  }

  function save() {
    if (form.dataset.drafts === "off") { return; }   // an amend: the stored document's data is kept nowhere else
    var draft = snapshot();
    if (!serverUrl) { saveLocally(draft, strings.draft_saved); return; }
    dirty = false;
    window.fetch(serverUrl, {method: "POST", body: draftBody(draft), credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        window.localStorage.removeItem(draftKey);
        showStatus(format(strings.draft_saved_server, {time: clock(draft.saved)}));
      })
      .catch(function () { dirty = true; saveLocally(draft, strings.draft_offline); });
  }

  var timer = null;
  function saveSoon() {
    dirty = true;
    window.clearTimeout(timer);
    timer = window.setTimeout(save, serverUrl ? 2000 : 250);
  }

  // Leaving the page: what was typed since the last save goes with the page's last request.
  window.addEventListener("pagehide", function () {
    if (serverUrl && dirty && navigator.sendBeacon) {
      window.clearTimeout(timer);
      navigator.sendBeacon(serverUrl, draftBody(snapshot()));
    }
  });

  function load() {
    try { return JSON.parse(window.localStorage.getItem(draftKey) || "null"); } catch (err) { return null; }
  }

  function restore(draft) {
    // Outer lists first: rows added to them bring their own nested lists.
    for (var pass = 0; pass < 6; pass++) {
      var changed = false;
      form.querySelectorAll("[data-list]").forEach(function (list) {
        var want = draft.rows[list.dataset.path];
        if (typeof want !== "number") { return; }
        while (rowsOf(list).length < want) { addRow(list); changed = true; }
        while (rowsOf(list).length > want) { rowsOf(list).pop().remove(); renumber(list); changed = true; }
      });
      if (!changed) { break; }
    }
    Object.keys(draft.values).forEach(function (name) {
      var el = form.elements.namedItem(name);
      if (el && el.tagName) { el.value = draft.values[name]; }
    });
  }

  form.addEventListener("input", saveSoon);
  form.addEventListener("change", saveSoon);
  document.getElementById("draft-clear").addEventListener("click", function () {
    window.localStorage.removeItem(draftKey);
    window.sessionStorage.setItem("nysan-cleared", "1");
    var leave = function () { window.location.assign(form.getAttribute("action")); };
    if (!form.dataset.draftsRemoveUrl) { leave(); return; }
    window.clearTimeout(timer);
    dirty = false;
    var body = new FormData();
    body.append("csrf_token", form.elements.namedItem("csrf_token").value);
    window.fetch(form.dataset.draftsRemoveUrl, {method: "POST", body: body, credentials: "same-origin"})
      .then(leave, leave);
  });

  form.querySelectorAll("[data-list]").forEach(updateControls);
  if (window.sessionStorage.getItem("nysan-cleared")) {
    window.sessionStorage.removeItem("nysan-cleared");
    showStatus(strings.draft_cleared);
    announce(strings.draft_cleared);
  } else if (form.dataset.fresh === "1" && form.dataset.drafts !== "off") {
    var draft = load(), text = strings.draft_restored;
    var kept = document.getElementById("nysan-server-draft");
    var onServer = kept ? JSON.parse(kept.textContent) : null;
    // The browser's copy exists only when the server could not be reached: newer, it wins.
    if (onServer && !(serverUrl && draft && draft.saved > onServer.saved)) {
      draft = onServer;
      text = strings.draft_restored_server;
    }
    if (draft && draft.values) {
      restore(draft);
      showStatus(format(text, {time: clock(draft.saved)}));
      announce(statusText.textContent);
      if (draft !== onServer && serverUrl) { saveSoon(); }
    }
  } else {
    save();   // the page the server sent back holds the newest values
  }

  // --- checks as typed: the server's rules (an IIN against the birth date) -------------------
  var checkTimer = null;
  function showChecks(errors) {
    form.querySelectorAll("input[data-check]").forEach(function (input) {
      var id = input.id + "-check";
      var note = document.getElementById(id);
      var messages = errors[input.name] || [];
      if (!messages.length) {
        if (note) { note.remove(); input.removeAttribute("aria-invalid"); }
        return;
      }
      if (!note) {
        note = document.createElement("p");
        note.className = "field-check";
        note.id = id;
        input.insertAdjacentElement("afterend", note);
        input.setAttribute("aria-describedby", ((input.getAttribute("aria-describedby") || "") + " " + id).trim());
      }
      input.setAttribute("aria-invalid", "true");
      if (note.textContent !== messages.join(" ")) { note.textContent = messages.join(" "); announce(note.textContent); }
    });
  }
  function checkSoon() {
    var typed = Array.prototype.some.call(form.querySelectorAll("input[data-check]"), function (input) {
      return input.value.replace(/\s/g, "").length === 12;
    });
    if (!typed || !form.dataset.checkUrl) { showChecks({}); return; }
    window.clearTimeout(checkTimer);
    checkTimer = window.setTimeout(function () {
      var body = new FormData(form);
      body.delete("rows_file");
      window.fetch(form.dataset.checkUrl, {method: "POST", body: body, credentials: "same-origin"})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (answer) { if (answer) { showChecks(answer.errors); } })
        .catch(function () {});
    }, 300);
  }
  // Only what the rule reads: an IIN and the dates (not every cell of a long journal).
  function checkInput(event) { if (event.target.matches("input[data-check], .date-input input")) { checkSoon(); } }
  form.addEventListener("input", checkInput);
  form.addEventListener("change", checkInput);

  // --- errors: focus the summary; its links focus the field they name --------------------------
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) { return; }
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target) { return; }
      event.preventDefault();
      var input = /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName) ? target : firstInput(target) || target;
      (target.closest(".field, .part, fieldset, td") || target).scrollIntoView({block: "center"});
      input.focus({preventScroll: true});
    });
  }
})();
