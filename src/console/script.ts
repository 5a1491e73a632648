// The console's only script (served at /console/assets/console.js): draws the charts from the embedded figures.
export const CONSOLE_JS = `(function () {
  var el = document.getElementById("figures");
  if (!el || typeof uPlot === "undefined") return;
  var f = JSON.parse(el.textContent);
  var colors = { sold: "#067647", unsold: "#9aa5b1", pending: "#f79009", duplicate: "#6941c6", rejected: "#b42318", erased: "#344054", pings: "#0b6bcb", bids: "#067647", timeouts: "#b42318" };
  function draw(id, names) {
    var box = document.getElementById(id);
    if (!box) return;
    var series = [{}].concat(names.map(function (n) { return { label: n, stroke: colors[n], width: 2 }; }));
    var data = [f.x].concat(names.map(function (n) { return f[n] || f.byStatus[n]; }));
    new uPlot({ width: Math.max(300, box.clientWidth - 10), height: 220, series: series, scales: { x: { time: true } } }, data, box);
  }
  draw("chart-leads", ["sold", "unsold", "pending", "duplicate", "rejected", "erased"]);
  draw("chart-pings", ["pings", "bids", "timeouts"]);
})();
`;
