/**
 * Issue 11's table of hostile inputs, kept as permanent cases. GIVEN the default repository with
 * one hostile registry, template or committed file WHEN gen and --check run (with --format json)
 * THEN each gives the same answer: exit 2 with one JSON document holding a diagnostic of the
 * expected code (and a text line with that code and a fix), nothing under .github changed; or
 * exit 1 with the expected drift kind; never exit 3, never a crash.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { DiagnosticCode } from "../../generator/diagnostics.ts";
import { makeTempRepo, snapshotTree, type TempRepo } from "../support/temp-repo.ts";
import { jsonDocument, runIn } from "./run-in-process.ts";

const AKS = ".github/workflows/deploy-aks.yml";
const POST_DEPLOY = "templates/deploy/post-deploy.yml";

const registry = (repo: TempRepo, edit: (text: string) => string): void => {
  const before = repo.read("services.config.ts");
  const after = edit(before);
  if (after === before) throw new Error("the case's edit did not apply");
  repo.write("services.config.ts", after);
};
/** The default registry bound to `cfg`, with `tail` run on it before it is exported. */
const withTail = (tail: string) => (text: string) =>
  text.replace("export default defineConfig(", "const cfg: any = defineConfig(").replace(/\}\);\s*$/, "});\n") + `${tail}\nexport default cfg;\n`;
const replace = (from: string, to: string) => (text: string) => text.replace(from, to);

interface RefusedCase {
  given: string;
  setup: (repo: TempRepo) => void;
  code: DiagnosticCode;
  message?: RegExp;
}

const refused: RefusedCase[] = [
  // prototype names
  { given: 'secrets: ["constructor"]', setup: (r) => registry(r, replace('secrets: ["internal-service-secrets", "clerk-secrets"]', 'secrets: ["constructor"]')), code: "CONFIG_RESERVED_NAME" },
  { given: 'secrets: ["stripe-secrets/hasOwnProperty"]', setup: (r) => registry(r, replace('"stripe-secrets"]', '"stripe-secrets/hasOwnProperty"]')), code: "CONFIG_RESERVED_NAME" },
  { given: 'a ["__proto__"] build argument', setup: (r) => registry(r, replace('buildArgs: { NEXT_PUBLIC_APP_URL: "https://{domains.corporate}" }', 'buildArgs: { NEXT_PUBLIC_APP_URL: "https://{domains.corporate}", ["__proto__"]: "x" }')), code: "CONFIG_RESERVED_NAME", message: /"__proto__"/ },
  { given: 'a ["__proto__"] secret group', setup: (r) => registry(r, replace("secretGroups: {", 'secretGroups: {\n    ["__proto__"]: { k: "K" },')), code: "CONFIG_RESERVED_NAME" },
  { given: "a secret group named toString", setup: (r) => registry(r, replace("secretGroups: {", 'secretGroups: {\n    toString: { k: "K" },')), code: "CONFIG_RESERVED_NAME" },
  { given: "a {domains.constructor} placeholder", setup: (r) => registry(r, replace('"https://{domains.corporate}" }', '"https://{domains.constructor}" }')), code: "PLACEHOLDER_UNKNOWN" },
  // values no workflow can hold
  { given: "workflowName with ${{ secrets.X }}", setup: (r) => registry(r, replace('workflowName: "Deploy to AKS"', 'workflowName: "Deploy ${{ secrets.X }}"')), code: "CONFIG_INVALID_FORMAT", message: /expression/ },
  { given: "branch with ${{ secrets.X }}", setup: (r) => registry(r, replace('branch: "main"', 'branch: "${{ secrets.X }}"')), code: "CONFIG_INVALID_FORMAT" },
  { given: "githubEnvironment with ${{ secrets.X }}", setup: (r) => registry(r, replace('githubEnvironment: "production"', 'githubEnvironment: "${{ secrets.X }}"')), code: "CONFIG_INVALID_FORMAT" },
  { given: "a branch name containing a newline", setup: (r) => registry(r, replace('branch: "main"', 'branch: "main\\nx"')), code: "CONFIG_INVALID_FORMAT", message: /line break/ },
  { given: "a build argument with ${{ secrets.X }}", setup: (r) => registry(r, replace('"https://{domains.corporate}" }', '"${{ secrets.X }}" }')), code: "CONFIG_INVALID_FORMAT" },
  // values of the wrong kind, or that cannot be read
  { given: 'services: "x"', setup: (r) => registry(r, withTail('cfg.services = "x";')), code: "CONFIG_INVALID_TYPE", message: /expected array, got "x"/ },
  { given: "a BigInt timeout (120n)", setup: (r) => registry(r, replace("rolloutTimeoutSeconds: 120 }", "rolloutTimeoutSeconds: 120n as any }")), code: "CONFIG_INVALID_TYPE", message: /120n \(a BigInt\)/ },
  { given: "a Symbol value", setup: (r) => registry(r, replace('namespace: "splits-network"', 'namespace: Symbol("ns") as any')), code: "CONFIG_INVALID_TYPE", message: /got a Symbol/ },
  { given: "a function value", setup: (r) => registry(r, replace('namespace: "splits-network"', 'namespace: (() => "x") as any')), code: "CONFIG_INVALID_TYPE", message: /got a function/ },
  { given: "a getter that throws null", setup: (r) => registry(r, withTail("Object.defineProperty(cfg, 'services', { enumerable: true, get() { throw null; } });")), code: "CONFIG_VALUE_UNREADABLE", message: /null was thrown/ },
  { given: "a getter that throws an Error", setup: (r) => registry(r, withTail("Object.defineProperty(cfg.project, 'namespace', { enumerable: true, get() { throw new Error('no namespace'); } });")), code: "CONFIG_VALUE_UNREADABLE", message: /no namespace/ },
  { given: "a revoked proxy", setup: (r) => registry(r, withTail("const p = Proxy.revocable({}, {}); p.revoke(); cfg.project.sentry = p.proxy;")), code: "CONFIG_VALUE_UNREADABLE" },
  { given: "a proxy whose keys throw a Symbol", setup: (r) => registry(r, withTail("cfg.secretGroups = new Proxy({}, { ownKeys() { throw Symbol('no'); } });")), code: "CONFIG_VALUE_UNREADABLE", message: /a Symbol/ },
  { given: "a registry that contains itself", setup: (r) => registry(r, withTail("cfg.project.sentry = cfg;")), code: "CONFIG_VALUE_UNREADABLE", message: /cycle/ },
  { given: "a module that throws null", setup: (r) => registry(r, (t) => `${t}\nthrow null;\n`), code: "CONFIG_LOAD_FAILED" },
  { given: "a module that throws a string", setup: (r) => registry(r, (t) => `${t}\nthrow "registry says no";\n`), code: "CONFIG_LOAD_FAILED" },
  { given: "an empty registry object", setup: (r) => r.write("services.config.ts", "export default {};\n"), code: "CONFIG_INVALID_TYPE" },
  { given: "an empty registry file", setup: (r) => r.write("services.config.ts", ""), code: "CONFIG_NO_DEFAULT_EXPORT" },
  // files where they cannot be
  { given: "a folder where a workflow file belongs", setup: (r) => (rmSync(join(r.dir, AKS)), mkdirSync(join(r.dir, AKS))), code: "PATH_NOT_A_FILE", message: /folder/ },
  { given: "a file where .github/workflows belongs", setup: (r) => (rmSync(join(r.dir, ".github/workflows"), { recursive: true }), writeFileSync(join(r.dir, ".github/workflows"), "")), code: "PATH_NOT_A_FILE" },
  { given: "a folder where a template file belongs", setup: (r) => (rmSync(join(r.dir, POST_DEPLOY)), mkdirSync(join(r.dir, POST_DEPLOY))), code: "PATH_NOT_A_FILE" },
  // hostile templates
  {
    given: "a YAML alias bomb in a template",
    setup: (r) => r.write(POST_DEPLOY, ["a: &a [x, x, x, x, x, x, x, x, x, x]", ..."bcdefg".split("").map((c, i) => `${c}: &${c} [${Array(10).fill(`*${"abcdefg"[i]}`).join(", ")}]`), "steps: []", ""].join("\n")),
    code: "TEMPLATE_INVALID",
    message: /alias/,
  },
  {
    given: "invalid UTF-8 in a template",
    setup: (r) => writeFileSync(join(r.dir, POST_DEPLOY), Buffer.concat([Buffer.from("steps:\n  - name: caf"), Buffer.from([0xe9]), Buffer.from("\n    run: echo hi\n")])),
    code: "TEMPLATE_INVALID",
    message: /UTF-8/,
  },
  { given: "a template if: ${{ github.ref == (not closed)", setup: (r) => r.write(POST_DEPLOY, r.read(POST_DEPLOY).replace("if: always()", "if: ${{ github.ref ==")), code: "TEMPLATE_INVALID" },
];

describe("hostile registries, templates and files: exit 2 with a diagnostic, gen and --check alike", () => {
  it.each(refused)("GIVEN $given WHEN gen and --check run THEN exit 2 with $code, one JSON document, nothing written", async ({ setup, code, message }) => {
    const repo = makeTempRepo();
    setup(repo);
    const before = snapshotTree(repo.dir);
    for (const args of [["--check"], []]) {
      const json = await runIn(repo, [...args, "--format", "json"]);
      expect(json.code, json.stderr).toBe(2);
      const doc = jsonDocument(json);
      const found = doc.diagnostics.find((d) => d.code === code);
      expect(found, JSON.stringify(doc.diagnostics)).toBeDefined();
      if (message) expect(found!.message).toMatch(message);
      // Named relative to the repository: no machine's absolute path in a report.
      expect(found!.file.startsWith("/"), found!.file).toBe(false);
      const text = await runIn(repo, args);
      expect(text.code).toBe(2);
      expect(text.stderr).toContain(`[${code}]`);
      expect(text.stderr).toContain("fix: ");
      expect(text.stderr).not.toContain("internal error");
    }
    expect(snapshotTree(repo.dir)).toEqual(before);
  });

  it("GIVEN a 10 MB invalid value WHEN --check runs THEN the value is echoed cut short, not in full", async () => {
    const repo = makeTempRepo();
    registry(repo, replace('namespace: "splits-network"', 'namespace: "A".repeat(10_000_000)'));
    const r = await runIn(repo, ["--check"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("(10000000 characters)");
    expect(r.stderr.length).toBeLessThan(2_000);
  });
});

interface DriftCase {
  given: string;
  edit: (text: string) => string;
  /** The drift kind --check names for deploy-aks.yml; undefined: in sync (exit 0). */
  kind?: string;
  finding?: string;
}

const drifting: DriftCase[] = [
  { given: "a generated file saved with a byte-order mark", edit: (t) => `\uFEFF${t}` },
  { given: "a generated file saved with a byte-order mark and CRLF line ends", edit: (t) => `\uFEFF${t.replace(/\n/g, "\r\n")}` },
  { given: "an edit to banner line 2", edit: (t) => t.replace("# To change it", "# To change this"), kind: "edited" },
  { given: "another registry named on banner line 1", edit: (t) => t.replace("from services.config.ts. DO NOT EDIT.", "from other.config.ts. DO NOT EDIT."), kind: "edited" },
  { given: "a changed inputs hash on banner line 3", edit: (t) => t.replace(/inputs=[0-9a-f]{16}/, "inputs=0000000000000000"), kind: "stale" },
  { given: "a YAML alias bomb added to the body", edit: (t) => `${t}x: &x [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n${"yzuvwpq".split("").map((c, i) => `${c}: &${c} [${Array(10).fill(`*${"xyzuvwp"[i]}`).join(", ")}]`).join("\n")}\n`, kind: "edited", finding: "DRIFT_YAML_INVALID" },
  { given: "a body edit that breaks the YAML", edit: (t) => t.replace("jobs:\n", "jobs: [\n"), kind: "edited", finding: "DRIFT_EDITED_LINES" },
];

describe("hostile committed files: --check names the right drift kind", () => {
  it.each(drifting)("GIVEN $given WHEN --check runs THEN the drift kind is $kind", async ({ edit, kind, finding }) => {
    const repo = makeTempRepo();
    repo.write(AKS, edit(repo.read(AKS)));
    const r = await runIn(repo, ["--check", "--format", "json"]);
    const doc = jsonDocument(r);
    if (kind === undefined) {
      expect(r.code, r.stdout).toBe(0);
      // gen agrees: nothing to write, and the file is left as it was saved.
      const before = repo.read(AKS);
      expect((await runIn(repo, [])).code).toBe(0);
      expect(repo.read(AKS)).toBe(before);
      return;
    }
    expect(r.code).toBe(1);
    const drift = doc.drift!.find((d) => d.path === AKS);
    expect(drift?.kind).toBe(kind);
    if (finding) expect(drift!.findings.map((f) => f.code)).toContain(finding);
  });
});
