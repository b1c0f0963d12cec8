/** The runner's small pure decisions: what a failed deploy undoes, what prune deletes, envsubst, kubectl output. */
import { describe, expect, test } from "vitest";
import { envsubst } from "../../generator/runner/envsubst.ts";
import { appliedObjects, liveImageTag, podTemplate } from "../../generator/runner/kube-cluster.ts";
import { pruneDecision } from "../../generator/runner/prune.ts";
import { undoPlan } from "../../generator/runner/rollback.ts";
import { dependencyGraph } from "../../generator/runner/summary.ts";
import type { UnitOutcome } from "../../generator/runner/schedule.ts";

const outcomes = new Map<string, UnitOutcome>([
  ["redis", { status: "unchanged", created: false }],
  ["ats-service", { status: "rolled", created: false }],
  ["billing-service", { status: "rollout-failed", created: false }],
  ["new-service", { status: "rolled", created: true }],
  ["api-gateway", { status: "not-applied", created: false }],
]);

describe("undoPlan", () => {
  test.each([
    { mode: "changed" as const, undo: ["ats-service", "billing-service"], created: ["new-service"] },
    { mode: "failed" as const, undo: ["billing-service"], created: [] },
    { mode: "none" as const, undo: [], created: [] },
  ])("GIVEN rollback $mode WHEN a deploy failed THEN it undoes $undo", ({ mode, undo, created }) => {
    expect(undoPlan(outcomes, mode)).toEqual({ undo, created });
  });
});

describe("pruneDecision", () => {
  test("GIVEN labelled objects WHEN some were not applied THEN exactly those are deleted, each with its reason", () => {
    const live = [
      { ref: "deployment.apps/ats-service", service: "ats-service" },
      { ref: "cronjob.batch/old-report", service: "ats-service" },
      { ref: "deployment.apps/legacy-service", service: "legacy-service" },
      { ref: "service/legacy-service", service: "legacy-service" },
    ];
    const decision = pruneDecision(live, new Set(["deployment.apps/ats-service"]), new Set(["ats-service"]));
    expect(decision.delete.map((o) => o.ref)).toEqual(["cronjob.batch/old-report", "deployment.apps/legacy-service", "service/legacy-service"]);
    expect(decision.reasons["cronjob.batch/old-report"]).toBe("no longer in ats-service's manifests or cronjobs");
    expect(decision.reasons["service/legacy-service"]).toBe("service legacy-service is no longer in the registry");
  });
});

describe("envsubst", () => {
  test("GIVEN a SHELL-FORMAT of two variables WHEN rendering THEN only they are replaced, in both forms", () => {
    const text = "image: ${ACR_SERVER}/api:$IMAGE_TAG\nkeep: $HOME ${OTHER} $IMAGE_TAGX $$\n";
    expect(envsubst(text, { ACR_SERVER: "acr.io", IMAGE_TAG: "abc" })).toBe("image: acr.io/api:abc\nkeep: $HOME ${OTHER} $IMAGE_TAGX $$\n");
  });
});

describe("kubectl output", () => {
  test("GIVEN two versions of a Deployment WHEN only replicas or labels differ THEN the pod template is the same (nothing rolls); an image change is not", () => {
    const d = (replicas: number, image: string, label: string) => JSON.stringify({ metadata: { labels: { l: label } }, spec: { replicas, template: { spec: { containers: [{ image }] } } } });
    expect(podTemplate(d(1, "a:1", "x"))).toBe(podTemplate(d(3, "a:1", "y")));
    expect(podTemplate(d(1, "a:1", "x"))).not.toBe(podTemplate(d(1, "a:2", "x")));
  });

  test("GIVEN kubectl apply output WHEN reading it THEN each object and what happened to it", () => {
    expect(appliedObjects("deployment.apps/api configured\nservice/api unchanged\ncronjob.batch/x created\nWarning: something\n")).toEqual([
      { ref: "deployment.apps/api", verb: "configured" },
      { ref: "service/api", verb: "unchanged" },
      { ref: "cronjob.batch/x", verb: "created" },
    ]);
  });

  test("GIVEN a live Deployment WHEN reading the tag of the service's image THEN sidecars and digests are ignored", () => {
    const json = JSON.stringify({ spec: { template: { spec: { containers: [{ image: "envoy:1.30" }, { image: "acr.io/team/portal:abc123" }, { image: "acr.io/portal@sha256:00" }] } } } });
    expect(liveImageTag(json, "portal")).toBe("abc123");
    expect(liveImageTag(json, "candidate")).toBeUndefined();
    expect(liveImageTag("not json", "portal")).toBeUndefined();
  });
});

describe("dependencyGraph", () => {
  test("GIVEN outcomes WHEN the summary graph is drawn THEN every service is a node coloured by its result and every dependency an edge", () => {
    const units = [
      { service: "redis", manifestsDir: "k/redis", deployments: ["redis"], timeoutSeconds: 60, cronjobFiles: [], dependsOn: [], image: false },
      { service: "api-gateway", manifestsDir: "k/api", deployments: ["api-gateway"], timeoutSeconds: 60, cronjobFiles: [], dependsOn: ["redis", "elsewhere"], image: true },
    ];
    const lines = dependencyGraph(units, new Map([["redis", { status: "unchanged", created: false }], ["api-gateway", { status: "rollout-failed", created: false }]]));
    expect(lines).toContain('  s_redis["redis"]:::unchanged');
    expect(lines).toContain('  s_api_gateway["api-gateway"]:::failed');
    expect(lines).toContain("  s_redis --> s_api_gateway");
    expect(lines.join("\n")).not.toContain("elsewhere");
  });
});
