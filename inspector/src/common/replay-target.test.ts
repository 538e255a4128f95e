// The replay as a debug-adapter target: stops come as events after the request, output is
// compared with the machine's recorded console and the first line that differs is said once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compile } from '@phantom/lang/common/compiler.js';
import { buildSpace } from '@phantom/lang/common/image/builder.js';
import * as L from '@phantom/lang/common/spec/generated.js';
import * as P from './debug-protocol.js';
import { ReplayTarget } from './replay-target.js';

const SOURCE = `package .demo;
import .internal.io.tty;
class lines {
  void run() {
    for (var i = 0; i < 5; i++)
      tty.println("line " + i);
  }
};
`;

function target(recorded?: string): ReplayTarget {
  const { program } = compile([{ file: '/src/lines.ph', text: SOURCE }]);
  assert.ok(program);
  const space = buildSpace(program, { spaceBytes: 1 << 20, mainClasses: ['.demo.lines'] });
  return new ReplayTarget(space, {
    generation: 4,
    yieldToHost: () => new Promise((resolve) => setImmediate(resolve)),
    ...(recorded !== undefined ? { recorded } : {}),
  });
}

async function runToEnd(t: ReplayTarget): Promise<P.StoppedInfo> {
  const stopped = new Promise<P.StoppedInfo>((resolve) => t.onDidStop(resolve));
  await t.continueThread(0);
  return stopped;
}

test('the first line where the replay parts from the recorded console is said once', async () => {
  const t = target('line 0\nline 1\nline two\nline 3\n');
  const notices: string[] = [];
  t.onNotice((n) => notices.push(n));
  let said = '';
  t.onConsole((text) => {
    said += text;
  });
  const stop = await runToEnd(t);
  assert.equal(stop.reason, P.StopReason.Pause);
  assert.equal(said, 'line 0\nline 1\nline 2\nline 3\nline 4\n');
  assert.equal(notices.length, 1);
  assert.match(
    notices[0]!,
    /diverges .* at line 3 after generation 4 .*printed "line two", the replay "line 2"/,
  );
  assert.match(
    t.describeStop().description,
    /every thread has ended \(position \d+ of the replay of generation 4\)/,
  );
});

test('a replay that agrees with the console (as far as it goes) says nothing', async () => {
  const t = target('line 0\nline 1\n');
  const notices: string[] = [];
  t.onNotice((n) => notices.push(n));
  await runToEnd(t);
  assert.deepEqual(notices, []);
});

test('requests while the replay runs are refused saying why; the stop comes after the request', async () => {
  const t = target();
  let stops = 0;
  t.onDidStop(() => stops++);
  await t.continueThread(0);
  assert.equal(stops, 0, 'the stop is told after the request is answered');
  await assert.rejects(t.step(0, P.StepKind.Over), /while the replay runs: pause it first/);
  await new Promise<void>((resolve) => t.onDidStop(() => resolve()));
  await assert.rejects(t.setExceptionStops(7 as P.ExceptionStops), /unknown exception stop mode 7/);
});

test('a breakpoint set while the replay runs stops it there; one cleared while it runs does not', async () => {
  const { program } = compile([
    {
      file: '/src/sum.ph',
      text: `package .demo;
import .internal.io.tty;
class sum {
  void run() {
    var t = 0;
    for (var i = 0; i < 200000; i++)
      t = t + i;
    tty.println("sum " + t);
    tty.println("done");
  }
};
`,
    },
  ]);
  assert.ok(program);
  const fresh = () =>
    new ReplayTarget(buildSpace(program, { spaceBytes: 1 << 20, mainClasses: ['.demo.sum'] }), {
      generation: 3,
      yieldToHost: () => new Promise((resolve) => setImmediate(resolve)),
    });
  const at = (t: ReplayTarget, line: number): P.BreakpointSpec => {
    const r = t.replay;
    for (const { method } of r.programMethods()) {
      const code = r.machine.space.payloadBytes(r.machine.space.slot(method, L.METHOD_CODE));
      for (let pc = 0; pc < code; pc++)
        if (r.statementAt(method, pc)?.line === line)
          return {
            method: method - 1,
            pc,
            flags: 0,
            condition: P.Condition.None,
            local: 0,
            value: 0,
            hitCount: 0,
            message: '',
          };
    }
    throw new Error(`no statement at line ${line}`);
  };
  const t = fresh();
  let said = '';
  t.onConsole((text) => {
    said += text;
  });
  const stopped = new Promise<P.StoppedInfo>((resolve) => t.onDidStop(resolve));
  await t.continueThread(0);
  await t.setBreakpoint(at(t, 8));
  const stop = await stopped;
  assert.equal(stop.reason, P.StopReason.Breakpoint);
  assert.equal(stop.line, 8);
  assert.equal(said, '', 'stopped before the first line is printed');
  // Cleared while running: the replay goes on to its end.
  const u = fresh();
  const id = await u.setBreakpoint(at(u, 9));
  const ended = new Promise<P.StoppedInfo>((resolve) => u.onDidStop(resolve));
  await u.continueThread(0);
  await u.clearBreakpoint(id);
  assert.equal((await ended).reason, P.StopReason.Pause);
  assert.match(u.describeStop().description, /^every thread has ended/);
});

test('an exception stop is told as the kernel tells one, naming the error the throw makes', async () => {
  const { program } = compile([
    {
      file: '/src/nul.ph',
      text: `package .demo;
class box { var n : int; };
class nul {
  void run() {
    var b : box = null;
    b.n = 1;
  }
};
`,
    },
  ]);
  assert.ok(program);
  const t = new ReplayTarget(buildSpace(program, { spaceBytes: 1 << 20, mainClasses: ['.demo.nul'] }), {
    generation: 2,
    yieldToHost: () => new Promise((resolve) => setImmediate(resolve)),
  });
  await t.setExceptionStops(P.ExceptionStops.Uncaught);
  const stop = await runToEnd(t);
  assert.equal(stop.reason, P.StopReason.Exception);
  assert.equal(stop.exception, 0, "the VM's error is made by the throw: not there yet");
  assert.equal(stop.line, 6);
  assert.deepEqual(t.thrownHere(), {
    thrown: 0,
    className: '.internal.error',
    message: 'NullReference',
    caught: false,
  });
  assert.match(
    t.describeStop().description,
    /^Error thrown: \.internal\.error: NullReference \(uncaught\) \(position \d+ /,
  );
  assert.equal((await t.stopped()).exceptions, P.ExceptionStops.Uncaught);
  // Going on, the throw ends the thread as it did in the machine.
  await runToEnd(t);
  assert.match(t.describeStop().description, /^every thread has ended/);
  assert.equal(t.thrownHere(), undefined);
});
