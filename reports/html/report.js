(function () {
  "use strict";
  var bar = document.getElementById("filters");
  if (!bar) { return; }
  var rules = Array.prototype.slice.call(document.querySelectorAll("section.rule"));
  var field = function (name) { return bar.querySelector("[name=" + name + "]"); };
  var severity = field("severity"), regulation = field("regulation"), status = field("status"), query = field("q");
  var shown = document.getElementById("shown");
  var none = document.getElementById("no-match");

  function apply() {
    var q = query.value.trim().toLowerCase();
    var count = 0;
    rules.forEach(function (rule) {
      var d = rule.dataset;
      var ok = (!severity.value || d.severity === severity.value) &&
               (!status.value || d.status === status.value) &&
               (!regulation.value || (" " + d.regs + " ").indexOf(" " + regulation.value + " ") >= 0);
      var hits = 0;
      rule.querySelectorAll("tr.sample").forEach(function (row) {
        var match = !q || row.textContent.toLowerCase().indexOf(q) >= 0;
        row.hidden = !match;
        if (match) { hits += 1; }
      });
      if (q && hits === 0) { ok = false; }
      rule.hidden = !ok;
      if (ok) { count += 1; }
    });
    shown.textContent = shown.dataset.template.replace("{shown}", String(count)).replace("{total}", String(rules.length));
    none.hidden = count !== 0;
  }

  bar.addEventListener("input", apply);
  bar.addEventListener("change", apply);
  document.querySelectorAll("a.filter-link").forEach(function (link) {
    link.addEventListener("click", function () {
      var target = field(link.dataset.filter);
      target.value = target.value === link.dataset.value ? "" : link.dataset.value;
      apply();
    });
  });
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  });
  bar.hidden = false;
  apply();
})();
