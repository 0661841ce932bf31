// How Node.js's llhttp (strict: no lenient flags) frames each HTTP/1.1 request stream, one JSON
// object per input line, in the shape miniweb_http_framing_dump prints (see framing_diff.py):
//   {"messages": [{method, target, version, headers, body, keep_alive}], "end": E, "error": C}
// (and "at": the offset of the byte refused, on an error), where E is complete | incomplete | error | closed (a message ended the connection) | upgrade
// (CONNECT or Upgrade: the bytes after it are not HTTP). Input: one hex-encoded stream a line.
// Node's http_parser binding exposes llhttp through _http_common (Node 18: llhttp 6.1; Node 20:
// llhttp 9, the machine's when NodeSource's Node.js is there).
'use strict';
const fs = require('fs');
const { HTTPParser, methods } = require('_http_common');

function frame(bytes) {
  const parser = new HTTPParser();
  parser.initialize(HTTPParser.REQUEST, {}, 0, HTTPParser.kLenientNone);
  const messages = [];
  let pendingHeaders = [];
  let pendingUrl = '';
  let current = null;
  let begun = false;
  parser[HTTPParser.kOnMessageBegin] = () => { begun = true; };
  // More than 32 fields come in batches before the head completes. Trailer fields come the
  // same way after the body: miniweb drops them unread into the request (RFC 9110 section
  // 6.5.1 lets a recipient discard them), so they are not compared.
  parser[HTTPParser.kOnHeaders] = (headers, url) => {
    if (current) return;
    pendingHeaders = pendingHeaders.concat(headers);
    pendingUrl += url;
  };
  parser[HTTPParser.kOnHeadersComplete] =
      (major, minor, headers, method, url, _status, _reason, upgrade, keepAlive) => {
        const all = headers ? pendingHeaders.concat(headers) : pendingHeaders;
        const fields = [];
        for (let i = 0; i < all.length; i += 2) fields.push([all[i], all[i + 1]]);
        current = {
          method: methods[method],
          target: url !== undefined ? pendingUrl + url : pendingUrl,
          version: `${major}.${minor}`,
          headers: fields,
          body: '',
          keep_alive: keepAlive,
          upgrade,
        };
        pendingHeaders = [];
        pendingUrl = '';
        return 0;
      };
  parser[HTTPParser.kOnBody] = (chunk) => { current.body += chunk.toString('latin1'); };
  parser[HTTPParser.kOnMessageComplete] = () => {
    messages.push(current);
    current = null;
    begun = false;
  };
  const result = parser.execute(bytes);
  const out = { messages, end: 'complete', error: null };
  const last = messages[messages.length - 1];
  if (result instanceof Error && result.code === 'HPE_CLOSED_CONNECTION' && last &&
      !last.keep_alive) {
    // llhttp 9 (Node 20) calls the bytes after a message that ends the connection an error;
    // llhttp 6.1 (Node 18) stopped there. Either way nothing after that message is read.
    out.end = 'closed';
  } else if (result instanceof Error) {
    out.end = 'error';
    out.error = `${result.code}: ${result.reason}`;
    out.at = result.bytesParsed;  // the offset of the byte refused
  } else if (last && last.upgrade) {
    out.end = 'upgrade';
  } else if (last && !last.keep_alive) {
    out.end = 'closed';
  } else if (begun || current) {
    out.end = 'incomplete';
  }
  // Node's binding reports no error once a request has asked for Upgrade (its body is read
  // but a parse error is dropped): frame it again with the field renamed, same length, which
  // changes nothing in llhttp's reading of the body, to learn the error.
  if (out.end === 'incomplete' && current && current.upgrade) {
    const renamed = Buffer.from(bytes.toString('latin1').replace(/\nupgrade:/gi, '\nXpgrade:'),
                                'latin1');
    const again = frame(renamed);
    if (again.end === 'error') {
      out.end = 'error';
      out.error = again.error;
      out.at = again.at;
    }
  }
  for (const message of messages) delete message.upgrade;
  parser.close();
  return out;
}

const lines = fs.readFileSync(process.argv[2], 'latin1').split('\n').filter((line) => line);
const out = lines.map((hex) => JSON.stringify(frame(Buffer.from(hex, 'hex'))));
process.stdout.write(out.join('\n') + '\n');
