import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ApiError,
  STREAM_BATCH_CHARS,
  STREAM_HIGH_WATER_CHARS,
  STREAM_LOW_WATER_CHARS,
  type StreamMessage,
} from '../common/api.js';
import { StreamHub, type StreamSource } from './stream-hub.js';

/** A source the test pushes text into by hand, recording what the hub asks of it. */
class ManualSource implements StreamSource {
  paused = false;
  disposed = false;
  private data: (text: string) => void = () => {};
  private end: (reason: string) => void = () => {};
  onData(listener: (text: string) => void): void {
    this.data = listener;
  }
  onEnd(listener: (reason: string) => void): void {
    this.end = listener;
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  dispose(): void {
    this.disposed = true;
  }
  push(text: string): void {
    this.data(text);
  }
  finish(reason: string): void {
    this.end(reason);
  }
}

async function until(condition: () => boolean, what: string, deadlineMs = 5000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

test('small writes close together leave in one frame', async () => {
  const sent: StreamMessage[] = [];
  const hub = new StreamHub((m) => sent.push(m));
  const source = new ManualSource();
  const id = hub.open(source);
  for (let i = 0; i < 100; i++) source.push(`line ${i}\n`);
  assert.equal(sent.length, 0, 'nothing is sent before the batch interval');
  await until(() => sent.length > 0, 'the batch');
  assert.equal(sent.length, 1);
  const first = sent[0]!;
  assert.ok('data' in first);
  assert.equal(first.stream, id);
  assert.equal(first.data.split('\n').length, 101);
  hub.closeAll();
});

test('a flood goes out at once in frames of the batch size', () => {
  const sent: StreamMessage[] = [];
  const hub = new StreamHub((m) => sent.push(m));
  const source = new ManualSource();
  hub.open(source);
  source.push('x'.repeat(STREAM_BATCH_CHARS));
  assert.equal(sent.length, 1);
  hub.closeAll();
});

test('the source pauses above the high-water mark and resumes below the low one', () => {
  const sent: StreamMessage[] = [];
  const hub = new StreamHub((m) => sent.push(m));
  const source = new ManualSource();
  const id = hub.open(source);
  let total = 0;
  while (!source.paused) {
    source.push('y'.repeat(STREAM_BATCH_CHARS));
    total += STREAM_BATCH_CHARS;
    assert.ok(total <= STREAM_HIGH_WATER_CHARS + STREAM_BATCH_CHARS, 'paused by the high-water mark');
  }
  assert.ok(total > STREAM_HIGH_WATER_CHARS);
  hub.ack(id, total - STREAM_LOW_WATER_CHARS);
  assert.equal(source.paused, true, 'still paused at the low-water mark');
  hub.ack(id, 1);
  assert.equal(source.paused, false);
  hub.closeAll();
});

test('bad acks and unknown streams are refused with an API error', () => {
  const hub = new StreamHub(() => {});
  const id = hub.open(new ManualSource());
  assert.throws(() => hub.ack(id, 1), ApiError);
  assert.throws(() => hub.ack(id + 1, 1), ApiError);
  assert.throws(() => hub.close(id + 1), ApiError);
  hub.closeAll();
});

test('the end flushes what waits, then says why; close disposes the source', () => {
  const sent: StreamMessage[] = [];
  const hub = new StreamHub((m) => sent.push(m));
  const ending = new ManualSource();
  const id = hub.open(ending);
  ending.push('last words');
  ending.finish('the machine stopped');
  assert.deepEqual(sent, [
    { stream: id, data: 'last words' },
    { stream: id, end: 'the machine stopped' },
  ]);
  assert.equal(hub.size, 0);
  const closing = new ManualSource();
  hub.close(hub.open(closing));
  assert.equal(closing.disposed, true);
  closing.push('after close');
  assert.equal(sent.length, 2);
});
