// The display screen: shows one panel after another, and fetches the panels again as soon
// as the server says something changed (server-sent events), without reloading the page.
(function () {
  var root = document.getElementById("board");
  if (!root) { return; }
  var token = root.getAttribute("data-token");
  var pinned = root.getAttribute("data-panel");
  var every = (parseInt(root.getAttribute("data-every"), 10) || 20) * 1000;
  var current = 0;
  function panels() { return root.querySelectorAll(".panel"); }
  function show() {
    var list = panels();
    if (!list.length) { return; }
    if (pinned) {
      for (var i = 0; i < list.length; i++) {
        if (list[i].getAttribute("data-panel") === pinned) { current = i; }
      }
    }
    current = current % list.length;
    for (var j = 0; j < list.length; j++) { list[j].classList.toggle("active", j === current); }
  }
  function next() { if (!pinned) { current += 1; } show(); }
  function refresh() {
    fetch("/board/" + token + "/panels", { cache: "no-store" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); })
      .then(function (html) { document.getElementById("panels").innerHTML = html; show(); })
      .catch(function () {});
  }
  function clock() {
    var d = new Date();
    function p(n) { return (n < 10 ? "0" : "") + n; }
    var el = document.getElementById("board-clock");
    if (el) { el.textContent = d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate()) + " " + p(d.getHours()) + ":" + p(d.getMinutes()); }
  }
  show();
  clock();
  setInterval(next, every);
  setInterval(clock, 10000);
  // A full refresh every five minutes in case a notice was missed.
  setInterval(refresh, 300000);
  if (window.EventSource) {
    var live = document.getElementById("board-live");
    var es = new EventSource("/board/" + token + "/events");
    es.addEventListener("open", function () { if (live) { live.classList.add("on"); } });
    es.addEventListener("error", function () { if (live) { live.classList.remove("on"); } });
    es.addEventListener("change", refresh);
  }
}());
