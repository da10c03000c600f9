// A plain HTTP server for throughput tests, run inside a test's namespace
// (`ip netns exec NS node bulk-http-server.mjs ADDRESS`): it prints
// `listening PORT` once bound.
//   GET  /bytes/N   N bytes (honours `Range: bytes=A-B`)
//   POST /sink      reads the body, answers with the byte count
//   GET  /stats     {"maxConcurrent": ...}: most transfers seen at once
import { createServer } from 'node:http';

const block = Buffer.alloc(256 * 1024, 0x61);
let active = 0;
let maxConcurrent = 0;

const server = createServer((req, res) => {
  if (req.url === '/stats') return res.end(JSON.stringify({ maxConcurrent }));
  active++;
  maxConcurrent = Math.max(maxConcurrent, active);
  res.on('close', () => active--);
  if (req.method === 'POST') {
    let n = 0;
    req.on('data', (c) => (n += c.length));
    req.on('end', () => res.end(String(n)));
    return;
  }
  const m = /^\/bytes\/(\d+)$/.exec(req.url ?? '');
  if (!m) return res.writeHead(404).end();
  let first = 0;
  let last = Number(m[1]) - 1;
  const r = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
  if (r) {
    first = Number(r[1]);
    last = Math.min(last, Number(r[2]));
    res.writeHead(206, { 'content-length': last - first + 1, 'content-range': `bytes ${first}-${last}/${m[1]}` });
  } else res.writeHead(200, { 'content-length': last + 1 });
  let left = last - first + 1;
  const pump = () => {
    while (left > 0) {
      const n = Math.min(left, block.length);
      left -= n;
      if (!res.write(n === block.length ? block : block.subarray(0, n))) return void res.once('drain', pump);
    }
    res.end();
  };
  pump();
});
server.listen(0, process.argv[2] ?? '127.0.0.1', () => console.log(`listening ${server.address().port}`));
