/** The real CLI, spawned in a temporary repository: exit codes, output and what it writes. */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { LAUNCHER } from "../support/repo.ts";
import { makeTempRepo } from "../support/temp-repo.ts";

const AKS = ".github/workflows/deploy-aks.yml";
const STAGING = ".github/workflows/deploy-staging.yml";

describe("gen then --check", () => {
  it("GIVEN a repository without workflows WHEN gen runs twice THEN it writes both files, then writes nothing and says so", () => {
    const repo = makeTempRepo({ withWorkflows: false });
    const first = repo.run([]);
    expect(first).toMatchObject({ code: 0, stderr: "" });
    const written = [".github/deploy/deploy-aks.jsonc", ".github/deploy/deploy-staging.jsonc", ".github/deploy/deploy.mjs", ".github/workflows/deploy-aks-rollback.yml", AKS, ".github/workflows/deploy-staging-rollback.yml", STAGING];
    expect(first.stdout).toBe(written.map((f) => `wrote ${f}\n`).join(""));
    const before = repo.snapshot();
    const second = repo.run([]);
    expect(second).toEqual({ code: 0, stdout: "4 workflows already up to date; nothing written.\n", stderr: "" });
    expect(repo.snapshot()).toEqual(before);
    expect(repo.run(["--check"])).toEqual({ code: 0, stdout: "Deploy workflows match the registry.\n", stderr: "" });
  });

  it("GIVEN one edited line in a generated file WHEN --check runs THEN it exits 1 with a unified diff and the fixing command, and writes nothing", () => {
    const repo = makeTempRepo();
    const text = repo.read(STAGING);
    const status = 'kubectl get deployments,pods,services,ingress --namespace "$NAMESPACE"';
    expect(text).toContain(status);
    repo.write(STAGING, text.replace(status, status.replace("ingress", "ingress,jobs")));
    const before = repo.snapshot();
    const r = repo.run(["--check"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${STAGING} was edited by hand`);
    expect(r.stdout).toContain(`--- ${STAGING}\tcommitted`);
    expect(r.stdout).toMatch(/^-.*kubectl get deployments,pods,services,ingress,jobs --namespace/m);
    expect(r.stdout).toMatch(/^\+.*kubectl get deployments,pods,services,ingress --namespace/m);
    expect(r.stdout).toContain("npx gen-workflows");
    expect(r.stdout).not.toContain(AKS);
    expect(repo.snapshot()).toEqual(before);
  });

  it("GIVEN a missing generated file WHEN --check runs THEN it is drift naming the file", () => {
    const repo = makeTempRepo({ withWorkflows: false });
    repo.run([]);
    repo.write(AKS, "");
    const r = repo.run(["--check"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(AKS);
  });

  it("GIVEN a registry change WHEN --check runs THEN both files are stale and gen brings them back in sync", () => {
    const repo = makeTempRepo();
    repo.write("services.config.ts", repo.read("services.config.ts").replace('"0 2 * * *"', '"0 3 * * *"').replace('name: "corporate",', 'name: "corporate",\n      rolloutTimeoutSeconds: 240,'));
    const r = repo.run(["--check"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${AKS} is out of date`);
    expect(r.stdout).toContain(`${STAGING} is out of date`);
    // The fix repeats the --config it was given, so it can be pasted as it is.
    expect(r.stdout).toContain(`run \`npx gen-workflows --config ${repo.configPath}\` and commit`);
    expect(repo.run([]).code).toBe(0);
    expect(repo.read(".github/deploy/deploy-staging.jsonc")).toContain('"deployments":["corporate"],"timeoutSeconds":240');
    expect(repo.run(["--check"]).code).toBe(0);
  });
});

describe("configuration and usage errors exit 2 and write nothing", () => {
  it("GIVEN a dependency on an unknown service WHEN gen runs THEN exit 2, one line with the registry path and the known services, no file changed", () => {
    const repo = makeTempRepo();
    repo.write("services.config.ts", repo.read("services.config.ts").replace('dependsOn: ["chat-service", "redis"]', 'dependsOn: ["chat-servce", "redis"]'));
    const before = repo.snapshot();
    for (const args of [[], ["--check"]]) {
      const r = repo.run(args);
      expect(r.code).toBe(2);
      // The line is the one holding the mistake, so an annotation can mark it.
      const line = repo.read("services.config.ts").split("\n").findIndex((l) => l.includes('"chat-servce"')) + 1;
      expect(r.stderr).toMatch(new RegExp(`^services\\.config\\.ts:${line}: services\\[3\\]\\.dependsOn\\[0\\]: unknown service "chat-servce" \\(known: .*chat-service.*\\) \\[SERVICE_UNKNOWN_DEPENDENCY\\]$`, "m"));
      expect(r.stderr).toContain("fix: ");
      expect(repo.snapshot()).toEqual(before);
    }
  });

  it("GIVEN a TypeScript syntax error WHEN gen runs THEN exit 2 with file:line:col", () => {
    const repo = makeTempRepo();
    repo.write("services.config.ts", repo.read("services.config.ts").replace('namespace: "splits-network",', 'namespace: "splits-network",,'));
    const before = repo.snapshot();
    const r = repo.run([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^services\.config\.ts:\d+:\d+: .* \[CONFIG_LOAD_FAILED\]$/m);
    expect(repo.snapshot()).toEqual(before);
  });

  it("GIVEN an invalid template WHEN gen runs THEN exit 2 naming the template file and line, no file changed", () => {
    const repo = makeTempRepo();
    repo.write("templates/deploy/post-deploy.yml", "steps:\n  - name: Show status\n    run: kubectl get pods --namespace ${{ env.NAMESPACE }}\n");
    const before = repo.snapshot();
    const r = repo.run([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^templates\/deploy\/post-deploy\.yml:3:10: step "Show status" has a \$\{\{ \}\} expression inside its run script \[TEMPLATE_INVALID\]$/m);
    expect(repo.snapshot()).toEqual(before);
  });

  it("GIVEN a template whose if: expression GitHub rejects WHEN gen runs THEN exit 2 naming the template's file and line, not a generator bug", () => {
    const repo = makeTempRepo();
    repo.write("templates/deploy/post-deploy.yml", repo.read("templates/deploy/post-deploy.yml").replace("    if: always()", "    if: always( && foo("));
    const line = repo.read("templates/deploy/post-deploy.yml").split("\n").findIndex((l) => l.includes("always( &&")) + 1;
    const before = repo.snapshot();
    const r = repo.run([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^templates/deploy/post-deploy\\.yml:${line}:\\d+: GitHub's workflow parser rejects this template: .* \\[TEMPLATE_INVALID\\]$`, "m"));
    expect(r.stderr).not.toContain("WORKFLOW_INVALID");
    expect(repo.snapshot()).toEqual(before);
  });

  it("GIVEN a --root that does not exist WHEN gen or --check runs THEN exit 2 naming it, and nothing is created", () => {
    const repo = makeTempRepo();
    const missing = `${repo.dir}/no-such-repo`;
    for (const args of [["--root", missing], ["--check", "--root", missing]]) {
      const r = repo.run(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toContain(`--root ${missing}: no such folder [USAGE]`);
    }
    expect(existsSync(missing)).toBe(false);
  });

  it("GIVEN a registry without default export WHEN gen runs THEN exit 2 saying how to export it", () => {
    const repo = makeTempRepo({ registryText: "export const registry = {};\n" });
    const r = repo.run([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("[CONFIG_NO_DEFAULT_EXPORT]");
    expect(r.stderr).toContain("export default defineConfig");
  });

  it("GIVEN a registry file that does not exist WHEN gen runs THEN exit 2 naming it", () => {
    const repo = makeTempRepo();
    const r = repo.run(["--config", `${repo.dir}/nope.config.ts`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("[CONFIG_NOT_FOUND]");
  });

  it("GIVEN an unknown flag, command or format WHEN run THEN exit 2 with the usage", () => {
    const repo = makeTempRepo();
    for (const args of [["--chek"], ["deploy"], ["--format", "xml"], ["--check", "--force"]]) {
      const r = repo.run(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toContain("Usage:");
    }
  });

  it("GIVEN a hand-written workflow at a generated path WHEN gen runs THEN it refuses (exit 2) until --force", () => {
    const repo = makeTempRepo({ withWorkflows: false });
    repo.run([]);
    repo.write(AKS, "name: hand-written\non: push\njobs: {}\n");
    const r = repo.run([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--force");
    expect(repo.read(AKS)).toBe("name: hand-written\non: push\njobs: {}\n");
    expect(repo.run(["--force"]).code).toBe(0);
    expect(repo.run(["--check"]).code).toBe(0);
  });
});

describe("two registries in one repository", () => {
  it("GIVEN workflows generated from another registry WHEN gen runs for a second registry THEN it leaves them alone (they are not its orphans)", () => {
    const repo = makeTempRepo({ withWorkflows: false });
    expect(repo.run([]).code).toBe(0);
    const other = repo.read("services.config.ts").replace('workflowFile: ".github/workflows/deploy-aks.yml"', 'workflowFile: ".github/workflows/other-aks.yml"').replace('workflowFile: ".github/workflows/deploy-staging.yml"', 'workflowFile: ".github/workflows/other-staging.yml"');
    repo.write("other.config.ts", other);
    const r = repo.run(["--config", `${repo.dir}/other.config.ts`]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).not.toContain("deleted");
    expect(repo.read(AKS)).toContain("from services.config.ts. DO NOT EDIT.");
    expect(repo.read(".github/workflows/other-aks.yml")).toContain("from other.config.ts. DO NOT EDIT.");
    expect(repo.run(["--check"]).code).toBe(0);
    expect(repo.run(["--check", "--config", `${repo.dir}/other.config.ts`]).code).toBe(0);
  });
});

describe("the fixing command", () => {
  it("GIVEN the default registry in the current folder WHEN --check finds drift (no package.json) THEN the fix is the plain `npx gen-workflows`", () => {
    const repo = makeTempRepo();
    repo.write(AKS, repo.read(AKS).replace("timeout-minutes: 10", "timeout-minutes: 11"));
    const r = spawnSync(process.execPath, [LAUNCHER, "--check"], { cwd: repo.dir, encoding: "utf8", env: { PATH: process.env.PATH ?? "", NO_COLOR: "1" } });
    expect(r.status).toBe(1);
    expect(r.stdout.endsWith("To fix: move hand edits into the registry or templates/, then run `npx gen-workflows` and commit.\n")).toBe(true);
  });

  it("GIVEN --config and --root WHEN --check finds a missing file THEN the fix repeats them", () => {
    const repo = makeTempRepo({ withWorkflows: false });
    const r = repo.run(["--check", "--root", repo.dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`run \`npx gen-workflows --config ${repo.configPath} --root ${repo.dir}\` and commit`);
  });
});

describe("a registry in another repository", () => {
  it("GIVEN a registry importing a package from its own repository's node_modules WHEN gen runs THEN the import resolves there", () => {
    const repo = makeTempRepo({ withWorkflows: false });
    mkdirSync(`${repo.dir}/node_modules/team-consts`, { recursive: true });
    repo.write("node_modules/team-consts/package.json", JSON.stringify({ name: "team-consts", type: "module", main: "index.js" }));
    repo.write("node_modules/team-consts/index.js", 'export const NAMESPACE = "team-namespace";\n');
    const text = repo.read("services.config.ts");
    repo.write("services.config.ts", `import { NAMESPACE } from "team-consts";\n${text.replace('namespace: "splits-network",', "namespace: NAMESPACE,")}`);
    const r = repo.run([]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(repo.read(AKS)).toContain("NAMESPACE: team-namespace");
  });
});
