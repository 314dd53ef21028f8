// Progressive enhancement only: every page works without this file.
// The curiosity dial says its value while it moves (visible and to screen readers).
(function () {
  "use strict";
  function percent(value) {
    var lang = document.documentElement.lang;
    var n = Math.round(parseFloat(value) * 100);
    return lang === "fr" ? n + "\u202f%" : n + "%";
  }
  document.addEventListener("input", function (event) {
    var dial = event.target;
    if (!dial || dial.id !== "curiosite") return;
    var text = percent(dial.value);
    dial.setAttribute("aria-valuetext", text);
    var out = document.getElementById("curiosite-valeur");
    if (out) out.textContent = text;
  });
  // After htmx replaced a region, move nothing: focus stays where the person is.
  document.addEventListener("htmx:afterSwap", function () {
    document.body.classList.remove("loading");
  });
  document.addEventListener("htmx:beforeRequest", function () {
    document.body.classList.add("loading");
  });
})();
