// Expression of interest form: a live character count for the description, and focal-point rows
// added in the page. Both are enhancements: without JavaScript the limit is stated in the help
// text and the "Add another focal point" button asks the server for a form with one more row.
(function () {
  "use strict";

  function characterCount() {
    var area = document.getElementById("description");
    var out = document.getElementById("description-count");
    if (!area || !out) { return; }
    var max = parseInt(out.getAttribute("data-max"), 10);
    var timer = null;
    // The sentences come translated from the page, with {used}, {max} and {n} to fill in.
    function say(template, used, n) {
      return template.replace("{used}", used).replace("{max}", max).replace("{n}", n);
    }
    // Code points, as the server counts (Python's len): an emoji or another character outside
    // the Basic Multilingual Plane is one character, not the two UTF-16 units of .length.
    function update() {
      var used = Array.from(area.value).length;
      var left = max - used;
      out.textContent = left >= 0
        ? say(out.getAttribute("data-left"), used, left)
        : say(out.getAttribute("data-over"), used, -left);
      out.classList.toggle("over-limit", left < 0);
    }
    // The rendered maxlength (from the server's Length rule) would cut a long paste silently and
    // counts those characters twice; with the count showing "over the limit" the person can
    // paste, see by how much, and shorten. The server still refuses a text over the limit.
    area.removeAttribute("maxlength");
    out.hidden = false;
    update();
    // Screen readers hear the count once typing pauses, not at every key.
    area.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(update, 400);
    });
  }

  function renumber(row, index) {
    var pattern = /focal_points-\d+-/g;
    var replacement = "focal_points-" + index + "-";
    row.querySelectorAll("[id], [name], [for], [aria-describedby]").forEach(function (el) {
      ["id", "name", "for", "aria-describedby"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value) { el.setAttribute(attr, value.replace(pattern, replacement)); }
      });
    });
    var legend = row.querySelector("legend");
    if (legend) { legend.textContent = legend.textContent.replace(/\d+\s*$/, String(index + 1)); }
  }

  function focalPoints() {
    var group = document.getElementById("focal-points");
    var button = document.getElementById("add-focal-point");
    if (!group || !button) { return; }
    var max = parseInt(group.getAttribute("data-max"), 10);
    function rows() { return group.querySelectorAll("fieldset.focal-point"); }
    function refresh() { button.hidden = rows().length >= max; }
    button.addEventListener("click", function (event) {
      var all = rows();
      if (all.length >= max) { return; }
      event.preventDefault();
      var last = all[all.length - 1];
      var row = last.cloneNode(true);
      row.querySelectorAll("input").forEach(function (input) { input.value = ""; });
      row.querySelectorAll(".field-error").forEach(function (p) { p.remove(); });
      row.querySelectorAll(".has-error").forEach(function (d) { d.classList.remove("has-error"); });
      renumber(row, all.length);
      last.parentNode.insertBefore(row, last.nextSibling);
      var first = row.querySelector("input");
      if (first) { first.focus(); }
      refresh();
    });
    refresh();
  }

  document.addEventListener("DOMContentLoaded", function () {
    characterCount();
    focalPoints();
  });
})();
