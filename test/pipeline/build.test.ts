/**
 * The generated build and re-tag jobs of the default workflows, run in the local harness with
 * fake docker / az / sentry-cli and the typed docker/build-push-action fake (which hands buildx
 * its arguments as the action does): one run per matrix entry (the harness runs one
 * combination), with the matrix the `changes` job hands over for a full build.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parse } from "yaml";
import { ACTION_PINS, KUBELOGIN_VERSION, SENTRY_CLI_PACKAGE } from "../../generator/render/pins.ts";
import { callsOf } from "../harness/calls.ts";
import { runJob } from "../harness/run-job.ts";
import type { JobRunResult } from "../harness/run-job.ts";
import type { BuildPushRecord } from "../harness/actions/build-push-action.ts";
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
    const checkout = makeWorkdir(buildCheckout(plan, files));
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

  const imageTags = (name: string): string[] => plan.imageTags.map((t) => `${server}/${name}:${t.replace("{sha}", SHA).replace("{version}", VERSION)}`);
  const buildPush = (name: string): BuildPushRecord => step(runs.get(name)!, "Build and push image").buildPush!;

  test("GIVEN each matrix entry WHEN its build job runs THEN it succeeds and one buildx build of the service's Dockerfile at target production pushes every tag of the environment", () => {
    for (const b of plan.builds) {
      const result = runs.get(b.name)!;
      expect(result.steps.filter((s) => s.outcome === "failure").map((s) => `${b.name} / ${s.name}: ${s.stderr}`)).toEqual([]);
      const [buildCall, ...more] = callsOf(result.calls, "docker", "buildx", "build");
      expect(more, b.name).toEqual([]);
      expect(argValues(buildCall!, "--file")).toEqual([`${b.path}/Dockerfile`]);
      expect(argValues(buildCall!, "--target")).toEqual(["production"]);
      expect(argValues(buildCall!, "--tag")).toEqual(imageTags(b.name));
      expect(buildCall!.args).toContain("--push");
      expect(buildCall!.args.at(-1)).toBe(".");
      // One step pushes every tag: nothing is tagged or pushed by hand afterwards.
      expect(callsOf(result.calls, "docker").filter((c) => c !== buildCall)).toEqual([]);
    }
  });

  test("GIVEN each service WHEN it builds THEN it reads and writes its own layer cache in the registry, per environment, in ACR's manifest format", () => {
    for (const b of plan.builds) {
      const ref = `type=registry,ref=${server}/${b.name}:buildcache-${environment}`;
      expect(buildPush(b.name).cacheFrom, b.name).toEqual([ref]);
      expect(buildPush(b.name).cacheTo, b.name).toEqual([`${ref},mode=max,image-manifest=true,oci-mediatypes=true`]);
      expect(step(runs.get(b.name)!, "Set up Docker Buildx").uses).toMatch(/^docker\/setup-buildx-action@[0-9a-f]{40}$/);
    }
  });

  test("GIVEN build arguments in the registry WHEN each service builds THEN buildx gets exactly its resolved arguments, public secret ones by name with the value from the step environment", () => {
    let withArgs = 0;
    for (const b of plan.builds) {
      const record = buildPush(b.name);
      const texts = b.buildArgs.map((a) => `${a.name}=${a.text.replace("${{ github.sha }}", SHA)}`);
      expect(record.buildArgLines, b.name).toEqual([...texts, ...b.secretBuildArgs.map((a) => a.name)]);
      expect(record.buildArgs, b.name).toEqual(Object.fromEntries([...b.buildArgs.map((a) => [a.name, a.text.replace("${{ github.sha }}", SHA)]), ...b.secretBuildArgs.map((a) => [a.name, secrets[a.secret]])]));
      if (record.buildArgLines.length) withArgs++;
    }
    expect(withArgs).toBe(3);
    expect(buildPush("portal").buildArgs.NEXT_PUBLIC_API_URL).toBe(`https://${environment === "production" ? "api.splits.network" : "api.staging.splits.network"}/api`);
    expect(buildPush("candidate").buildArgs.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY).toBe(secrets.APP_CLERK_PUBLISHABLE_KEY);
  });

  test("GIVEN build secrets in the registry WHEN each service builds THEN each reaches buildx only as a BuildKit secret read from the environment, and only in its own services' builds", () => {
    for (const b of plan.builds) {
      const record = buildPush(b.name);
      expect(record.secrets.map((x) => ({ id: x.id, source: x.source, value: x.value })), b.name).toEqual(b.buildSecrets.map((x) => ({ id: x.id, source: "env", value: secrets[x.secret] })));
      expect(record.buildArgs, b.name).not.toHaveProperty("SENTRY_AUTH_TOKEN");
    }
    expect(buildPush("portal").secrets.map((x) => x.id)).toEqual(["SENTRY_AUTH_TOKEN"]);
    expect(buildPush("corporate").secrets).toEqual([]);
  });

  test("GIVEN every build job of the environment WHEN it has run THEN no build secret value is on any command line or in any build argument", () => {
    const buildSecretValues = [...new Set(plan.builds.flatMap((b) => b.buildSecrets.map((x) => secrets[x.secret]!)))];
    expect(buildSecretValues.length).toBeGreaterThan(0);
    for (const [name, result] of runs) {
      for (const call of result.calls) for (const value of buildSecretValues) expect(call.args.join(" "), `${name}: ${call.tool}`).not.toContain(value);
      for (const value of buildSecretValues) expect(Object.values(buildPush(name).buildArgs).join("\n"), name).not.toContain(value);
    }
    // A public secret is a build argument by design, but still never written on the command line.
    const publicValues = plan.builds.flatMap((b) => b.secretBuildArgs.map((a) => secrets[a.secret]!));
    for (const [name, result] of runs) for (const call of result.calls) for (const value of publicValues) expect(call.args.join(" "), name).not.toContain(value);
  });

  test("GIVEN secret values from GitHub WHEN each service builds THEN its build step sees exactly its own secrets and the registry server, nothing of other services", () => {
    for (const b of plan.builds) {
      const visible = step(runs.get(b.name)!, "Build and push image").secretNamesVisible;
      expect(visible, b.name).toEqual([...new Set(["ACR_LOGIN_SERVER", ...b.secretBuildArgs.map((a) => a.secret), ...b.buildSecrets.map((x) => x.secret)])].sort());
    }
    expect(step(runs.get("candidate")!, "Build and push image").secretNamesVisible).toContain("APP_CLERK_PUBLISHABLE_KEY");
    expect(step(runs.get("candidate")!, "Build and push image").secretNamesVisible).not.toContain("SPLITS_CLERK_PUBLISHABLE_KEY");
    expect(step(runs.get("corporate")!, "Build and push image").secretNamesVisible).not.toContain("SENTRY_AUTH_TOKEN");
  });

  test("GIVEN a VERSION file that cannot be an image tag WHEN a service builds THEN the job fails naming the file, before anything is built", async () => {
    const checkout = makeWorkdir({ ...buildCheckout(plan, files), VERSION: "1.4.2 beta/2\n" });
    workdirs.push(checkout);
    const portal = entries.find((e) => e.name === "portal")!;
    const result = await runJob({ workflowText, jobId: "build", workdir: checkout.dir, context: pushContext(branch, secrets, { matrix: { service: portal }, needs: { changes: { result: "success", outputs: { "build-1": JSON.stringify([portal]) } } } }) });
    expect(result.conclusion).toBe("failure");
    expect(step(result, "Resolve the version and build arguments").stdout).toContain("::error file=VERSION::VERSION must hold a version usable in an image tag");
    expect(callsOf(result.calls, "docker")).toEqual([]);
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
        // The pinned CLI, once, into the job's temporary folder, with no install script run.
        const installs = callsOf(runs.get(b.name)!.calls, "npm", "install");
        expect(installs, b.name).toHaveLength(1);
        expect(installs[0]!.args).toEqual(expect.arrayContaining(["--ignore-scripts", "--no-save", "@sentry/cli@3.8.0"]));
        expect(installs[0]!.args[installs[0]!.args.indexOf("--prefix") + 1]).toMatch(/sentry-cli$/);
      } else {
        expect(calls, b.name).toEqual([]);
        expect(step(runs.get(b.name)!, "Install Sentry CLI").outcome).toBe("skipped");
      }
    }
  });

  test("GIVEN the Sentry CLI install fails WHEN a service builds THEN the image is still pushed, the release step is skipped and the job succeeds", async () => {
    const checkout = makeWorkdir(buildCheckout(plan, files));
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
    expect(argValues(callsOf(result.calls, "docker", "buildx", "build")[0]!, "--tag")).toEqual(imageTags("portal"));
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
    const checkout = makeWorkdir(buildCheckout(plan, files));
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
    const checkout = makeWorkdir(buildCheckout(plan, files));
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

interface PlainStep {
  name: string;
  uses?: string;
  with?: Record<string, unknown>;
  run?: string;
}
const jobsOf = (text: string): Record<string, { steps: PlainStep[] }> => (parse(text) as { jobs: Record<string, { steps: PlainStep[] }> }).jobs;

/** Every job of every generated workflow that sets a cluster context (deploy, prerequisites, rollback). */
function clusterJobs(generated: ReadonlyMap<string, string>): { id: string; steps: PlainStep[]; text: string }[] {
  return [...generated]
    .filter(([path]) => path.endsWith(".yml"))
    .flatMap(([path, text]) =>
      Object.entries(jobsOf(text))
        .filter(([, job]) => job.steps.some((s) => s.uses?.startsWith("azure/aks-set-context@")))
        .map(([job, { steps }]) => ({ id: `${path} ${job}`, steps, text })),
    );
}

describe("actions and tools of the generated workflows", () => {
  const entraId = structuredClone(defaultRegistry);
  entraId.project.cluster.entraId = true;

  test.each([
    { registry: "default", files: generateWorkflows() },
    { registry: "Entra ID cluster", files: generateWorkflows(entraId) },
  ])("GIVEN the $registry registry WHEN each uses: line is read THEN it is the pin table's commit with that release in the comment", ({ files }) => {
    const seen = new Set<string>();
    for (const text of files.values())
      for (const m of text.matchAll(/uses: ([\w.-]+\/[\w.-]+)@([0-9a-f]{40}) # (\S+)$/gm)) {
        const pin = ACTION_PINS[m[1] as keyof typeof ACTION_PINS];
        expect(pin, m[1]).toBeDefined();
        expect({ sha: m[2], version: m[3] }, m[1]).toEqual({ sha: pin.sha, version: pin.version });
        seen.add(m[1]!);
      }
    expect([...seen].sort()).toEqual(expect.arrayContaining(["actions/checkout", "azure/aks-set-context", "azure/login", "docker/build-push-action", "docker/setup-buildx-action"]));
  });

  test("GIVEN a cluster with local accounts (the default) WHEN the deploy job gets its credentials THEN azure/aks-set-context sets user (not admin) credentials and no kubelogin or az aks get-credentials runs", () => {
    expect(clusterJobs(files).map((j) => j.id)).toEqual(expect.arrayContaining([`${PRODUCTION} deploy`, `${STAGING} deploy`]));
    for (const { id, steps, text } of clusterJobs(files)) {
      const context = steps.find((s) => s.uses?.startsWith("azure/aks-set-context@"))!;
      expect(context.with, id).toEqual({ "resource-group": "${{ secrets.AKS_RESOURCE_GROUP }}", "cluster-name": "${{ secrets.AKS_CLUSTER_NAME }}", admin: false });
      expect(steps.some((s) => s.uses?.startsWith("azure/use-kubelogin@")), id).toBe(false);
      expect(text).not.toContain("az aks get-credentials");
    }
  });

  test("GIVEN cluster.entraId WHEN the deploy job gets its credentials THEN a pinned kubelogin is installed first and the context uses it", () => {
    const jobs = clusterJobs(generateWorkflows(entraId));
    expect(jobs.map((j) => j.id)).toEqual(expect.arrayContaining([`${PRODUCTION} deploy`, `${STAGING} deploy`]));
    for (const { steps } of jobs) {
      const kubelogin = steps.findIndex((s) => s.uses?.startsWith("azure/use-kubelogin@"));
      const context = steps.findIndex((s) => s.uses?.startsWith("azure/aks-set-context@"));
      const login = steps.findIndex((s) => s.uses?.startsWith("azure/login@"));
      expect(login).toBeLessThan(context);
      expect(kubelogin).toBeGreaterThan(-1);
      expect(kubelogin).toBeLessThan(context);
      expect(steps[kubelogin]!.with).toEqual({ "kubelogin-version": KUBELOGIN_VERSION });
      expect(steps[context]!.with).toMatchObject({ admin: false, "use-kubelogin": true });
    }
  });

  test("GIVEN every job WHEN its steps are read THEN the Sentry CLI is installed at most once, at the pinned version, into the job's temp folder, without install scripts or a global install", () => {
    for (const [path, text] of files)
      for (const [id, job] of path.endsWith(".yml") ? Object.entries(jobsOf(text)) : []) {
        const installs = job.steps.filter((s) => /@sentry\/cli/.test(s.run ?? ""));
        expect(installs.length, id).toBeLessThanOrEqual(1);
        for (const s of installs) {
          expect(s.run).toContain(`npm install --prefix "$prefix" --ignore-scripts`);
          expect(s.run).toContain(SENTRY_CLI_PACKAGE);
          expect(s.run).not.toMatch(/--global|\s-g\s|npx/);
        }
      }
  });
});
