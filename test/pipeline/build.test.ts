/**
 * The generated build and re-tag jobs of the default workflows, run in the local harness with
 * fake docker / az / sentry-cli: one run per matrix entry (the harness runs one combination), with
 * the matrix the `changes` job hands over for a full build.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { callsOf } from "../harness/calls.ts";
import { runJob } from "../harness/run-job.ts";
import type { JobRunResult } from "../harness/run-job.ts";
import { makeWorkdir, type Workdir } from "../harness/test-workdir.ts";
import { PRODUCTION, STAGING, defaultRegistry, generateWorkflows } from "./generated.ts";
import { dataFileOf } from "../../generator/render/support-paths.ts";
import { parseDeployData } from "../../generator/runner/data.ts";
import { BASE_SHA, SHA, VERSION, argValues, buildCheckout, fakeSecrets, planFor, pushContext, step } from "./support.ts";

const files = generateWorkflows();
const workdirs: Workdir[] = [];
afterAll(() => {
  for (const w of workdirs) w.remove();
});

/** The matrix entries the changes job's data file holds (what it outputs when every service builds). */
function matrixEntries(workflowFile: string): Record<string, string | boolean>[] {
  return parseDeployData(files.get(dataFileOf({ workflowFile }))!).builds.map((b) => b.entry);
}

describe.each([
  { environment: "production", file: PRODUCTION, branch: "main" },
  { environment: "staging", file: STAGING, branch: "staging" },
])("$file, job build", ({ environment, file, branch }) => {
  const workflowText = files.get(file)!;
  const plan = planFor(defaultRegistry, environment);
  const secrets = fakeSecrets(workflowText);
  const entries = matrixEntries(file);
  const server = secrets.ACR_LOGIN_SERVER!;
  const runs = new Map<string, JobRunResult>();

  beforeAll(async () => {
    const checkout = makeWorkdir(buildCheckout(plan));
    workdirs.push(checkout);
    const needs = { changes: { result: "success", outputs: { "build-1": JSON.stringify(entries) } } };
    const results = await Promise.all(
      entries.map((entry) => runJob({ workflowText, jobId: "build", workdir: checkout.dir, context: pushContext(branch, secrets, { matrix: { service: entry }, needs }) })),
    );
    entries.forEach((entry, i) => runs.set(entry.name as string, results[i]!));
  });

  test("GIVEN the registry WHEN the changes job's data is read THEN it holds one matrix entry per built service, in registry order", () => {
    expect(entries.map((e) => e.name)).toEqual(plan.builds.map((b) => b.name));
    expect(entries.length).toBe(defaultRegistry.services.filter((s) => s.image !== false).length);
  });

  test("GIVEN each matrix entry WHEN its build job runs THEN it succeeds, builds the service's Dockerfile at target production and pushes every tag of the environment", () => {
    const tags = plan.imageTags.map((t) => t.replace("{sha}", SHA).replace("{version}", VERSION));
    for (const b of plan.builds) {
      const result = runs.get(b.name)!;
      expect(result.steps.filter((s) => s.outcome === "failure").map((s) => `${b.name} / ${s.name}: ${s.stderr}`)).toEqual([]);
      const [buildCall, ...more] = callsOf(result.calls, "docker", "build");
      expect(more).toEqual([]);
      expect(argValues(buildCall!, "--file")).toEqual([`${b.path}/Dockerfile`]);
      expect(argValues(buildCall!, "--target")).toEqual(["production"]);
      expect(argValues(buildCall!, "--tag")).toEqual([`${server}/${b.name}:${SHA}`]);
      expect(buildCall!.args.at(-1)).toBe(".");
      expect(callsOf(result.calls, "docker", "push").map((c) => c.args[1])).toEqual(tags.map((t) => `${server}/${b.name}:${t}`));
    }
  });

  test("GIVEN build arguments in the registry WHEN each service builds THEN docker gets exactly its resolved arguments, secret ones by name only", () => {
    let withArgs = 0;
    for (const b of plan.builds) {
      const buildCall = callsOf(runs.get(b.name)!.calls, "docker", "build")[0]!;
      const expected = [...b.buildArgs.map((a) => `${a.name}=${a.text.replace("${{ github.sha }}", SHA)}`), ...b.secretBuildArgs.map((a) => a.name)];
      expect(argValues(buildCall, "--build-arg"), b.name).toEqual(expected);
      if (expected.length) withArgs++;
      // No secret value is ever on a command line.
      for (const value of Object.values(secrets).filter((v) => v !== server)) expect(buildCall.args.join(" ")).not.toContain(value);
    }
    expect(withArgs).toBe(3);
    const portal = callsOf(runs.get("portal")!.calls, "docker", "build")[0]!;
    expect(argValues(portal, "--build-arg")).toContain(`NEXT_PUBLIC_API_URL=https://${environment === "production" ? "api.splits.network" : "api.staging.splits.network"}/api`);
  });

  test("GIVEN secret build arguments WHEN each service builds THEN its build step sees exactly its own secrets and the registry server, nothing of other services", () => {
    for (const b of plan.builds) {
      const visible = step(runs.get(b.name)!, "Build and push image").secretNamesVisible;
      expect(visible, b.name).toEqual([...new Set(["ACR_LOGIN_SERVER", ...b.secretBuildArgs.map((a) => a.secret)])].sort());
    }
    expect(step(runs.get("candidate")!, "Build and push image").secretNamesVisible).toContain("APP_CLERK_PUBLISHABLE_KEY");
    expect(step(runs.get("candidate")!, "Build and push image").secretNamesVisible).not.toContain("SPLITS_CLERK_PUBLISHABLE_KEY");
  });

  test("GIVEN Sentry is on for a service WHEN it builds THEN a release <service>@v<VERSION><suffix> is created; otherwise Sentry is not touched", () => {
    const suffix = plan.sentry!.releaseSuffix;
    for (const b of plan.builds) {
      const calls = callsOf(runs.get(b.name)!.calls, "sentry-cli", "releases");
      if (b.sentryProject) {
        expect(calls.map((c) => c.args.slice(0, 3)), b.name).toEqual([
          ["releases", "new", `${b.name}@v${VERSION}${suffix}`],
          ["releases", "set-commits", `${b.name}@v${VERSION}${suffix}`],
          ["releases", "finalize", `${b.name}@v${VERSION}${suffix}`],
        ]);
        expect(step(runs.get(b.name)!, "Install Sentry CLI").secretNamesVisible).toEqual([]);
      } else {
        expect(calls, b.name).toEqual([]);
        expect(step(runs.get(b.name)!, "Install Sentry CLI").outcome).toBe("skipped");
      }
    }
  });

  test("GIVEN the Sentry CLI install fails WHEN a service builds THEN the image is still pushed, the release step is skipped and the job succeeds", async () => {
    const checkout = makeWorkdir(buildCheckout(plan));
    workdirs.push(checkout);
    const portal = entries.find((e) => e.name === "portal")!;
    const result = await runJob({
      workflowText,
      jobId: "build",
      workdir: checkout.dir,
      context: pushContext(branch, secrets, { matrix: { service: portal }, needs: { changes: { result: "success", outputs: { "build-1": JSON.stringify([portal]) } } } }),
      fail: [{ tool: "npm", argsInclude: ["install"], stderr: "npm ERR! network" }],
    });
    expect(result.conclusion).toBe("success");
    expect(step(result, "Install Sentry CLI")).toMatchObject({ outcome: "failure", conclusion: "success" });
    expect(step(result, "Create Sentry release").outcome).toBe("skipped");
    expect(callsOf(result.calls, "docker", "push").length).toBe(plan.imageTags.length);
  });

  test("GIVEN the changes job found nothing to build WHEN the build job is considered THEN it is skipped (an empty matrix is never started)", async () => {
    const result = await runJob({ workflowText, jobId: "build", workdir: workdirs[0]!.dir, context: pushContext(branch, secrets, { needs: { changes: { result: "success", outputs: { "build-1": "[]" } } } }) });
    expect(result.conclusion).toBe("skipped");
  });
});

describe.each([
  { environment: "production", file: PRODUCTION, branch: "main" },
  { environment: "staging", file: STAGING, branch: "staging" },
])("$file, job retag", ({ environment, file, branch }) => {
  const workflowText = files.get(file)!;
  const plan = planFor(defaultRegistry, environment);
  const secrets = fakeSecrets(workflowText);
  const server = secrets.ACR_LOGIN_SERVER!;

  async function retag(names: string[]): Promise<JobRunResult> {
    const checkout = makeWorkdir(buildCheckout(plan));
    workdirs.push(checkout);
    const outputs = { retag: names.join(" "), base: BASE_SHA, "base-version": "1.4.1" };
    return runJob({ workflowText, jobId: "retag", workdir: checkout.dir, context: pushContext(branch, secrets, { needs: { changes: { result: "success", outputs } } }) });
  }

  test("GIVEN unchanged services WHEN the retag job runs THEN each one's deployed image gets every tag of this commit, registry-side, from the last deploy's tag", async () => {
    const names = plan.builds.map((b) => b.name).filter((n) => n !== "portal");
    const result = await retag(names);
    expect(result.conclusion).toBe("success");
    const copies = callsOf(result.calls, "docker", "buildx", "imagetools", "create");
    expect(copies.map((c) => c.args.at(-1)).sort()).toEqual(names.map((n) => `${server}/${n}:${BASE_SHA}`).sort());
    const tags = plan.imageTags.map((t) => t.replace("{sha}", SHA).replace("{version}", VERSION));
    for (const n of names) {
      const call = copies.find((c) => c.args.at(-1) === `${server}/${n}:${BASE_SHA}`)!;
      expect(argValues(call, "--tag")).toEqual(tags.map((t) => `${server}/${n}:${t}`));
    }
    expect(callsOf(result.calls, "docker", "build")).toEqual([]);
    expect(callsOf(result.calls, "docker", "push")).toEqual([]);
  });

  test("GIVEN two re-tags fail WHEN the retag job runs THEN the job fails naming both, after trying every service", async () => {
    const names = plan.builds.map((b) => b.name);
    const checkout = makeWorkdir(buildCheckout(plan));
    workdirs.push(checkout);
    const outputs = { retag: names.join(" "), base: BASE_SHA, "base-version": "1.4.1" };
    const result = await runJob({
      workflowText,
      jobId: "retag",
      workdir: checkout.dir,
      context: pushContext(branch, secrets, { needs: { changes: { result: "success", outputs } } }),
      fail: [
        { tool: "docker", argsInclude: ["imagetools", `${server}/ats-service:${BASE_SHA}`], stderr: "not found" },
        { tool: "docker", argsInclude: ["imagetools", `${server}/corporate:${BASE_SHA}`], stderr: "not found" },
      ],
    });
    expect(result.conclusion).toBe("failure");
    const s = step(result, "Re-tag the deployed images of unchanged services");
    expect(s.stdout).toContain("::error::re-tag failed: ats-service corporate");
    expect(callsOf(result.calls, "docker", "buildx", "imagetools", "create").length).toBe(names.length);
  });

  test("GIVEN nothing to re-tag WHEN the retag job is considered THEN it is skipped", async () => {
    expect((await retag([])).conclusion).toBe("skipped");
  });
});
