import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { callsOf, callsOverlap, maxConcurrency, wallClockMs } from "./calls.ts";
import { runJob } from "./run-job.ts";
import type { JobRunOptions, JobRunResult } from "./run-job.ts";
import { makeWorkdir } from "./test-workdir.ts";
import type { Workdir } from "./test-workdir.ts";

const workdirs: Workdir[] = [];
afterEach(() => {
  for (const workdir of workdirs.splice(0)) workdir.remove();
});

/** A one-job workflow whose only step runs `script`. */
function oneStep(script: string, stepEnv: Record<string, string> = {}): string {
  const env = Object.entries(stepEnv).map(([key, value]) => `          ${key}: ${JSON.stringify(value)}`);
  const indented = script.trim().split("\n").map((line) => `          ${line}`);
  return ["jobs:", "  job:", "    steps:", "      - name: script", ...(env.length ? ["        env:", ...env] : []), "        run: |", ...indented, ""].join("\n");
}

function run(script: string, options: Partial<JobRunOptions> & { files?: Record<string, string>; stepEnv?: Record<string, string> } = {}): Promise<JobRunResult> {
  const { files, stepEnv, ...rest } = options;
  const workdir = makeWorkdir(files);
  workdirs.push(workdir);
  return runJob({ workflowText: oneStep(script, stepEnv), jobId: "job", workdir: workdir.dir, context: { github: { sha: "abc123" }, secrets: {} }, ...rest });
}

describe("fake kubectl", () => {
  it("GIVEN --from-literal and a process-substitution --from-file WHEN piped to apply THEN the secret has both keys and values", async () => {
    const result = await run(`
kubectl create secret generic app-secrets \\
  --from-literal=api-key=literal-value \\
  --from-file=config.json=<(printf '{"a":1}') \\
  --namespace=prod --dry-run=client -o yaml | kubectl apply -f -
echo "keys: $(kubectl get secret app-secrets -n prod -o jsonpath='{.data}')"
echo "api-key: $(kubectl get secret app-secrets -n prod -o jsonpath='{.data.api-key}' | base64 -d)"
echo "config: $(kubectl get secret app-secrets -n prod -o jsonpath='{.data.config\\.json}' | base64 -d)"
`);
    expect(result.conclusion).toBe("success");
    const { stdout } = result.steps[0] ?? { stdout: "" };
    expect(stdout).toContain(`keys: {"api-key":"${Buffer.from("literal-value").toString("base64")}","config.json":`);
    expect(stdout).toContain("api-key: literal-value\n");
    expect(stdout).toContain(`config: {"a":1}\n`);
    expect(result.kubeObjects).toMatchObject([{ kind: "Secret", namespace: "prod", name: "app-secrets", step: "script" }]);
    const apply = callsOf(result.calls, "kubectl", "apply")[0];
    expect(apply?.stdin).toContain("kind: Secret");
  });

  it("GIVEN a secret that was never applied WHEN a verify step gets it THEN kubectl fails with NotFound", async () => {
    const result = await run(`kubectl get secret missing-secrets --namespace=prod -o jsonpath='{.data}'`);
    expect(result.conclusion).toBe("failure");
    expect(result.steps[0]?.stderr).toContain(`Error from server (NotFound): secrets "missing-secrets" not found`);
  });

  it("GIVEN a manifest directory that does not exist WHEN applied THEN kubectl fails like the real one", async () => {
    const result = await run(`kubectl apply -f infra/k8s/nope/ --namespace=prod`);
    expect(result.steps[0]).toMatchObject({ outcome: "failure", stderr: `error: the path "infra/k8s/nope/" does not exist\n` });
  });

  it("GIVEN a manifest whose namespace differs from --namespace WHEN applied THEN kubectl refuses it", async () => {
    const manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: staging\n";
    const result = await run(`kubectl apply -f cm.yaml --namespace=prod`, { files: { "cm.yaml": manifest } });
    expect(result.steps[0]?.stderr).toMatch(/does not match the namespace "prod"/);
  });
});

describe("fake docker", () => {
  const dockerfile = "FROM node:20 AS deps\nFROM node:20-slim AS production\n";

  it("GIVEN build, tag and push WHEN run in order THEN all succeed and are recorded", async () => {
    const result = await run(
      `
docker build -f apps/portal/Dockerfile -t acr.io/portal:abc --target production .
docker tag acr.io/portal:abc acr.io/portal:latest
docker push acr.io/portal:abc
docker push acr.io/portal:latest`,
      { files: { "apps/portal/Dockerfile": dockerfile } },
    );
    expect(result.conclusion).toBe("success");
    expect(result.calls.map((c) => c.args[0])).toEqual(["build", "tag", "push", "push"]);
  });

  it("GIVEN an image that was never built WHEN pushed THEN docker fails", async () => {
    const result = await run(`docker push acr.io/portal:abc`);
    expect(result.steps[0]?.stderr).toBe("An image does not exist locally with the tag: acr.io/portal:abc\n");
  });

  it("GIVEN a missing Dockerfile or target stage WHEN building THEN docker fails before tagging anything", async () => {
    const missingFile = await run(`docker build -f apps/api/Dockerfile -t x .`);
    expect(missingFile.steps[0]?.stderr).toMatch(/failed to read dockerfile/);
    const missingStage = await run(`docker build -f Dockerfile --target prod -t x .`, { files: { Dockerfile: dockerfile } });
    expect(missingStage.steps[0]?.stderr).toMatch(/target stage "prod" could not be found/);
  });
});

describe("network and cloud fakes", () => {
  it("GIVEN curl piped to bash WHEN run with the default shell THEN curl fails loudly but the pipeline hides it", async () => {
    const result = await run(`curl -sL https://sentry.io/get-cli/ | bash\necho after`);
    expect(result.calls).toMatchObject([{ tool: "curl", args: ["-sL", "https://sentry.io/get-cli/"], exitCode: 7 }]);
    expect(result.steps[0]?.stderr).toMatch(/curl is disabled/);
    expect(result.steps[0]).toMatchObject({ outcome: "success", stdout: "after\n" });
  });

  it("GIVEN az acr login with an empty --name (a missing secret) WHEN run THEN az fails like argparse", async () => {
    const result = await run(`az acr login --name \${{ secrets.ACR_NAME }}`);
    expect(result.steps[0]).toMatchObject({ outcome: "failure", exitCode: 2 });
    expect(result.steps[0]?.stderr).toMatch(/arguments are required: --name/);
  });
});

describe("fail and delay rules", () => {
  it("GIVEN a fail rule WHEN a matching call runs THEN it exits with the rule's code and stderr", async () => {
    const result = await run(`kubectl rollout status deployment/api --namespace=prod\necho unreachable`, {
      fail: [{ tool: "kubectl", argsInclude: ["rollout", "status", "deployment/api"], exitCode: 4, stderr: "timed out waiting" }],
    });
    expect(result.steps[0]).toMatchObject({ outcome: "failure", exitCode: 4, stderr: "timed out waiting\n", stdout: "" });
    expect(result.calls[0]?.exitCode).toBe(4);
  });

  it("GIVEN delayed rollouts WHEN waited on in the background THEN the calls overlap", async () => {
    // 0.4 s leaves room for node start-up skew between the two background processes on a busy machine.
    const delays = [{ tool: "kubectl", argsInclude: ["rollout", "status"], seconds: 0.4 }];
    const parallel = await run(
      `kubectl rollout status deployment/a &\nkubectl rollout status deployment/b &\nwait`,
      { delays },
    );
    const [a, b] = callsOf(parallel.calls, "kubectl", "rollout", "status");
    expect(a && b && callsOverlap(a, b)).toBe(true);
    expect(maxConcurrency(parallel.calls)).toBe(2);

    const serial = await run(`kubectl rollout status deployment/a\nkubectl rollout status deployment/b`, { delays });
    expect(maxConcurrency(serial.calls)).toBe(1);
    expect(wallClockMs(serial.calls)).toBeGreaterThanOrEqual(800);
  });
});

describe("envsubst", () => {
  const template = "image: ${ACR_SERVER}/api:$IMAGE_TAG keep:${KEEP} default:${X:-d} price:$5\n";

  it("GIVEN a SHELL-FORMAT argument WHEN envsubst runs in a step THEN only the listed variables are replaced", async () => {
    const result = await run(`envsubst '\${ACR_SERVER} \${IMAGE_TAG}' < t.txt`, {
      files: { "t.txt": template },
      stepEnv: { ACR_SERVER: "acr.io", IMAGE_TAG: "abc", KEEP: "kept" },
    });
    expect(result.steps[0]?.stdout).toBe("image: acr.io/api:abc keep:${KEEP} default:${X:-d} price:$5\n");
  });

  it("GIVEN the fallback fake WHEN fed the same input as GNU envsubst THEN the output is identical", () => {
    const main = fileURLToPath(new URL("./fakes/main.mjs", import.meta.url));
    const dir = mkdtempSync(join(tmpdir(), "envsubst-"));
    try {
      writeFileSync(join(dir, "rules.json"), JSON.stringify({ fail: [], delays: [] }));
      const env = { PATH: "/usr/bin:/bin", ACR_SERVER: "acr.io", IMAGE_TAG: "abc", HARNESS_LOG: join(dir, "log"), HARNESS_RULES: join(dir, "rules.json"), HARNESS_STATE: dir };
      for (const args of [[], ["${IMAGE_TAG}"]]) {
        const fake = spawnSync(process.execPath, [main, "envsubst", ...args], { input: template, env, encoding: "utf8" });
        const expected = args.length ? "image: ${ACR_SERVER}/api:abc keep:${KEEP} default:${X:-d} price:$5\n" : "image: acr.io/api:abc keep: default:${X:-d} price:$5\n";
        expect(fake.stdout).toBe(expected);
        const real = spawnSync("envsubst", args, { input: template, env, encoding: "utf8" });
        // Where GNU envsubst is installed, the fake must agree with it byte for byte.
        if (!real.error) expect(fake.stdout).toBe(real.stdout);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("fake kubectl: what a scheduler and a rollback need", () => {
  const deployment = (image: string): string => `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: ${image}\n`;

  it("GIVEN the same manifest applied twice WHEN the second apply runs THEN it says unchanged; a new image says configured and rollout undo restores the old one", async () => {
    const result = await run(
      `
kubectl apply -n prod -f v1/api.yaml
kubectl apply -n prod -f v1/api.yaml
kubectl apply -n prod -f v2/api.yaml
kubectl rollout undo deployment/api -n prod
kubectl get deployment/api -n prod -o jsonpath='{.spec.template.spec.containers[0].image}'
`,
      { files: { "v1/api.yaml": deployment("acr.io/api:1"), "v2/api.yaml": deployment("acr.io/api:2") } },
    );
    expect(result.conclusion).toBe("success");
    expect(result.steps[0]!.stdout).toBe("deployment.apps/api created\ndeployment.apps/api unchanged\ndeployment.apps/api configured\ndeployment.apps/api rolled back\nacr.io/api:1");
  });

  it("GIVEN a Deployment never changed WHEN rollout undo runs THEN it fails as kubectl does: no history", async () => {
    const result = await run("kubectl apply -n prod -f api.yaml\nkubectl rollout undo deployment/api -n prod\n", { files: { "api.yaml": deployment("acr.io/api:1") } });
    expect(result.conclusion).toBe("failure");
    expect(result.steps[0]!.stderr).toContain('error: no rollout history found for deployment "api"');
  });

  it("GIVEN label --local WHEN piped to apply THEN the stored objects carry the labels, and get -l with comma-separated kinds finds them", async () => {
    const result = await run(
      `
kubectl label --local --overwrite -f k8s -o yaml team=a app=api | kubectl apply -n prod -f -
kubectl apply -n prod -f other.yaml
echo "--- selected:"
kubectl get deployments,configmaps -n prod -l team=a,app -o name
`,
      { files: { "k8s/api.yaml": deployment("acr.io/api:1"), "k8s/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: api-config\n", "other.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\n" } },
    );
    expect(result.conclusion).toBe("success");
    expect(result.steps[0]!.stdout.split("--- selected:\n")[1]).toBe("deployment.apps/api\nconfigmap/api-config\n");
  });

  it("GIVEN a fail rule with times: 1 WHEN the call is made twice THEN only the first fails", async () => {
    const result = await run("kubectl rollout status deployment/api || echo first-failed\nkubectl rollout status deployment/api && echo second-ok\n", {
      fail: [{ tool: "kubectl", argsInclude: ["rollout", "status"], times: 1 }],
    });
    expect(result.steps[0]!.stdout).toContain("first-failed");
    expect(result.steps[0]!.stdout).toContain("second-ok");
  });

  it("GIVEN a cluster from an earlier run WHEN a job starts on it THEN its objects are there", async () => {
    const first = await run("kubectl apply -n prod -f api.yaml\n", { files: { "api.yaml": deployment("acr.io/api:1") } });
    const second = await run("kubectl get deployment/api -n prod -o name\n", { cluster: first.kubeObjects });
    expect(second.steps[0]!.stdout).toBe("deployment.apps/api\n");
  });
});
