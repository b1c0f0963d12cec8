/**
 * The registry is the user's code, and code can hang: `while (true) {}` at the top of a module, a
 * getter that never returns, a promise that never settles. Running it (its modules, then its value
 * read once into plain data) happens under a deadline, so a hang is a diagnostic (exit 2) instead
 * of a pre-commit hook that waits forever.
 *
 * - Synchronous code runs inside `vm`'s timeout: V8 interrupts it from a native watchdog thread,
 *   and the timeout arrives here as an exception. The registry's modules are evaluated that way
 *   through `require` (Node evaluates an ES module graph synchronously when it has no top-level
 *   await); reading its value (getters) too.
 * - A module graph `require` cannot evaluate (top-level await; a `data:` URL when no cache folder
 *   is writable; a runtime that cannot require ES modules) is imported instead, with a timer for a
 *   promise that never settles. A loop in such a graph keeps this thread busy and no timer on it
 *   can fire: a watchdog thread then asks V8's inspector to run `onStuck` on this thread (the
 *   inspector interrupts running JavaScript), and `onStuck` reports and ends the process. Only that
 *   path starts a thread (~20 ms); the common one costs nothing measurable.
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { Script } from "node:vm";
import type { Worker } from "node:worker_threads";
import { type Diagnostic, error } from "../diagnostics.ts";

/** Result of code that did not finish in time. */
export const TIMED_OUT: unique symbol = Symbol("timed out");

/** Default deadline: a registry that builds plain data takes milliseconds, a large one well under a second. */
export const DEFAULT_DEADLINE_MS = 10_000;

export interface Deadline {
  ms: number;
  /** Runs on this thread when an imported module is stuck in a loop; must report and end the process. */
  onStuck: () => never;
}

/**
 * The deadline in milliseconds: `GEN_WORKFLOWS_REGISTRY_TIMEOUT` (seconds; 0 turns it off, e.g.
 * to step through a registry in a debugger) or the default. Anything else is the default too.
 */
export function deadlineMs(env: Readonly<Record<string, string | undefined>>): number {
  const raw = env.GEN_WORKFLOWS_REGISTRY_TIMEOUT?.trim();
  if (raw === undefined || !/^\d+(\.\d+)?$/.test(raw)) return DEFAULT_DEADLINE_MS;
  const ms = Number(raw) * 1000;
  // Only 0 itself turns it off; a tiny limit is still a limit.
  return ms === 0 ? 0 : Math.max(1, Math.round(ms));
}

export function timeoutDiagnostic(file: string, ms: number): Diagnostic {
  return error("CONFIG_LOAD_TIMEOUT", `the registry's code did not finish in ${ms / 1000} s: it loops forever, or waits for something that never comes`, {
    file,
    fix: "make the registry build and export plain data (no endless loop, no waiting on the network or a timer); GEN_WORKFLOWS_REGISTRY_TIMEOUT=<seconds> sets the limit",
  });
}

const HOOK = "gen-workflows.run-within";
const CALL_HOOK = new Script(`globalThis[Symbol.for(${JSON.stringify(HOOK)})]()`, { filename: "gen-workflows:deadline" });

/** Runs synchronous `f` and returns its value, or TIMED_OUT when it ran longer than `ms` (0: no limit). */
export function synchronously<T>(ms: number, f: () => T): T | typeof TIMED_OUT {
  if (!(ms > 0)) return f();
  const hooks = globalThis as unknown as Record<symbol, unknown>;
  const key = Symbol.for(HOOK);
  const outer = hooks[key];
  // What `f` throws comes back as a value: thrown through the vm boundary from a module that
  // `require` evaluates, node would also print its own source line to stderr. Only the timeout
  // (V8 terminating execution, which no catch can stop) crosses the boundary.
  hooks[key] = (): Outcome<T> => {
    try {
      return { value: f() };
    } catch (thrown) {
      return { thrown };
    }
  };
  let outcome: Outcome<T>;
  try {
    outcome = CALL_HOOK.runInThisContext({ timeout: ms }) as Outcome<T>;
  } catch (e) {
    if (isTimeout(e)) return TIMED_OUT;
    throw e;
  } finally {
    hooks[key] = outer;
  }
  if ("thrown" in outcome) throw outcome.thrown;
  return outcome.value;
}

type Outcome<T> = { value: T } | { thrown: unknown };

function isTimeout(e: unknown): boolean {
  try {
    return (e as { code?: unknown } | null)?.code === "ERR_SCRIPT_EXECUTION_TIMEOUT";
  } catch {
    return false;
  }
}

/** What `require` says when it cannot evaluate this graph synchronously: then it is imported instead. */
const NOT_REQUIRABLE = new Set(["ERR_REQUIRE_ASYNC_MODULE", "ERR_REQUIRE_ESM", "ERR_UNKNOWN_FILE_EXTENSION", "ERR_REQUIRE_CYCLE_MODULE"]);

/**
 * Entries whose evaluation was cut off: node keeps such a module as failed, and a second load in
 * this process (adopt-pins falls back to gen) would report its "error" instead of the timeout.
 */
const timedOut = new Set<string>();

/** Evaluates the ES module at `url` (a registry's compiled entry) under the deadline: its namespace, or TIMED_OUT. */
export async function evaluateModule(url: string, deadline: Deadline): Promise<Record<string, unknown> | typeof TIMED_OUT> {
  if (timedOut.has(url)) return TIMED_OUT;
  const evaluated = await evaluateOnce(url, deadline);
  if (evaluated === TIMED_OUT) timedOut.add(url);
  return evaluated;
}

async function evaluateOnce(url: string, deadline: Deadline): Promise<Record<string, unknown> | typeof TIMED_OUT> {
  if (url.startsWith("file:")) {
    const path = fileURLToPath(url);
    const require = createRequire(path);
    try {
      return synchronously(deadline.ms, () => require(path) as Record<string, unknown>);
    } catch (e) {
      if (!NOT_REQUIRABLE.has(codeOf(e))) throw e;
    }
  }
  return withinDeadline(deadline, async () => (await import(url)) as Record<string, unknown>);
}

function codeOf(e: unknown): string {
  try {
    const code = (e as { code?: unknown } | null)?.code;
    return typeof code === "string" ? code : "";
  } catch {
    return "";
  }
}

/** How much later than the timer the watchdog steps in, so a free thread always reports the ordinary way. */
const WATCHDOG_GRACE_MS = 1_000;

const STUCK_HOOK = "gen-workflows.registry-stuck";

// Plain CommonJS: it runs in the worker as is, outside any bundle.
const WATCHDOG_SOURCE = `
const { workerData } = require("node:worker_threads");
setTimeout(() => {
  try {
    const { Session } = require("node:inspector");
    const session = new Session();
    session.connectToMainThread();
    session.post("Runtime.evaluate", { expression: workerData.expression });
  } catch {
    // A Node built without the inspector: end the process from here, saying why.
    require("node:fs").writeSync(2, "gen:workflows: the registry's code did not finish in time [CONFIG_LOAD_TIMEOUT]\\n");
    process.kill(process.pid, "SIGKILL");
  }
}, workerData.ms);
`;

/** Awaits `load`, or TIMED_OUT after the deadline; a loop that holds this thread ends in `onStuck`. */
async function withinDeadline<T>(deadline: Deadline, load: () => Promise<T>): Promise<T | typeof TIMED_OUT> {
  if (!(deadline.ms > 0)) return load();
  const hooks = globalThis as unknown as Record<symbol, unknown>;
  const key = Symbol.for(STUCK_HOOK);
  hooks[key] = deadline.onStuck;
  // Loaded here, not with this module: only this rare path needs a thread (~2 ms to load).
  const { Worker } = await import("node:worker_threads");
  const watchdog = startWatchdog(Worker, deadline.ms + WATCHDOG_GRACE_MS);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), deadline.ms);
    });
    return await Promise.race([load(), timeout]);
  } finally {
    clearTimeout(timer);
    delete hooks[key];
    watchdog?.terminate().catch(() => undefined);
  }
}

/** The watchdog thread, or undefined where threads cannot start (then only the timer guards). */
function startWatchdog(WorkerThread: typeof Worker, ms: number): Worker | undefined {
  try {
    const worker = new WorkerThread(WATCHDOG_SOURCE, {
      eval: true,
      workerData: { ms, expression: `globalThis[Symbol.for(${JSON.stringify(STUCK_HOOK)})]?.()` },
      stdout: true,
      stderr: true,
    });
    worker.on("error", () => undefined);
    worker.unref();
    return worker;
  } catch {
    return undefined;
  }
}
