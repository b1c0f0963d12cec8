/**
 * Second opinion 1: every `run:` script of the generated workflows passes shellcheck (as bash,
 * the workflows' default shell) with no finding at any severity. shellcheck must be installed
 * (`apt-get install shellcheck`; CI installs it): a missing shellcheck fails, it never skips.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, test } from "vitest";
import { PRODUCTION, STAGING, defaultRegistry, generateWorkflows } from "../pipeline/generated.ts";
import { runScripts } from "./scripts.ts";

interface Finding {
  line: number;
  column: number;
  level: string;
  code: number;
  message: string;
}

function shellcheck(script: string): Finding[] {
  const result = spawnSync("shellcheck", ["--shell=bash", "--severity=style", "--format=json", "-"], { input: script, encoding: "utf8" });
  if (result.error) throw new Error(`shellcheck could not run (${result.error.message}): install it with \`apt-get install shellcheck\` (CI does)`);
  if (result.status !== 0 && result.status !== 1) throw new Error(`shellcheck failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Finding[];
}

function describeFindings(script: string, findings: Finding[]): string {
  const lines = script.split("\n");
  return findings.map((f) => `  line ${f.line}: SC${f.code} ${f.level}: ${f.message}\n    ${lines[f.line - 1]}`).join("\n");
}

const withoutAffectedBuilds = { ...defaultRegistry, project: { ...defaultRegistry.project, affectedBuilds: false } };
const credentialsLogin = { ...defaultRegistry, project: { ...defaultRegistry.project, azureLogin: { method: "credentials" as const, credentialsSecret: "AZURE_CREDENTIALS" } } };

const variants = [
  { variant: "default registry", files: generateWorkflows() },
  { variant: "affected builds off", files: generateWorkflows(withoutAffectedBuilds) },
  { variant: "client-secret login", files: generateWorkflows(credentialsLogin) },
];

describe("shellcheck", () => {
  test("GIVEN shellcheck WHEN it reads a script with a known finding THEN it reports it (the check can fail)", () => {
    expect(shellcheck('echo $1\n').map((f) => f.code)).toContain(2086);
  });

  for (const { variant, files } of variants)
    for (const file of [STAGING, PRODUCTION, ".github/workflows/deploy-staging-rollback.yml", ".github/workflows/deploy-aks-rollback.yml"]) {
      const scripts = runScripts(files.get(file)!);
      test(`GIVEN ${file} (${variant}) WHEN shellcheck reads each of its ${scripts.length} run scripts THEN it finds nothing`, () => {
        expect(scripts.length).toBeGreaterThan(file.includes("rollback") ? 1 : 10);
        const failures = scripts.flatMap((s) => {
          const findings = shellcheck(s.script);
          return findings.length ? [`${s.where}:\n${describeFindings(s.script, findings)}`] : [];
        });
        expect(failures, failures.join("\n")).toEqual([]);
      });
    }
});
