// The ticking dashboard of the seek benchmark: a 200-row table of services, 20 figures changed each
// second, a new service row on top each minute (the oldest leaves, so the table stays at 200 rows).
// Deterministic: a seeded generator, and only the page's (possibly faked) clock decides when things change.
(function () {
  "use strict";
  var ROWS = 200;
  var CHANGES_PER_SECOND = 20;
  var seed = 20261206;
  function random() {
    seed = (seed + 0x6d2b79f5) | 0;
    var t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  function pick(list) { return list[Math.floor(random() * list.length)]; }

  var NOUNS = ["checkout", "search", "billing", "inventory", "payments", "ledger", "identity", "catalog",
    "shipping", "pricing", "notifications", "reviews", "recommendations", "fraud", "analytics", "media",
    "gateway", "sessions", "profiles", "orders", "invoices", "refunds", "tax", "coupons", "exports"];
  var KINDS = ["api", "worker", "indexer", "scheduler", "consumer", "proxy", "cache", "sync"];
  var REGIONS = ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-southeast-1", "ap-northeast-1"];
  var OWNERS = ["Grace Okafor", "Lars Henriksen", "Mei Tanaka", "Diego Alvarez", "Amira Haddad", "Tomás Novak",
    "Priya Raman", "Jonas Weber", "Chloé Martin", "Kwame Mensah", "Sofia Rossi", "Oleg Petrov"];
  var NOTES = ["Canary at 5 % since the morning deploy", "Paged twice last week; runbook updated",
    "Migrating to the new connection pool", "Read replicas lagging during the nightly export",
    "Rate limits raised for the partner batch", "Feature flag rollout paused pending review",
    "Memory climbs slowly; restart scheduled", "Owned jointly with the data platform team",
    "Retries tuned after the DNS incident", "Cold starts above budget in one zone", ""];
  var STATUS_WEIGHTS = [["healthy", 0.86], ["degraded", 0.1], ["down", 0.04]];

  var tbody = document.getElementById("rows");
  var serial = 0;
  var rows = [];

  function fmt(n, digits) { return n.toFixed(digits); }
  function status() {
    var r = random();
    for (var i = 0; i < STATUS_WEIGHTS.length; i++) {
      r -= STATUS_WEIGHTS[i][1];
      if (r < 0) return STATUS_WEIGHTS[i][0];
    }
    return "healthy";
  }
  function deployLabel(now) {
    var d = new Date(now - Math.floor(random() * 72) * 3600000);
    return d.toISOString().slice(0, 16).replace("T", " ");
  }
  function cell(tr, text, cls) {
    var td = document.createElement("td");
    if (cls) td.className = cls;
    td.textContent = text;
    tr.appendChild(td);
    return td;
  }
  function makeRow(fresh) {
    serial++;
    var tr = document.createElement("tr");
    var name = pick(NOUNS) + "-" + pick(KINDS) + "-" + (100 + serial);
    tr.id = "svc-" + serial;
    var metrics = { p50: 20 + random() * 80, p99: 150 + random() * 600, rps: 10 + random() * 2000, err: random() * 2 };
    cell(tr, name, "name");
    cell(tr, pick(REGIONS));
    cell(tr, pick(OWNERS));
    var st = fresh ? "new" : status();
    var stCell = document.createElement("td");
    var badge = document.createElement("span");
    badge.className = "status " + st;
    badge.textContent = st;
    stCell.appendChild(badge);
    tr.appendChild(stCell);
    var cells = {
      p50: cell(tr, fmt(metrics.p50, 1), "num"),
      p99: cell(tr, fmt(metrics.p99, 0), "num"),
      rps: cell(tr, fmt(metrics.rps, 0), "num"),
      err: cell(tr, fmt(metrics.err, 2) + " %", "num"),
      badge: badge,
    };
    cell(tr, deployLabel(Date.now()));
    cell(tr, pick(NOTES), "note");
    return { tr: tr, metrics: metrics, cells: cells };
  }
  function change() {
    var row = pick(rows);
    var which = pick(["p50", "p99", "rps", "err", "p50", "rps", "status"]);
    if (which === "status") {
      var st = status();
      row.cells.badge.className = "status " + st;
      row.cells.badge.textContent = st;
      return;
    }
    var old = row.metrics[which];
    var next = Math.max(0, old * (0.9 + random() * 0.2));
    row.metrics[which] = next;
    var td = row.cells[which];
    td.className = "num " + (next >= old ? "up" : "down");
    td.textContent = which === "err" ? fmt(next, 2) + " %" : fmt(next, which === "p50" ? 1 : 0);
  }
  function kpis() {
    var rps = 0, errs = 0, bad = 0;
    for (var i = 0; i < rows.length; i++) {
      rps += rows[i].metrics.rps;
      errs += rows[i].metrics.err;
      var cls = rows[i].cells.badge.className;
      if (cls.indexOf("degraded") >= 0 || cls.indexOf("down") >= 0) bad++;
    }
    document.getElementById("kpi-rps").textContent = Math.round(rps).toLocaleString("en-GB");
    document.getElementById("kpi-errors").textContent = (errs / rows.length).toFixed(2) + " %";
    document.getElementById("kpi-degraded").textContent = String(bad);
  }
  function tick() {
    for (var i = 0; i < CHANGES_PER_SECOND; i++) change();
    var t = new Date(Date.now());
    document.getElementById("updated").textContent = "Updated " + t.toISOString().slice(11, 19) + " UTC";
  }
  function addRow() {
    var row = makeRow(true);
    rows.unshift(row);
    tbody.insertBefore(row.tr, tbody.firstChild);
    var gone = rows.pop();
    tbody.removeChild(gone.tr);
    kpis();
  }

  for (var i = 0; i < ROWS; i++) {
    var row = makeRow(false);
    rows.push(row);
    tbody.appendChild(row.tr);
  }
  kpis();
  setInterval(tick, 1000);
  setInterval(addRow, 60000);
})();
