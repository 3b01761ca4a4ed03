// Autocomplete for the search box: fills the <datalist> from /api/suggest.
// The form works without this script; it only adds suggestions.
(function () {
  "use strict";
  var input = document.querySelector("input[data-suggest]");
  if (!input || !window.fetch) { return; }
  var list = document.getElementById(input.getAttribute("list"));
  var endpoint = input.getAttribute("data-suggest");
  var timer = null;
  var lastPrefix = "";

  function fill(items) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    items.slice(0, 10).forEach(function (item) {
      var option = document.createElement("option");
      option.value = typeof item === "string" ? item : String(item.text || "");
      list.appendChild(option);
    });
  }

  function lookup() {
    var prefix = input.value.trim();
    if (prefix.length < 2 || prefix === lastPrefix) { return; }
    lastPrefix = prefix;
    fetch(endpoint + "?q=" + encodeURIComponent(prefix), { headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (body) { fill(Array.isArray(body) ? body : (body.suggestions || [])); })
      .catch(function () { /* Suggestions are optional; the form still submits. */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(lookup, 200);
  });
}());
