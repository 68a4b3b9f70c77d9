// The status page: one self-contained HTML document (inline CSS and script, no external assets,
// no build step) that polls /debug/top every second and renders it.

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>nodelocaldns status</title>
<style>
  :root { --fg: #1d2330; --muted: #5b6475; --line: #dde2ea; --accent: #2f6fde; --bad: #c8372d; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.4 system-ui, sans-serif; color: var(--fg); background: #f6f7f9; }
  header { padding: 12px 20px; background: #fff; border-bottom: 1px solid var(--line); display: flex; gap: 16px; align-items: baseline; }
  header h1 { margin: 0; font-size: 18px; }
  header span { color: var(--muted); }
  main { padding: 16px 20px; display: grid; gap: 16px; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); }
  .cards { grid-column: 1 / -1; display: grid; gap: 12px; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); }
  .card, section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 12px 14px; }
  .card .v { font-size: 24px; font-weight: 600; font-variant-numeric: tabular-nums; }
  .card .k { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
  section h2 { margin: 0 0 8px; font-size: 14px; }
  table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
  td, th { padding: 3px 4px; border-bottom: 1px solid var(--line); text-align: left; }
  td.n, th.n { text-align: right; }
  td.name { font-family: ui-monospace, monospace; word-break: break-all; }
  .bar { height: 6px; background: var(--accent); border-radius: 3px; }
  .empty { color: var(--muted); }
  #spark { width: 100%; height: 60px; }
  .bad { color: var(--bad); }
  #banner { grid-column: 1 / -1; background: var(--bad); color: #fff; border-radius: 6px; padding: 10px 14px; font-weight: 600; }
</style>
</head>
<body>
<header><h1>nodelocaldns</h1><span id="at">loading…</span></header>
<main>
  <div id="banner" hidden></div>
  <div class="cards">
    <div class="card"><div class="k">Queries / s</div><div class="v" id="qps">–</div></div>
    <div class="card"><div class="k">Cache hit ratio</div><div class="v" id="hit">–</div></div>
    <div class="card"><div class="k">NXDOMAIN share</div><div class="v" id="nx">–</div></div>
    <div class="card"><div class="k">Search-path misses</div><div class="v" id="sp">–</div></div>
    <div class="card"><div class="k">Latency p50 / p90 / p99</div><div class="v" id="lat">–</div></div>
  </div>
  <section style="grid-column: 1 / -1"><h2>Queries per second, last minute</h2><svg id="spark" viewBox="0 0 600 60" preserveAspectRatio="none"></svg></section>
  <section><h2>Node</h2><table id="node"></table></section>
  <section><h2>Upstreams</h2><table id="upstreams"></table></section>
  <section><h2>Caches</h2><table id="caches"></table></section>
  <section><h2>Top names</h2><table id="names"></table></section>
  <section><h2>Top clients</h2><table id="clients"></table></section>
  <section><h2>Names failing through the search list</h2><table id="search"></table></section>
</main>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
const MIN_SAMPLE = 20;
const pct = (v) => (v === null ? "–" : (v * 100).toFixed(1) + " %");
const ms = (v) => (v === null ? "–" : v < 1 ? v.toFixed(2) : v.toFixed(1));
function kv(el, rows) {
  el.textContent = "";
  for (const [k, v] of rows) { const row = el.insertRow(); row.insertCell().textContent = k; row.insertCell().textContent = v; }
}
function table(el, head, rows) {
  el.textContent = "";
  const tr = el.insertRow();
  for (const [h, cls] of head) { const th = document.createElement("th"); th.textContent = h; if (cls) th.className = cls; tr.appendChild(th); }
  if (rows.length === 0) { const td = el.insertRow().insertCell(); td.colSpan = head.length; td.className = "empty"; td.textContent = "nothing yet"; return; }
  const max = Math.max(...rows.map((r) => r[r.length - 1]));
  for (const r of rows) {
    const row = el.insertRow();
    r.forEach((v, i) => {
      const td = row.insertCell();
      const last = i === r.length - 1;
      td.className = last ? "n" : i === 0 ? "name" : "";
      td.textContent = String(v);
    });
    const bar = row.insertCell();
    bar.style.width = "30%";
    const b = document.createElement("div"); b.className = "bar"; b.style.width = (100 * r[r.length - 1] / max) + "%"; bar.appendChild(b);
  }
}
function spark(values) {
  const svg = $("spark");
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? 600 / (values.length - 1) : 600;
  const pts = values.map((v, i) => (i * step).toFixed(1) + "," + (58 - 56 * v / max).toFixed(1)).join(" ");
  svg.innerHTML = '<polyline fill="none" stroke="#2f6fde" stroke-width="2" points="' + pts + '"/>';
}
async function refresh() {
  try {
    const r = await fetch("debug/top", { cache: "no-store" });
    const t = await r.json();
    $("at").textContent = "updated " + t.at + " · names and clients sampled 1 in " + t.sampleEvery;
    $("at").classList.remove("bad");
    $("qps").textContent = t.qps.toFixed(1);
    // a share of a handful of queries misleads: say how few there were instead
    const seen = Math.round(t.qps * t.windowSeconds);
    const share = (v) => (seen < MIN_SAMPLE && v !== null ? "few queries (" + seen + ")" : pct(v));
    $("hit").textContent = share(t.hitRatio);
    $("nx").textContent = share(t.nxdomainShare);
    $("sp").textContent = pct(t.searchPath.share);
    $("lat").textContent = ms(t.latencyMs.p50) + " / " + ms(t.latencyMs.p90) + " / " + ms(t.latencyMs.p99) + " ms";
    spark(t.qpsHistory);
    const up = t.upstreams || { upstreams: [], allDown: false };
    const failing = up.upstreams.filter((u) => u.failing).map((u) => u.to);
    $("banner").hidden = failing.length === 0 && !up.allDown;
    $("banner").textContent = up.allDown ? "Every upstream of a forward block is down" + (failing.length ? ": " + failing.join(", ") : "")
      : "Upstream health checks failing: " + failing.join(", ");
    const ut = $("upstreams");
    ut.textContent = "";
    const uh = ut.insertRow();
    for (const h of ["upstream", "state", "health-check failures"]) { const th = document.createElement("th"); th.textContent = h; uh.appendChild(th); }
    if (up.upstreams.length === 0) { const td = ut.insertRow().insertCell(); td.colSpan = 3; td.className = "empty"; td.textContent = "no forward upstreams"; }
    for (const u of up.upstreams) {
      const row = ut.insertRow();
      row.insertCell().textContent = u.to;
      const st = row.insertCell();
      st.textContent = u.failing ? "failing" : "ok";
      st.className = u.failing ? "state bad" : "state";
      const n = row.insertCell(); n.className = "n"; n.textContent = String(u.healthcheckFailures);
    }
    const nd = t.node;
    if (nd) {
      const ic = nd.interception;
      const errs = Object.entries(nd.setupErrors).filter(([, n]) => n > 0).map(([k, n]) => k + " " + n);
      const rates = nd.rcodesPerSecond;
      kv($("node"), [
        ["version", nd.version],
        ["uptime", nd.uptimeSeconds === null ? "–" : nd.uptimeSeconds + " s"],
        ["interception", ic === null ? "standalone (no node setup)" : (ic.rules > 0 && ic.addresses > 0 ? "active" : "NOT active") + ": " + ic.rules + " rules (" + (ic.backend || "none") + "), " + ic.addresses + " addresses"],
        ["setup errors", errs.length === 0 ? "none" : errs.join(", ")],
        ["config", (nd.configHash === null ? "" : nd.configHash.slice(0, 12) + "… ") + (nd.configAgeSeconds === null ? "" : "loaded " + nd.configAgeSeconds + " s ago")],
        ["SERVFAIL / REFUSED / NXDOMAIN per s", rates === null ? "–" : rates.SERVFAIL.toFixed(1) + " / " + rates.REFUSED.toFixed(1) + " / " + rates.NXDOMAIN.toFixed(1)],
      ]);
      table($("caches"), [["server"], ["zones"], ["success", "n"], ["denial", "n"]], nd.caches.map((c) => [c.server, c.zones, c.success, c.denial]));
    }
    table($("names"), [["name"], ["type"], ["≈ queries", "n"]], t.topNames.map((n) => [n.name, n.type, n.count]));
    table($("clients"), [["client"], ["≈ queries", "n"]], t.topClients.map((c) => [c.client, c.count]));
    table($("search"), [["meant name"], ["≈ failed tries", "n"]], t.searchPath.topNames.map((n) => [n.name, n.count]));
  } catch (e) {
    $("at").textContent = "cannot reach /debug/top: " + e;
    $("at").classList.add("bad");
  }
}
refresh();
setInterval(refresh, 1000);
</script>
</body>
</html>
`;

export function statusPage(): string {
  return PAGE;
}
