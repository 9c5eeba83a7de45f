// drafter web page: jump between the findings list and the highlighted text, filters, and
// a busy state on the forms. Plain JavaScript, no libraries; the page works without it
// (the list links are ordinary #anchors).
(function () {
  "use strict";

  function all(selector, root) {
    return Array.prototype.slice.call((root || document).querySelectorAll(selector));
  }
  function idsOf(el) {
    return (el.getAttribute("data-f") || "").split(" ").filter(Boolean);
  }
  function item(id) {
    return document.getElementById("f" + id);
  }
  function visible(id) {
    var li = item(id);
    return li && !li.hidden;
  }

  // Mark finding `id` as current in the text and in the list.
  function select(id) {
    all("mark.hl").forEach(function (m) {
      m.classList.toggle("current", idsOf(m).indexOf(id) >= 0);
    });
    all("li.finding").forEach(function (li) {
      li.classList.toggle("active", li.getAttribute("data-f") === id);
    });
  }

  function jumpTo(id) {
    var anchor = document.getElementById("q" + id);
    if (!anchor) return;
    var target = anchor.nextElementSibling && anchor.nextElementSibling.matches("mark.hl") ? anchor.nextElementSibling : anchor;
    target.scrollIntoView({ behavior: "smooth", block: "center" });
    select(id);
  }

  document.addEventListener("click", function (ev) {
    var link = ev.target.closest ? ev.target.closest("a.jump") : null;
    if (link) {
      ev.preventDefault();
      jumpTo(link.closest("li.finding").getAttribute("data-f"));
      return;
    }
    // a click anywhere on a finding's card (not on a link, not while selecting its text)
    var card = ev.target.closest ? ev.target.closest("li.finding") : null;
    if (card && !ev.target.closest("a") && !String(window.getSelection ? window.getSelection() : "")) {
      jumpTo(card.getAttribute("data-f"));
      return;
    }
    var mark = ev.target.closest ? ev.target.closest("mark.hl") : null;
    if (mark && !mark.classList.contains("off")) {
      var id = idsOf(mark).filter(visible)[0];
      if (id === undefined) return;
      select(id);
      var li = item(id);
      if (li) li.scrollIntoView({ behavior: "smooth", block: "nearest" });
    }
  });

  // Filters by level and category: hide list items; a highlight stays coloured while one of
  // its findings is shown, in the colour of the first one shown.
  function checked(name) {
    return all("#filters input[name=" + name + "]:checked").map(function (i) { return i.value; });
  }
  function applyFilters() {
    var levels = checked("level"), cats = checked("category");
    var shown = 0, total = 0;
    all("li.finding").forEach(function (li) {
      var ok = levels.indexOf(li.getAttribute("data-level")) >= 0 && cats.indexOf(li.getAttribute("data-category")) >= 0;
      li.hidden = !ok;
      total += 1;
      if (ok) shown += 1;
    });
    all("section.group").forEach(function (g) {
      g.hidden = !g.querySelector("li.finding:not([hidden])");
    });
    all("mark.hl").forEach(function (m) {
      var first = idsOf(m).filter(visible)[0];
      m.classList.toggle("off", first === undefined);
      if (first !== undefined) {
        var li = item(first);
        m.className = m.className.replace(/\b(cat|lvl)-\w+/g, "").replace(/\s+/g, " ").trim() +
          " cat-" + li.getAttribute("data-category") + " lvl-" + li.getAttribute("data-level");
      }
    });
    var label = document.getElementById("shown");
    if (label) label.textContent = shown === total ? "共 " + total + " 条" : "显示 " + shown + " / " + total + " 条";
  }
  var filters = document.getElementById("filters");
  if (filters) filters.addEventListener("change", applyFilters);

  // Forms: one submission at a time, with a note while the server works.
  all("form[method=post]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      var busy = form.querySelector(".busy");
      if (busy) busy.hidden = false;
      if (button) setTimeout(function () { button.disabled = true; }, 0);
    });
  });
})();
