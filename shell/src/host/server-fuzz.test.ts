/**
 * The browser-mode host against hostile bytes. The real host process (host/main.js, what
 * `npm start` runs) gets malformed request lines, headers, paths, percent-encodings, WebSocket
 * upgrades and frames over raw sockets, which fetch would refuse to send: a few named cases, then
 * a few thousand seeded ones. After each batch the process must still be running and must still
 * answer a valid page request and a valid API call; nothing it answers may be a success for a
 * request that does not hold the token, and nothing may be a 5xx (a handler that threw).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { seededRandom } from '@phantom/lang/common/seeded-random.js';
import { WebSocket } from 'ws';
import { MAX_REQUEST_BYTES } from '../common/api.js';
import { fuzzSeed } from '../test-support/fuzz-seed.js';

/** The host starts in about a second; on 2 shared cores with QEMU beside it, much more. */
const START_DEADLINE_MS = 60_000;
/** Every case half-closes its connection, so the host closes it at once; this only bounds a hang. */
const CASE_DEADLINE_MS = 10_000;
const FUZZ_CASES = 3000;
const BATCH = 100;
/** Connections open at once within a batch: enough to overlap, few enough for 2 shared cores. */
const PARALLEL = 10;

interface HostProcess {
  readonly port: number;
  readonly token: string;
  readonly child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

let stateDir: string;
let host: HostProcess;

async function startHostProcess(): Promise<HostProcess> {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'main.js'), '--port', '0'], {
    env: { ...process.env, PHANTOM_STATE_DIR: stateDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => {
    output += d;
  });
  child.stderr.on('data', (d) => {
    output += d;
  });
  const url = await new Promise<URL>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no URL in ${START_DEADLINE_MS} ms:\n${output}`)),
      START_DEADLINE_MS,
    );
    child.stdout.on('data', () => {
      const printed = /http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}/.exec(output)?.[0];
      if (printed === undefined) return;
      clearTimeout(timer);
      resolve(new URL(printed));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the host exited (${code}) before printing its URL:\n${output}`));
    });
  });
  return {
    port: Number(url.port),
    token: url.searchParams.get('token')!,
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

before(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'phantom-host-fuzz-'));
  host = await startHostProcess();
  // The API's side loads after the URL is printed; fuzz it once it answers.
  await apiAnswers();
});

after(async () => {
  await host.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

/** How a case's connection ends once its bytes are sent. */
type Ending = 'half-close' | 'reset';

/**
 * Sends `bytes` on a new connection and resolves with all the host sent back. A half-close lets
 * the host answer and close; a reset (RST) leaves it with a connection torn down under it.
 */
function exchange(bytes: Uint8Array | string, ending: Ending = 'half-close'): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(host.port, '127.0.0.1');
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within ${CASE_DEADLINE_MS} ms`));
    }, CASE_DEADLINE_MS);
    socket.on('data', (d) => chunks.push(d));
    // A reset is an answer too (the host may drop a connection that breaks the protocol).
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    if (ending === 'reset') socket.write(bytes, () => socket.resetAndDestroy());
    else socket.end(bytes);
  });
}

/** The final status of the first answer: after any interim 1xx (Node answers `Expect: 100-continue` itself), 101 excepted. */
function statusOf(response: Buffer): number | undefined {
  const text = response.subarray(0, 4096).toString('latin1');
  for (const match of text.matchAll(/(?:^|\r\n\r\n)HTTP\/1\.1 (\d{3}) /g)) {
    const status = Number(match[1]);
    if (status >= 200 || status === 101) return status;
  }
  return undefined;
}

const hostHeader = () => `127.0.0.1:${host.port}`;
const cookie = () => `phantom_token=${host.token}`;
const validPageRequest = () =>
  `GET / HTTP/1.1\r\nHost: ${hostHeader()}\r\nCookie: ${cookie()}\r\nConnection: close\r\n\r\n`;

/** One API call over a WebSocket, as the renderer makes it. */
function apiAnswers(): Promise<string> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${hostHeader()}/api`, {
      headers: { Cookie: cookie(), Origin: `http://${hostHeader()}` },
    });
    ws.on('open', () => ws.send('{"id":7,"method":"studio.info"}'));
    ws.on('message', (data) => {
      ws.close();
      resolve(data.toString());
    });
    ws.on('error', reject);
  });
}

async function assertServing(when: string): Promise<void> {
  assert.equal(host.child.exitCode, null, `${when}: the host exited:\n${host.output()}`);
  assert.equal(host.child.signalCode, null, `${when}: the host was killed:\n${host.output()}`);
  assert.equal(statusOf(await exchange(validPageRequest())), 200, `${when}: the page`);
  assert.match(await apiAnswers(), /"id":7,"result":\{"name":"Phantom Studio"/, `${when}: the API`);
}

/** The answer must be no answer, or a well-formed one that is neither a 5xx nor a success without the token. */
function assertSafeAnswer(request: Buffer, response: Buffer, what: string): void {
  if (response.length === 0) return;
  const status = statusOf(response);
  assert.ok(
    status !== undefined,
    `${what}: answered ${JSON.stringify(response.subarray(0, 80).toString('latin1'))}`,
  );
  assert.ok(status < 500, `${what}: answered ${status}:\n${host.output().slice(-2000)}`);
  if (status < 400) assert.ok(request.includes(host.token), `${what}: ${status} without the token`);
}

test('request targets the URL parser refuses are answered, and the host lives on', async () => {
  const upgrade = (target: string) =>
    `GET ${target} HTTP/1.1\r\nHost: ${hostHeader()}\r\nCookie: ${cookie()}\r\nOrigin: http://${hostHeader()}\r\n` +
    `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n\r\n`;
  // `//` is a path (empty segments are allowed), not a host: the page for the cookie, else 403.
  for (const [request, status] of [
    [`GET // HTTP/1.1\r\nHost: ${hostHeader()}\r\n\r\n`, 403],
    [`GET // HTTP/1.1\r\nHost: ${hostHeader()}\r\nCookie: ${cookie()}\r\n\r\n`, 200],
    [`GET http://[::1 HTTP/1.1\r\nHost: ${hostHeader()}\r\n\r\n`, 400],
    [`GET http://127.0.0.1/ HTTP/1.1\r\nHost: ${hostHeader()}\r\nCookie: ${cookie()}\r\n\r\n`, 400],
    [upgrade('//'), 403],
    [upgrade('http://[::1'), 400],
  ] as const) {
    const response = await exchange(request);
    assert.equal(statusOf(response), status, `${JSON.stringify(request)}: ${response.toString('latin1')}`);
    await assertServing(JSON.stringify(request));
  }
});

test('a bad percent-encoding in the path is answered 400, and the host lives on', async () => {
  for (const path of ['/%', '/%E0%A4%A', '/%ZZ', '/a%2', '/%C0%AF']) {
    const response = await exchange(
      `GET ${path} HTTP/1.1\r\nHost: ${hostHeader()}\r\nCookie: ${cookie()}\r\n\r\n`,
    );
    assert.equal(statusOf(response), 400, `${path}: ${response.toString('latin1')}`);
    await assertServing(path);
  }
});

/** A client's WebSocket frame: masked as RFC 6455 requires unless told not to, its length told or lied about. */
function wsFrame(
  opcode: number,
  payload: Buffer,
  { fin = true, masked = true, rsv = 0, announcedLength = payload.length } = {},
): Buffer {
  const head = [(fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0f)];
  const maskBit = masked ? 0x80 : 0;
  let length: Buffer;
  if (announcedLength < 126) length = Buffer.from([maskBit | announcedLength]);
  else if (announcedLength < 0x10000) {
    length = Buffer.alloc(3);
    length[0] = maskBit | 126;
    length.writeUInt16BE(announcedLength, 1);
  } else {
    length = Buffer.alloc(9);
    length[0] = maskBit | 127;
    length.writeBigUInt64BE(BigInt(announcedLength), 1);
  }
  if (!masked) return Buffer.concat([Buffer.from(head), length, payload]);
  const key = randomBytes(4);
  const body = Buffer.from(payload.map((byte, i) => byte ^ key[i % 4]!));
  return Buffer.concat([Buffer.from(head), length, key, body]);
}

/** Seeded cases: request lines, headers, paths and encodings, upgrades, byte-level mutations, frames. */
function fuzzCases(seed: number, count: number): { bytes: Buffer; ending: Ending }[] {
  const next = seededRandom(seed);
  const below = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[below(items.length)]!;
  const someBytes = (n: number) => Buffer.from(Array.from({ length: n }, () => below(256)));
  const port = host.port;
  const good = hostHeader();

  const methods = [
    'GET',
    'HEAD',
    'POST',
    'PUT',
    'OPTIONS',
    'CONNECT',
    'DELETE',
    'get',
    'G\u00e9T',
    '',
    'GET GET',
  ];
  const targets = [
    '/',
    '//',
    '///',
    '//evil.example/',
    '/\\evil',
    'http://[::1',
    'http://[::1]:80/',
    `http://127.0.0.1:${port}/`,
    'http://evil.example/',
    '*',
    '',
    '?',
    '/?token=',
    `/?token=${'0'.repeat(64)}`,
    '/index.html',
    '/api',
    '/..',
    '/../../etc/passwd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/%',
    '/%E0%A4%A',
    '/%00',
    '/%ff%fe',
    '/\u00e9',
    '/#frag',
    `/${'a'.repeat(9000)}`,
    `/?${'b=1&'.repeat(2000)}`,
  ];
  const versions = ['HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/0.9', 'HTTP/1.1 extra', 'http/1.1', ''];
  const hosts = [
    good,
    good,
    'evil.example',
    `evil.example:${port}`,
    `localhost:${port}`,
    '127.0.0.1',
    `127.0.0.1:${port + 1}`,
    `127.0.0.1:0${port}`,
    `[::1]:${port}`,
    `${good}.evil.example`,
    `${good}@evil.example`,
    '',
    'x'.repeat(10_000),
  ];
  const cookies = [
    cookie(),
    cookie(),
    'phantom_token=nope',
    `phantom_token=${host.token}x`,
    `a=b; ${cookie()}`,
    `phantom_token=; ${cookie()}`,
    `${cookie()}; ${cookie()}`,
    'phantom_token',
    ';;;=;',
    'c'.repeat(20_000),
  ];
  const origins = [`http://${good}`, 'http://evil.example', 'null', `https://${good}`, ''];
  const otherHeaders = [
    'Content-Length: 5\r\n',
    'Content-Length: -1\r\n',
    'Content-Length: 99999999999999999999\r\n',
    'Content-Length: 1\r\nContent-Length: 2\r\n',
    'Transfer-Encoding: chunked\r\n',
    'Transfer-Encoding: chunked, identity\r\n',
    'Expect: 100-continue\r\n',
    'Connection: keep-alive\r\n',
    'Upgrade: h2c\r\nConnection: Upgrade\r\n',
    'X-Folded: a\r\n b\r\n',
    'No colon here\r\n',
    ': empty name\r\n',
    'Bad\u0000Name: x\r\n',
    'X-Nul: a\u0000b\r\n',
    `X-Big: ${'y'.repeat(17_000)}\r\n`,
    'Range: bytes=0-0\r\n',
    'If-None-Match: *\r\n',
  ];
  const eol = () => pick(['\r\n', '\r\n', '\r\n', '\n', '\r']);

  const headers = (withCookie: boolean) => {
    let text = `Host: ${next() < 0.85 ? good : pick(hosts)}${eol()}`;
    if (withCookie && next() < 0.9) text += `Cookie: ${next() < 0.8 ? cookie() : pick(cookies)}${eol()}`;
    for (let i = below(3); i > 0; i--) text += pick(otherHeaders);
    return text;
  };
  const requestLine = () =>
    `${pick(methods)} ${pick(targets)} ${next() < 0.8 ? 'HTTP/1.1' : pick(versions)}${eol()}`;

  const encodedSegment = () => {
    switch (below(6)) {
      case 0:
        return encodeURIComponent(String.fromCharCode(below(0x3000)));
      case 1:
        return `%${below(256).toString(16).padStart(2, '0')}`;
      case 2:
        return `%${pick(['', 'e', 'E0', 'Z', '%', 'c0%af', 'ed%a0%80'])}`;
      case 3:
        return pick(['..', '.', '', 'index.html', 'app.js', 'api', '%2e%2e', '%2f', '%5c', '%00']);
      case 4:
        return someBytes(1 + below(4)).toString('latin1');
      default:
        return 'x'.repeat(below(40));
    }
  };
  const path = () => {
    let p = '';
    for (let i = 1 + below(5); i > 0; i--) p += `/${encodedSegment()}`;
    return next() < 0.2 ? `${p}?${encodedSegment()}=${encodedSegment()}` : p;
  };

  const upgradeHeaders = () => {
    const key =
      next() < 0.85 ? randomBytes(16).toString('base64') : pick(['', 'short', '!!!!', 'a'.repeat(200)]);
    return (
      `Origin: ${next() < 0.85 ? `http://${good}` : pick(origins)}\r\n` +
      `Upgrade: ${next() < 0.9 ? 'websocket' : pick(['WebSocket', 'h2c', ''])}\r\n` +
      `Connection: ${next() < 0.9 ? 'Upgrade' : pick(['upgrade, keep-alive', 'close', ''])}\r\n` +
      `Sec-WebSocket-Version: ${next() < 0.9 ? '13' : pick(['8', '', '99'])}\r\n` +
      `Sec-WebSocket-Key: ${key}\r\n`
    );
  };
  const validUpgrade = () =>
    `GET /api HTTP/1.1\r\nHost: ${good}\r\nCookie: ${cookie()}\r\nOrigin: http://${good}\r\n` +
    `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n` +
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n\r\n`;

  const frame = (): Buffer => {
    const call = Buffer.from('{"id":1,"method":"studio.info"}');
    switch (below(12)) {
      case 0:
        return wsFrame(1, call);
      case 1:
        return wsFrame(1, someBytes(below(300)));
      case 2:
        return wsFrame(2, someBytes(below(300)));
      case 3:
        return wsFrame(9, someBytes(next() < 0.7 ? below(126) : 126 + below(200)));
      case 4:
        return wsFrame(8, someBytes(below(10)));
      case 5:
        return Buffer.concat([
          wsFrame(1, call.subarray(0, 10), { fin: false }),
          wsFrame(0, call.subarray(10)),
        ]);
      case 6:
        return wsFrame(0, someBytes(below(20)));
      case 7:
        return wsFrame(1, call, { masked: false });
      case 8:
        return wsFrame(1, call, { rsv: 1 + below(7) });
      case 9:
        return wsFrame(pick([3, 4, 5, 6, 7, 11, 12, 13, 14, 15]), someBytes(below(20)));
      case 10:
        // Lengths the frame's header announces but its body never brings.
        return wsFrame(1, someBytes(below(50)), {
          announcedLength: pick([
            126,
            0xffff,
            0x10000,
            MAX_REQUEST_BYTES,
            MAX_REQUEST_BYTES + 1,
            2 ** 53 - 1,
          ]),
        });
      default:
        return wsFrame(1, Buffer.alloc(pick([0, 125, 126, 0xffff, 0x10000, 1 << 20]), 0x20));
    }
  };

  const cases: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    switch (below(7)) {
      case 0:
        cases.push(Buffer.from(`${requestLine()}${headers(true)}${eol()}`, 'latin1'));
        break;
      case 1:
        cases.push(
          Buffer.from(
            `GET ${next() < 0.5 ? '/' : pick(targets)} HTTP/1.1\r\n${headers(next() < 0.7)}\r\n`,
            'latin1',
          ),
        );
        break;
      case 2:
        cases.push(
          Buffer.from(`GET ${path()} HTTP/1.1\r\nHost: ${good}\r\nCookie: ${cookie()}\r\n\r\n`, 'latin1'),
        );
        break;
      case 3:
        cases.push(
          Buffer.from(
            `GET ${next() < 0.5 ? '/api' : pick(targets)} HTTP/1.1\r\n${headers(true)}${upgradeHeaders()}\r\n`,
            'latin1',
          ),
        );
        break;
      case 4: {
        // Byte-level damage to a request that was valid.
        const bytes = [...Buffer.from(next() < 0.5 ? validPageRequest() : validUpgrade(), 'latin1')];
        for (let m = 1 + below(4); m > 0; m--) {
          const at = below(bytes.length);
          const edit = below(4);
          if (edit === 0) bytes[at] = below(256);
          else if (edit === 1) bytes.splice(at, 1 + below(8));
          else if (edit === 2) bytes.splice(at, 0, ...someBytes(1 + below(8)));
          else bytes.splice(at, 0, ...bytes.slice(at, at + below(40)));
        }
        cases.push(Buffer.from(bytes));
        break;
      }
      case 5: {
        const frames = Array.from({ length: 1 + below(5) }, frame);
        const all = Buffer.concat([Buffer.from(validUpgrade(), 'latin1'), ...frames]);
        // Sometimes the connection ends in the middle of a frame.
        cases.push(
          next() < 0.2 ? all.subarray(0, all.length - 1 - below(Math.min(20, all.length - 1))) : all,
        );
        break;
      }
      default:
        cases.push(Buffer.concat([Buffer.from(requestLine(), 'latin1'), someBytes(below(200))]));
    }
  }
  return cases.map((bytes) => ({ bytes, ending: next() < 0.1 ? 'reset' : 'half-close' }));
}

test('thousands of seeded hostile requests, upgrades and frames: the host answers safely and keeps serving', async () => {
  const seed = fuzzSeed(14);
  const cases = fuzzCases(seed, FUZZ_CASES);
  const started = performance.now();
  const statuses = new Map<string, number>();
  for (let batch = 0; batch < cases.length; batch += BATCH) {
    const todo = cases.slice(batch, batch + BATCH).map((item, i) => ({ ...item, index: batch + i }));
    const workers = Array.from({ length: PARALLEL }, async () => {
      for (let item = todo.shift(); item !== undefined; item = todo.shift()) {
        const what = `seed ${seed}, case ${item.index} ${JSON.stringify(item.bytes.subarray(0, 160).toString('latin1'))}`;
        const response = await exchange(item.bytes, item.ending).catch((err: Error) =>
          assert.fail(`${what}: ${err.message}`),
        );
        assertSafeAnswer(item.bytes, response, what);
        const status = String(statusOf(response) ?? 'none');
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    });
    await Promise.all(workers);
    await assertServing(`seed ${seed}, after cases ${batch} to ${batch + BATCH - 1}`);
  }
  assert.doesNotMatch(host.output(), /failed:/, 'a handler threw');
  const seconds = (performance.now() - started) / 1000;
  const answered = [...statuses].sort().map(([status, n]) => `${status}: ${n}`);
  console.log(
    `host fuzz: seed ${seed}, ${cases.length} cases in ${seconds.toFixed(1)} s; answers ${answered.join(', ')}`,
  );
});
