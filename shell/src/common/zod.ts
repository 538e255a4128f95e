/**
 * zod as the studio uses it: set up once, before any schema is built. Import `z` from here,
 * never from 'zod' directly.
 *
 * jitless: zod 4 compiles a fast parser for each object schema with `new Function`, and first
 * probes whether it may. Under the renderer's Content-Security-Policy (no 'unsafe-eval') that
 * probe fails quietly but Chromium still reports it as a violation, once per page. The plain
 * parser needs no eval, and the messages validated here are small. A schema decides at
 * construction whether to compile, so this must run before the first one is built.
 */
import { z } from 'zod';

z.config({ jitless: true });

export { z };
