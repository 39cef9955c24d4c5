// The original buoy's behaviour on express 4, for comparison: GET / (identity and uptime) and
// GET /health, on PORT (default 3000).
"use strict";
const express = require("express");
const os = require("os");

const startedAt = Date.now();
const twoDigits = (n) => String(n).padStart(2, "0");

function uptime() {
  const seconds = Math.floor((Date.now() - startedAt) / 1000);
  const hours = Math.floor(seconds / 3600);
  return `${twoDigits(hours)}:${twoDigits(Math.floor(seconds / 60) % 60)}:${twoDigits(seconds % 60)}`;
}

const app = express();
app.get("/", (request, response) => {
  response.send({
    hostname: process.env.DOCKER_NODE_HOSTNAME,
    containerId: os.hostname(),
    containerUptime: uptime(),
  });
});
app.get("/health", (request, response) => response.send("Ok"));

const port = Number(process.env.PORT || 3000);
app.listen(port, "127.0.0.1", () => console.log(`express buoy listening on ${port}`));
