/**
 * The rollout scheduler on a virtual clock, with the fake durations: rollouts take 20 s
 * (infrastructure), 60 s (backends), 40 s (gateways), 90 s (frontends); every mutating kubectl
 * call (apply, undo) takes 1 s. The default registry's production plan is the graph. The figures
 * are printed: `pnpm exec vitest run test/runner/schedule.test.ts`.
 */
import { describe, expect, test } from "vitest";
import type { DeployKind } from "../../generator/config/registry.ts";
import { schedule, type ApplyResult, type UnitCluster } from "../../generator/runner/schedule.ts";
import { defaultRegistry } from "../pipeline/generated.ts";
import { planFor } from "../pipeline/support.ts";
import { VirtualClock } from "./virtual-clock.ts";

const ROLLOUT_SECONDS: Record<DeployKind, number> = { infrastructure: 20, backend: 60, gateway: 40, frontend: 90 };
const MUTATING_CALL_SECONDS = 1;
/** The figure for the cluster prerequisites (ingress-nginx and cert-manager) on a fresh cluster. */
const PREREQUISITES_SECONDS = 120;

const plan = planFor(defaultRegistry, "production");
const units = plan.phases.flatMap((p) => p.units);
const kindOf = new Map(units.map((u) => [u.service, u.kind]));

interface Trace {
  applied: Map<string, number>;
  ready: Map<string, number>;
  watching: number;
  maxWatching: number;
}

/** A cluster on the clock: `rolls` says which services' Deployments change; `fails` which rollouts fail. */
function fakeCluster(clock: VirtualClock, options: { rolls?: (s: string) => boolean; fails?: Set<string> } = {}): { cluster: UnitCluster<(typeof units)[number]>; trace: Trace } {
  const trace: Trace = { applied: new Map(), ready: new Map(), watching: 0, maxWatching: 0 };
  const cluster: UnitCluster<(typeof units)[number]> = {
    async apply(unit): Promise<ApplyResult> {
      await clock.sleep(MUTATING_CALL_SECONDS * 1000);
      trace.applied.set(unit.service, clock.now);
      const rolls = options.rolls?.(unit.service) ?? true;
      if (!rolls) trace.ready.set(unit.service, clock.now);
      return { ok: true, rolls, created: false };
    },
    async rollout(unit) {
      trace.watching++;
      trace.maxWatching = Math.max(trace.maxWatching, trace.watching);
      await clock.sleep(ROLLOUT_SECONDS[kindOf.get(unit.service)!] * 1000);
      trace.watching--;
      if (options.fails?.has(unit.service)) return false;
      trace.ready.set(unit.service, clock.now);
      return true;
    },
  };
  return { cluster, trace };
}

/** The longest chain of rollouts through the dependency graph (the "critical path"). */
function criticalPathSeconds(): number {
  const memo = new Map<string, number>();
  const longest = (name: string): number => {
    if (memo.has(name)) return memo.get(name)!;
    const u = units.find((x) => x.service === name)!;
    const v = ROLLOUT_SECONDS[u.kind] + Math.max(0, ...u.dependsOn.filter((d) => kindOf.has(d)).map(longest));
    memo.set(name, v);
    return v;
  };
  return Math.max(...units.map((u) => longest(u.service)));
}

describe("rollout scheduler (virtual clock)", () => {
  test("GIVEN a first deploy of the default registry WHEN scheduled THEN it finishes within 15% of the critical path, every service applied only after its dependencies were ready", async () => {
    const clock = new VirtualClock();
    const { cluster, trace } = fakeCluster(clock);
    const result = await clock.run(() => schedule(units, cluster, 16));
    expect(result.ok).toBe(true);
    const critical = criticalPathSeconds();
    expect(critical).toBe(210);
    const deploySeconds = clock.now / 1000;
    // The prerequisites run in their own job alongside; the ingress (one apply) waits for both.
    const firstDeploySeconds = Math.max(deploySeconds, PREREQUISITES_SECONDS) + MUTATING_CALL_SECONDS;
    console.log(
      `first deploy, default registry (production), ${units.length} services: services ${deploySeconds} s, with prerequisites alongside and the ingress ${firstDeploySeconds} s; critical path ${critical} s (+${((firstDeploySeconds / critical - 1) * 100).toFixed(1)}%)`,
    );
    expect(firstDeploySeconds).toBeLessThanOrEqual(critical * 1.15);
    for (const u of units) for (const d of u.dependsOn) expect(trace.applied.get(u.service)! - MUTATING_CALL_SECONDS * 1000, `${u.service} after ${d}`).toBeGreaterThanOrEqual(trace.ready.get(d)!);
    expect(trace.maxWatching).toBe(12);
  });

  test("GIVEN a push that changed one backend WHEN scheduled THEN only it rolls, and the deploy costs one apply per level plus its rollout", async () => {
    const clock = new VirtualClock();
    const { cluster } = fakeCluster(clock, { rolls: (s) => s === "ats-service" });
    const result = await clock.run(() => schedule(units, cluster, 16));
    expect([...result.outcomes].filter(([, o]) => o.status === "rolled").map(([s]) => s)).toEqual(["ats-service"]);
    console.log(`one-backend push: 1 Deployment rolled, ${result.outcomes.size - 1} unchanged, services ${clock.now / 1000} s`);
    expect(clock.now / 1000).toBe(4 * MUTATING_CALL_SECONDS + ROLLOUT_SECONDS.backend);
  });

  test("GIVEN at most 4 rollouts watched WHEN twelve backends are ready at once THEN never more than 4 are watched and all roll", async () => {
    const clock = new VirtualClock();
    const { cluster, trace } = fakeCluster(clock);
    const result = await clock.run(() => schedule(units, cluster, 4));
    expect(result.ok).toBe(true);
    expect(trace.maxWatching).toBe(4);
    expect([...result.outcomes.values()].every((o) => o.status === "rolled")).toBe(true);
  });

  test("GIVEN one backend's rollout fails WHEN scheduled THEN its siblings are still awaited, and nothing that comes later is applied", async () => {
    const clock = new VirtualClock();
    const { cluster, trace } = fakeCluster(clock, { fails: new Set(["billing-service"]) });
    const result = await clock.run(() => schedule(units, cluster, 16));
    expect(result.ok).toBe(false);
    expect(result.outcomes.get("billing-service")!.status).toBe("rollout-failed");
    const backends = units.filter((u) => u.kind === "backend").map((u) => u.service);
    for (const b of backends.filter((s) => s !== "billing-service")) expect(result.outcomes.get(b)!.status, b).toBe("rolled");
    for (const u of units.filter((x) => x.kind === "gateway" || x.kind === "frontend")) {
      expect(trace.applied.has(u.service), u.service).toBe(false);
      expect(result.outcomes.get(u.service)!.status).toBe("not-applied");
    }
  });

  test("GIVEN a slow dependency off the critical path WHEN scheduled THEN its dependents alone wait for it (no level barrier)", async () => {
    const clock = new VirtualClock();
    const chat = { service: "chat-gateway", dependsOn: ["redis"] };
    const slow = { service: "redis", dependsOn: [] };
    const fast = { service: "fast", dependsOn: [] };
    const after = { service: "after-fast", dependsOn: ["fast"] };
    const durations: Record<string, number> = { redis: 100, fast: 10, "after-fast": 10, "chat-gateway": 10 };
    const applied = new Map<string, number>();
    const result = await clock.run(() =>
      schedule([slow, fast, chat, after], {
        apply: async (u) => {
          applied.set(u.service, clock.now);
          return { ok: true, rolls: true, created: false };
        },
        rollout: async (u) => {
          await clock.sleep(durations[u.service]! * 1000);
          return true;
        },
      }, 16),
    );
    expect(result.ok).toBe(true);
    expect(applied.get("after-fast")).toBe(10_000);
    expect(applied.get("chat-gateway")).toBe(100_000);
  });

  test("GIVEN an apply that fails WHEN scheduled THEN the deploy stops and names it", async () => {
    const result = await schedule([{ service: "a", dependsOn: [] }, { service: "b", dependsOn: ["a"] }], { apply: async (u) => (u.service === "a" ? { ok: false, error: "the path does not exist" } : { ok: true, rolls: false, created: false }), rollout: async () => true }, 16);
    expect(result.ok).toBe(false);
    expect(result.outcomes.get("a")).toEqual({ status: "apply-failed", created: false, error: "the path does not exist" });
    expect(result.outcomes.get("b")!.status).toBe("not-applied");
  });
});
