/**
 * The YAML structure of real workflows (job and step keys, odd node types, aliases), not their
 * shell scripts: each row once imported silently as if the key were not there (a pwsh script read
 * as bash, a job's `if:` dropped, a null step skipped). Now each is reported at its file:line,
 * the import never exits 3, and gen accepts whatever registry it wrote.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, pair, repoWith } from "./inline-repo.ts";

const read = (dir: string, rel: string): string => readFileSync(join(dir, rel), "utf8");
const IMPORT = ["import", "--production", ".github/workflows/deploy-aks.yml", "--staging", ".github/workflows/deploy-staging.yml"];
const DEPLOY = ["kubectl apply -f infra/k8s/api/ -n api", "kubectl rollout status deployment/api --timeout=120s -n api"].join("\n");
const NEEDS = "    needs: build\n";
const DEPLOY_STEP = "      - name: Deploy\n";
const INGRESS = "      - name: Ingress\n        run: kubectl apply -f infra/k8s/ingress.yaml\n";

/** [construct, edit of the pair's text, exit code of the import, what the report says]. */
const CASES: [string, (text: string) => string, number, RegExp][] = [
  ["a job-level if: on anything but the trigger", (t) => t.replace(NEEDS, `${NEEDS}    if: vars.DEPLOY_ENABLED == 'true'\n`), 1, /job "deploy" runs only if vars\.DEPLOY_ENABLED == 'true'; the generated jobs have no conditions/],
  ["a job-level if: on a branch the workflow does not deploy", (t) => t.replace(NEEDS, `${NEEDS}    if: github.ref == 'refs/heads/release'\n`), 1, /job "deploy" runs only if github\.ref == 'refs\/heads\/release'; the generated jobs have no conditions/],
  ["a job-level if: that negates the branch", (t) => t.replace(NEEDS, `${NEEDS}    if: "!(github.ref == 'refs/heads/main')"\n`), 1, /; the generated jobs have no conditions/],
  ["a job-level continue-on-error", (t) => t.replace(NEEDS, `${NEEDS}    continue-on-error: true\n`), 0, /job "deploy": continue-on-error is not carried over/],
  ["a job container:", (t) => t.replace(NEEDS, `${NEEDS}    container: node:20\n`), 0, /job "deploy": container is not carried over/],
  ["a job defaults.run.shell: pwsh", (t) => t.replace(NEEDS, `${NEEDS}    defaults:\n      run:\n        shell: pwsh\n`), 1, /step "Deploy" runs with shell: pwsh; the importer reads run scripts as bash only/],
  ["a workflow defaults.run.working-directory", (t) => t.replace("jobs:\n", "defaults:\n  run:\n    working-directory: infra\njobs:\n"), 1, /run scripts run in working-directory infra/],
  ["a step shell: python", (t) => t.replace(DEPLOY_STEP, `${DEPLOY_STEP}        shell: python\n`), 1, /step "Deploy" runs with shell: python/],
  ["a step continue-on-error", (t) => t.replace(DEPLOY_STEP, `${DEPLOY_STEP}        continue-on-error: true\n`), 0, /step "Deploy": continue-on-error is not carried over/],
  ["a step if: false (a YAML boolean)", (t) => t.replace(DEPLOY_STEP, `${DEPLOY_STEP}        if: false\n`), 1, /step "Deploy" runs only if false/],
  ["a null step", (t) => t.replace(INGRESS, `      -\n${INGRESS}`), 1, /job "deploy" has a step that is not a mapping: null/],
  ["a step that is a string", (t) => t.replace(INGRESS, `      - just a string\n${INGRESS}`), 1, /job "deploy" has a step that is not a mapping: just a string/],
  ["a null job", (t) => t.replace("jobs:\n", "jobs:\n  nothing:\n"), 1, /job "nothing" is not a mapping/],
  ["a reusable-workflow job", (t) => t.replace("jobs:\n", "jobs:\n  call:\n    uses: ./.github/workflows/x.yml\n    secrets: inherit\n"), 1, /job "call" calls the reusable workflow \.\/\.github\/workflows\/x\.yml/],
  ["a merge key in a step", (t) => t.replace(INGRESS, "      - &ingress\n        name: Ingress\n        run: kubectl apply -f infra/k8s/ingress.yaml\n      - <<: *ingress\n        name: Again\n"), 1, /step "Again": the YAML merge key << is not read/],
  ["a merge key in a job", (t) => t.replace("jobs:\n", "x-job: &job\n  runs-on: ubuntu-latest\njobs:\n").replace(`${NEEDS}    runs-on: ubuntu-latest\n`, `${NEEDS}    <<: *job\n`), 1, /job "deploy": the YAML merge key << is not read/],
  ["a workflow env: that is an expression", (t) => t.replace("jobs:\n", "env: ${{ fromJSON(vars.ENV) }}\njobs:\n"), 1, /the workflow: env is not a mapping \(\$\{\{ fromJSON\(vars\.ENV\) \}\}\)/],
  ["a job env: that is an expression", (t) => t.replace(NEEDS, `${NEEDS}    env: \${{ fromJSON(vars.ENV) }}\n`), 1, /job "deploy": env is not a mapping/],
  ["a step env: that is an expression", (t) => t.replace(DEPLOY_STEP, `${DEPLOY_STEP}        env: \${{ fromJSON(vars.ENV) }}\n`), 1, /step "Deploy": env is not a mapping/],
];

/** [construct, edit, what must not be said]: forms of what the generated deploy does anyway. */
const QUIET: [string, (text: string) => string, RegExp][] = [
  ["a working-directory of the workspace root", (t) => t.replace(DEPLOY_STEP, `${DEPLOY_STEP}        working-directory: \${{ github.workspace }}\n`), /working-directory/],
  ["a shell given as a path to bash", (t) => t.replace(DEPLOY_STEP, `${DEPLOY_STEP}        shell: /bin/bash -e {0}\n`), /runs with shell/],
];

describe("import of the YAML structure of a workflow", () => {
  it.each(QUIET)("GIVEN %s WHEN imported THEN it is read as the generated deploy does it, with nothing to report", async (_name, edit, notSaid) => {
    const dir = repoWith(edit(pair(DEPLOY)));
    const imported = await cli(dir, IMPORT);
    expect(imported.code, imported.stdout + imported.stderr).toBe(0);
    expect(imported.stdout).not.toMatch(notSaid);
  });

  it.each(CASES)("GIVEN %s WHEN imported and generated THEN it is reported, never exit 3", async (_name, edit, code, reported) => {
    const text = edit(pair(DEPLOY));
    expect(text).not.toBe(pair(DEPLOY));
    const dir = repoWith(text);
    const imported = await cli(dir, IMPORT);
    expect(imported.code, imported.stdout + imported.stderr).toBe(code);
    expect(imported.stdout).toMatch(reported);
    expect(imported.stdout).toMatch(/deploy-aks\.yml:\d+/);
    const generated = await cli(dir, ["--force", "--config", join(dir, "services.config.ts"), "--root", dir]);
    expect(generated.code, generated.stderr).toBe(0);
  });

  it("GIVEN a job if: that restates each workflow's own branch, the event, the repository and success() WHEN imported THEN it is done by the generated jobs' guard, not carried over by hand", async () => {
    const guard = (branch: string) => `${NEEDS}    if: \${{ github.event_name == 'push' && github.event_name != 'pull_request' && (github.ref == 'refs/heads/${branch}' || github.ref_name == '${branch}') && github.repository == 'acme/app' && success() }}\n`;
    const dir = repoWith(pair(DEPLOY).replace(NEEDS, guard("main")), pair(DEPLOY).replace("[BRANCH]", "[staging]").replace(NEEDS, guard("staging")));
    const imported = await cli(dir, IMPORT);
    expect(imported.code, imported.stdout + imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/job "deploy" runs only if .*: not carried over; every generated job runs for its environment's branch only/);
    expect(imported.stdout).not.toMatch(/Carry over by hand/);
  });

  it("GIVEN a step whose run is an alias of another step's run WHEN imported THEN the script is read, not reported as missing", async () => {
    const dir = repoWith(pair(DEPLOY).replace(INGRESS, "      - name: Ingress\n        run: &ingress kubectl apply -f infra/k8s/ingress.yaml\n      - name: Again\n        run: *ingress\n"));
    const imported = await cli(dir, IMPORT);
    expect(imported.code, imported.stdout + imported.stderr).toBeLessThan(2);
    expect(imported.stdout).not.toMatch(/neither run nor uses/);
  });

  it("GIVEN a step that is an alias of a whole step WHEN imported THEN it is read like the step", async () => {
    const dir = repoWith(pair(DEPLOY).replace(INGRESS, "      - &ingress\n        name: Ingress\n        run: kubectl apply -f infra/k8s/ingress.yaml\n      - *ingress\n"));
    const imported = await cli(dir, IMPORT);
    expect(imported.code, imported.stdout + imported.stderr).toBe(0);
  });

  it("GIVEN on.push.branches as one string WHEN imported THEN that branch deploys, as GitHub reads it", async () => {
    const dir = repoWith(pair(DEPLOY).replace("branches: [BRANCH]", "branches: main"), pair(DEPLOY).replace("branches: [BRANCH]", "branches: staging"));
    const imported = await cli(dir, IMPORT);
    expect(imported.code, imported.stdout + imported.stderr).toBe(0);
    expect(read(dir, "services.config.ts")).toMatch(/branch: "main"[^]*branch: "staging"|branch: "staging"[^]*branch: "main"/);
  });
});
