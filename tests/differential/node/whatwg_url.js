// Node's WHATWG URL (the URL Standard, as browsers parse) on each input, printed in the shape
// miniweb_url_dump prints (see url_diff.py). Each input line is "BASE_HEX INPUT_HEX", BASE_HEX
// "-" for none; the bytes are UTF-8.
'use strict';
const fs = require('fs');

function parse(base, input) {
  let url;
  try {
    url = base === undefined ? new URL(input) : new URL(input, base);
  } catch (error) {
    return { ok: false, error: error.code || String(error) };
  }
  // search and hash are "" both for an empty query or fragment and for none: the href tells.
  const hashAt = url.href.indexOf('#');
  const beforeHash = hashAt < 0 ? url.href : url.href.slice(0, hashAt);
  return {
    ok: true,
    scheme: url.protocol.slice(0, -1),
    username: url.username,
    password: url.password,
    host: url.hostname,
    port: url.port,
    path: url.pathname,
    query: url.search ? url.search.slice(1) : (beforeHash.endsWith('?') ? '' : null),
    fragment: url.hash ? url.hash.slice(1) : (hashAt >= 0 ? '' : null),
    href: url.href,
  };
}

const text = (hex) => Buffer.from(hex, 'hex').toString('utf8');
const lines = fs.readFileSync(process.argv[2], 'latin1').split('\n').filter((line) => line);
const out = lines.map((line) => {
  const [baseHex, inputHex = ''] = line.split(' ');
  return JSON.stringify(parse(baseHex === '-' ? undefined : text(baseHex), text(inputHex)));
});
process.stdout.write(out.join('\n') + '\n');
