#include "roles/buoy/ui_page.hpp"

namespace ks::roles::buoy {
namespace {

// Text is only ever set with textContent, so nothing the float reports can inject markup.
constexpr std::string_view kPage = R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>keepalived-swarm buoy</title>
<style>
  :root { --ok: #1b7f3b; --backup: #2456a6; --bad: #b3261e; --muted: #666; }
  body { font: 15px/1.4 system-ui, sans-serif; margin: 0; background: #f5f6f8; color: #1d1d1f; }
  header { background: #1d2733; color: #fff; padding: 12px 20px; display: flex; gap: 16px;
           align-items: baseline; flex-wrap: wrap; }
  header h1 { font-size: 18px; margin: 0; }
  header .muted { color: #b8c2cc; }
  main { padding: 16px 20px; max-width: 1100px; }
  .banner { padding: 10px 14px; border-radius: 6px; margin-bottom: 14px; background: #fdecea;
            color: var(--bad); display: none; }
  .card { background: #fff; border-radius: 8px; padding: 14px 16px; margin-bottom: 14px;
          box-shadow: 0 1px 2px rgba(0,0,0,.08); }
  .state { display: inline-block; font-weight: 700; padding: 2px 10px; border-radius: 12px;
           color: #fff; background: var(--muted); }
  .state[data-state="MASTER"] { background: var(--ok); }
  .state[data-state="BACKUP"] { background: var(--backup); }
  .state[data-state="FAULT"], .state[data-state="unreachable"] { background: var(--bad); }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 10px 0 0; }
  dt { color: var(--muted); }
  dd { margin: 0; font-family: ui-monospace, monospace; }
  table { border-collapse: collapse; width: 100%; margin-top: 8px; }
  th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e4e6ea; }
  th { color: var(--muted); font-weight: 600; }
  .muted { color: var(--muted); }
  .alarm { background: var(--bad); color: #fff; font-weight: 700; display: none; }
  .warning { background: #fff4e5; color: #8a4b00; display: none; }
  tr.self td { background: #eef4ff; }
  tr.self td:first-child::after { content: "  \2190 this page"; color: var(--backup);
                                  font-weight: 600; }
  h2.section { font-size: 16px; margin: 0 0 4px; }
</style>
</head>
<body data-loaded="false">
<header>
  <h1>keepalived-swarm</h1>
  <span>node <strong id="node">…</strong></span>
  <span class="muted">buoy <span id="container">…</span>, up <span id="uptime">…</span></span>
  <span class="muted">updated <span id="updated">never</span></span>
</header>
<main>
  <div class="banner alarm" id="cluster-alarm"></div>
  <div class="banner warning" id="cluster-warning"></div>
  <section class="card" id="cluster">
    <h2 class="section">Cluster <span class="muted" id="cluster-gathered"></span></h2>
    <div id="cluster-table"><p class="muted">loading</p></div>
    <div id="cluster-holders" class="muted"></div>
  </section>
  <h2 class="section">This node</h2>
  <div class="banner" id="banner"></div>
  <div id="summary" class="card">
    <span class="state" id="state" data-state="unknown">loading</span>
    <span class="muted" id="tether"></span>
  </div>
  <div id="instances"></div>
</main>
<script>
"use strict";
const byId = (id) => document.getElementById(id);

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function definitionList(pairs) {
  const list = element("dl");
  for (const [name, value] of pairs) {
    list.append(element("dt", name), element("dd", value === "" ? "-" : value));
  }
  return list;
}

function table(titles, rows) {
  const result = element("table");
  const head = element("tr");
  for (const title of titles) head.append(element("th", title));
  result.append(head);
  for (const values of rows) {
    const row = element("tr");
    for (const value of values) row.append(element("td", value === "" ? "-" : value));
    result.append(row);
  }
  return result;
}

function section(card, title, rows, titles) {
  card.append(element("h3", title));
  if (rows.length) {
    card.append(table(titles, rows));
  } else {
    card.append(element("p", "none", "muted"));
  }
}

function showInstance(instance) {
  const card = element("section", undefined, "card");
  const title = element("h2");
  title.style.margin = "0";
  title.style.fontSize = "16px";
  const state = element("span", instance.state, "state");
  state.dataset.state = instance.state;
  title.append(element("span", instance.name + " "), state);
  card.append(title, definitionList([
    ["VIPs", (instance.vips || []).join(", ")],
    ["master", instance.master],
    ...(instance.home ? [["home (--spread)", instance.home]] : []),
    ["interface", instance.interface],
    ["address", instance.primary_address],
    ["VRID / version", instance.vrid + " / VRRPv" + instance.vrrp_version],
    ["priority", instance.priority + " (advertised " + instance.effective_priority + ")"],
    ["mode", instance.mode + ((instance.peers || []).length ? " to " + instance.peers.join(", ") : "")],
    ["since", instance.since],
    ["adverts sent / received", instance.adverts_sent + " / " + instance.adverts_received],
  ]));
  section(card, "Trackers", (instance.trackers || []).map((t) => [
    t.name, t.up ? "up" : "DOWN", t.weight, t.reason,
    t.kind === "http" || t.kind === "tcp" ? t.failures_in_a_row + " / " + t.successes_in_a_row : "",
    t.since]), ["tracker", "state", "weight", "last result", "fails / rises in a row", "since"]);
  section(card, "Recent transitions (" + instance.transitions_total + " in all)",
    (instance.transitions || []).slice().reverse().map((t) => [t.at, t.from, t.to, t.reason]),
    ["at", "from", "to", "reason"]);
  const foreign = instance.foreign_sources || [];
  if (foreign.length) {
    section(card, "Adverts dropped from hosts outside the peer set",
      foreign.map((f) => [f.address, f.priority, f.count, f.last_seen]),
      ["source", "priority", "count", "last seen"]);
  }
  const conflicts = instance.vip_conflicts || [];
  if (conflicts.length) {
    section(card, "VIP conflicts: other hosts claiming a VIP",
      conflicts.map((c) => [c.vip, c.mac, c.count, c.last_seen]),
      ["VIP", "MAC", "count", "last seen"]);
  }
  return card;
}

function show(status) {
  const buoy = status.buoy || {};
  byId("node").textContent = buoy.hostname || "?";
  byId("container").textContent = buoy.containerId || "?";
  byId("uptime").textContent = buoy.containerUptime || "?";
  byId("updated").textContent = new Date().toLocaleTimeString();
  const banner = byId("banner");
  const summary = byId("state");
  const instances = byId("instances");
  if (typeof status.float !== "object" || status.float === null) {
    banner.style.display = "block";
    banner.textContent = "The float does not answer: " + (status.floatError || "no reason given");
    summary.textContent = "float unreachable";
    summary.dataset.state = "unreachable";
    byId("tether").textContent = "";
    instances.replaceChildren();
    return;
  }
  banner.style.display = "none";
  const list = status.float.instances || [];
  const states = list.map((instance) => instance.state);
  const overall = states.includes("MASTER") ? "MASTER" : (states[0] || "INIT");
  summary.textContent = overall;
  summary.dataset.state = overall;
  byId("tether").textContent = "anchor tether: " + (status.float.tether || "?") +
      ", float " + (status.float.version || "?") + " since " + (status.float.started_at || "?");
  instances.replaceChildren(...list.map(showInstance));
}

function lastTransition(instance) {
  const t = instance.last_transition;
  return t ? t.at + " " + t.from + " \u2192 " + t.to + " (" + t.reason + ")" : "";
}

function trackerSummary(instance) {
  const trackers = instance.trackers || [];
  if (!trackers.length) return "";
  const down = trackers.filter((t) => !t.up).map((t) => t.name);
  return (trackers.length - down.length) + "/" + trackers.length + " up" +
      (down.length ? ", down: " + down.join(", ") : "");
}

function showCluster(cluster) {
  const alarm = byId("cluster-alarm");
  const warning = byId("cluster-warning");
  const problems = cluster.problems || [];
  const critical = cluster.split_brain || cluster.no_master;
  alarm.style.display = critical ? "block" : "none";
  // The verdict's own words follow the heading, without the "split brain: " they start with.
  alarm.textContent = critical ? (cluster.split_brain ? "SPLIT BRAIN" : "NO MASTER") + ": " +
      problems.filter((p) => p.startsWith("split brain") || p.startsWith("no "))
          .map((p) => p.replace(/^(split brain|no master): /, "")).join("; ") : "";
  const other = problems.filter((p) => !p.startsWith("split brain") && !p.startsWith("no "));
  warning.style.display = other.length ? "block" : "none";
  warning.textContent = other.length ? "Degraded: " + other.join("; ") : "";
  document.body.dataset.cluster = cluster.health || "unknown";
  byId("cluster-gathered").textContent = "gathered " + (cluster.gathered_at || "?");
  const head = element("tr");
  for (const title of ["node", "address", "instance", "state", "priority", "hears master",
                       "holds", "trackers", "last transition"]) {
    head.append(element("th", title));
  }
  const rows = [head];
  for (const node of cluster.nodes || []) {
    const instances = node.float && node.float.instances ? node.float.instances : [];
    const cells = [];
    if (!node.reachable || !node.float) {
      const state = element("span", node.reachable ? "no float" : "unreachable", "state");
      state.dataset.state = "unreachable";
      cells.push([node.name, node.address, "", state, "", "", "", "", node.error]);
    }
    for (const instance of instances) {
      const state = element("span", instance.state, "state");
      state.dataset.state = instance.state;
      cells.push([node.name, node.address, instance.name, state,
                  instance.effective_priority, instance.master, (instance.vips_held || []).join(", "),
                  trackerSummary(instance), lastTransition(instance)]);
    }
    for (const values of cells) {
      const row = element("tr");
      if (node.self) row.className = "self";
      for (const value of values) {
        const cell = element("td");
        if (value instanceof Node) cell.append(value); else cell.textContent = value === "" ? "-" : value;
        row.append(cell);
      }
      rows.push(row);
    }
  }
  const result = element("table");
  result.append(...rows);
  byId("cluster-table").replaceChildren(result);
  byId("cluster-holders").textContent = Object.entries(cluster.holders || {}).map(([vip, nodes]) =>
      "VIP " + vip + ": " + (nodes.length ? "held by " + nodes.join(", ") : "held by nobody") +
      ((cluster.homes || {})[vip] ? ", home " + cluster.homes[vip] : "")).join("; ");
}

async function getJson(path) {
  const answer = await fetch(path, { cache: "no-store" });
  if (!answer.ok) throw new Error("the buoy answered HTTP " + answer.status + " to " + path);
  return answer.json();
}

async function refresh() {
  const [cluster, status] = await Promise.allSettled([getJson("cluster"), getJson("status")]);
  if (cluster.status === "fulfilled") {
    showCluster(cluster.value);
  } else {
    const alarm = byId("cluster-alarm");
    alarm.style.display = "block";
    alarm.textContent = "Cannot read the buoy's /cluster: " + cluster.reason.message;
  }
  if (status.status === "fulfilled") {
    show(status.value);
  } else {
    const banner = byId("banner");
    banner.style.display = "block";
    banner.textContent = "Cannot read the buoy's /status: " + status.reason.message;
  }
  if (cluster.status === "fulfilled" && status.status === "fulfilled") {
    document.body.dataset.loaded = "true";
  }
}

refresh();
setInterval(refresh, 2000);
</script>
</body>
</html>
)html";

}  // namespace

std::string_view ui_page() {
    return kPage;
}

}  // namespace ks::roles::buoy
