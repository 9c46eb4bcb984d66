(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("fctest-cells").textContent);
  var panel = document.getElementById("details");
  var selected = null;

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function pair(dl, name, value, cls) {
    if (value === undefined || value === null || value === "") return;
    dl.appendChild(el("dt", name));
    var dd = el("dd", value, cls);
    dl.appendChild(dd);
    return dd;
  }
  function link(target, text) {
    // Only paths relative to the project, and https sources of a declaration, become links.
    var safe = typeof target === "string" &&
      (/^https:\/\//.test(target) || !/^([a-z][a-z0-9+.-]*:|\/|\\)/i.test(target));
    if (!safe) return el("span", text, "mono");
    var a = el("a", text, "mono");
    a.href = /^https:/.test(target) ? target : encodeURI(target);
    if (/^https:/.test(target)) { a.rel = "noreferrer noopener"; a.target = "_blank"; }
    return a;
  }
  function pairNode(dl, name, node) {
    dl.appendChild(el("dt", name));
    var dd = el("dd");
    dd.appendChild(node);
    dl.appendChild(dd);
  }
  function provenanceText(p) {
    if (!p) return "";
    return Object.keys(p).sort().map(function (k) { return k + ": " + JSON.stringify(p[k]); }).join(", ");
  }
  function show(td) {
    var cell = data[td.getAttribute("data-cell")];
    if (!cell) return;
    if (selected) selected.classList.remove("selected");
    selected = td;
    td.classList.add("selected");
    panel.textContent = "";
    panel.appendChild(el("h3", cell.row + " \u2014 " + cell.capability));
    var dl = el("dl");
    dl.appendChild(el("dt", "state"));
    var dd = el("dd");
    dd.appendChild(el("span", cell.state_label, "badge s-" + cell.state));
    dl.appendChild(dd);
    if (cell.evidence_text) pairNode(dl, "evidence", link(cell.link, cell.evidence_text));
    if (cell.models && cell.models.length) pair(dl, "models", cell.models.join(", "));
    pair(dl, "reason", cell.reason);
    pair(dl, "declared", cell.declared);
    pair(dl, "finding", cell.finding, "findingtext");
    pair(dl, "drift", cell.drift, "drifttext");
    (cell.conflicts || []).forEach(function (c) { pair(dl, "documented \u2260 observed", c, "conflicttext"); });
    panel.appendChild(dl);
    var heading = el("h3", "Evidence (" + cell.evidence.length + ")");
    heading.style.marginTop = ".7rem";
    panel.appendChild(heading);
    if (!cell.evidence.length) panel.appendChild(el("p", "No test ran for this cell.", "hint"));
    var list = el("ol");
    cell.evidence.forEach(function (e) {
      var item = el("li");
      var head = el("div");
      head.appendChild(el("span", e.outcome, "badge s-" + (e.outcome === "skipped" ? "not_tested" : e.outcome)));
      head.appendChild(document.createTextNode(" "));
      head.appendChild(el("span", e.evidence, "badge kind-" + e.evidence));
      head.appendChild(document.createTextNode(" "));
      head.appendChild(el("code", e.test_id, "test-id"));
      item.appendChild(head);
      var inner = el("dl");
      pair(inner, "model", e.model);
      pair(inner, "scenario", e.scenario);
      pair(inner, "reason", e.reason);
      pair(inner, "finding", e.finding, "findingtext");
      if (e.link && e.evidence === "declared") {
        pairNode(inner, "source", link(e.link, e.source || e.link));
      } else if (e.link) {
        var at = e.interaction !== undefined && e.interaction !== null ? "#" + e.interaction : "";
        pairNode(inner, "cassette", link(e.link, e.link + at));
      } else {
        pair(inner, "cassette", e.cassette, "mono");
        pair(inner, "source", e.source);
      }
      pair(inner, "seen", e.note);
      pair(inner, "provenance", provenanceText(e.provenance));
      if (e.declared !== undefined && e.declared !== null) pair(inner, "declared", JSON.stringify(e.declared));
      if (e.changes && e.changes.length) pair(inner, "rewritten", e.changes.join("; "));
      item.appendChild(inner);
      list.appendChild(item);
    });
    panel.appendChild(list);
  }

  document.querySelectorAll("td.cell").forEach(function (td) {
    td.addEventListener("click", function () { show(td); });
    td.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); show(td); }
    });
  });

  function checked(fieldset) {
    var out = {};
    document.querySelectorAll("#" + fieldset + " input[type=checkbox]").forEach(function (box) {
      out[box.value] = box.checked;
    });
    return out;
  }
  function applyFilters() {
    var providers = checked("filter-provider");
    var states = checked("filter-state");
    var onlyDrift = states.drift === true;
    var onlyFinding = states.finding === true;
    document.querySelectorAll("table.matrix tbody tr").forEach(function (tr) {
      var visible = 0;
      tr.querySelectorAll("td.cell").forEach(function (td) {
        var show = states[td.getAttribute("data-state")] !== false &&
          (!onlyDrift || td.classList.contains("drift")) &&
          (!onlyFinding || td.classList.contains("finding"));
        td.classList.toggle("dim", !show);
        if (show) visible += 1;
      });
      var provider = tr.getAttribute("data-provider");
      tr.classList.toggle("hidden", providers[provider] === false || visible === 0);
    });
  }
  document.querySelectorAll(".controls input[type=checkbox]").forEach(function (box) {
    box.addEventListener("change", applyFilters);
  });

  document.querySelectorAll(".tabs button").forEach(function (button) {
    button.addEventListener("click", function () {
      document.querySelectorAll(".tabs button").forEach(function (b) {
        b.setAttribute("aria-selected", b === button ? "true" : "false");
      });
      document.querySelectorAll("section.view").forEach(function (view) {
        view.hidden = view.id !== "view-" + button.getAttribute("data-view");
      });
    });
  });
  applyFilters();
})();
