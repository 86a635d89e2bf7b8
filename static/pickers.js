// The task form's people pickers: the accountable person and the carrier are chosen from
// the chosen lead unit's leaders and officers. When the unit changes, both lists are
// reloaded from the server (no page reload); a person still offered stays selected.
(function () {
  "use strict";
  var form = document.querySelector("form[data-carriers-url]");
  if (!form) { return; }
  var unit = form.querySelector("select[name=lead_unit_id]");
  var pickers = ["accountable_user_id", "assignee_user_id"]
    .map(function (name) { return form.querySelector("select[name=" + name + "]"); })
    .filter(Boolean);
  if (!unit || !pickers.length) { return; }

  function fill(select, people) {
    var kept = select.value;
    while (select.options.length) { select.remove(0); }
    select.add(new Option("—", ""));
    people.forEach(function (person) {
      select.add(new Option(person.label, String(person.id)));
    });
    select.value = people.some(function (p) { return String(p.id) === kept; }) ? kept : "";
  }

  unit.addEventListener("change", function () {
    pickers.forEach(function (select) { select.disabled = true; });
    var url = form.dataset.carriersUrl + "?unit_id=" + encodeURIComponent(unit.value);
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (answer) {
        if (!answer.ok) { throw new Error(answer.status); }
        return answer.json();
      })
      .then(function (people) { pickers.forEach(function (select) { fill(select, people); }); })
      .catch(function () { pickers.forEach(function (select) { fill(select, []); }); })
      .finally(function () { pickers.forEach(function (select) { select.disabled = false; }); });
  });
})();
