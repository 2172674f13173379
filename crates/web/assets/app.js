// Progressive enhancement only: every page works without this file.
// 1. Forms and buttons with data-confirm ask before a destructive action.
// 2. The navigation toggles on narrow screens.
// 3. Buttons with data-print print the page.
document.addEventListener("submit", function (e) {
  var msg = e.target.getAttribute("data-confirm");
  if (msg && !window.confirm(msg)) { e.preventDefault(); }
});
document.addEventListener("click", function (e) {
  var t = e.target.closest("[data-toggle-nav]");
  if (t) { document.body.classList.toggle("nav-open"); }
  if (e.target.closest("[data-print]")) { window.print(); }
});
