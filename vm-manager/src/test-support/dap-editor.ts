/**
 * An editor's side of `phantom dap` for tests: the adapter in a process of its own on a state
 * folder, requests written to its stdin, responses and events read from its stdout, each awaited
 * under a deadline.
 */
import assert from 'node:assert/strict';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { DapReader, frameDapMessage } from '@phantom/inspector/common/dap-framing.js';
import { spawnPhantomDap } from './fixtures.js';

// biome-ignore lint/suspicious/noExplicitAny: DAP bodies are read field by field in the tests
export type Message = Record<string, any>;

/** An editor's side of `phantom dap`: requests out, responses and events in. */
export class Editor {
  readonly child: ChildProcessWithoutNullStreams;
  readonly messages: Message[] = [];
  private readonly reader = new DapReader();
  private seq = 1;
  private wake: (() => void)[] = [];
  readonly stderr: () => string;

  constructor(
    root: string,
    private readonly deadlineMs: number,
  ) {
    ({ child: this.child, stderr: this.stderr } = spawnPhantomDap(root));
    this.child.stdout.on('data', (d: Buffer) => {
      for (const input of this.reader.feed(d)) {
        assert.equal(input.kind, 'other', 'the adapter writes only responses and events');
        if (input.kind === 'other') this.messages.push(input.message);
      }
      for (const w of this.wake.splice(0)) w();
    });
  }

  async waitFor(match: (m: Message) => boolean, what: string): Promise<Message> {
    const deadline = Date.now() + this.deadlineMs;
    for (;;) {
      const i = this.messages.findIndex(match);
      if (i >= 0) return this.messages.splice(i, 1)[0]!;
      assert.ok(Date.now() < deadline, `no ${what}; stderr:\n${this.stderr()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 500);
        this.wake.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  request(command: string, args: unknown = {}): Promise<Message> {
    const seq = this.seq++;
    this.child.stdin.write(frameDapMessage({ seq, type: 'request', command, arguments: args }));
    return this.waitFor((m) => m.type === 'response' && m.request_seq === seq, `response to ${command}`);
  }

  async ok(command: string, args: unknown = {}): Promise<Message> {
    const r = await this.request(command, args);
    assert.equal(r.success, true, `${command}: ${r.message}\n${this.stderr()}`);
    return r;
  }

  stopped(): Promise<Message> {
    return this.waitFor((m) => m.type === 'event' && m.event === 'stopped', 'stopped event');
  }

  /** The innermost frame of thread `id`, and its locals by name. */
  async top(id: number): Promise<{ name: string; line: number; locals: Map<string, string> }> {
    const frames = (await this.ok('stackTrace', { threadId: id })).body.stackFrames;
    const scopes = (await this.ok('scopes', { frameId: frames[0].id })).body.scopes;
    const locals = new Map<string, string>();
    for (const scope of scopes) {
      const vars = (await this.ok('variables', { variablesReference: scope.variablesReference })).body
        .variables;
      for (const v of vars) locals.set(v.name, v.value);
    }
    return { name: frames[0].name, line: frames[0].line, locals };
  }
}
