'use strict';
// A tiny Express app. `node index.js` serves on $PORT (default 3000);
// `node index.js --selftest` starts on a free port, requests /health once,
// prints the answer and exits (used by integration/bench as a smoke test).
const express = require('express');
const morgan = require('morgan');
const ms = require('ms');
const http = require('http');

const started = Date.now();
const app = express();
app.use(morgan('tiny'));
app.get('/', (req, res) => res.send('hello from slimfile node-app\n'));
app.get('/health', (req, res) =>
  res.json({ ok: true, uptime: ms(Date.now() - started + 1), node: process.version }));

if (process.argv.includes('--selftest')) {
  const server = app.listen(0, () => {
    const { port } = server.address();
    http.get({ port, path: '/health' }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => {
        console.log(res.statusCode, body);
        server.close();
        process.exitCode = res.statusCode === 200 ? 0 : 1;
      });
    }).on('error', (e) => { console.error(e); process.exit(1); });
  });
} else {
  const port = Number(process.env.PORT || 3000);
  app.listen(port, () => console.log(`listening on :${port}`));
}
