/**
 * Property: scripts built from the constructs hand-written deploy steps use (defaults, command
 * substitutions, quotes, functions and their calls, case, while read, heredocs, subshells, if,
 * for, `&&`/`||` chains, `|| true`, `|| (echo …; exit 1)`) never make the reader throw, every
 * line is accounted for (run, not run with a reason, or unknown), and the whole import never
 * exits 3: what it writes, gen accepts.
 */
import fc from "fast-check";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readWorkflow } from "../../generator/import/read-workflow.ts";
import { execute } from "../../generator/import/shell-script.ts";
import { cli, pair, repoWith } from "./inline-repo.ts";

const service = fc.constantFrom("api", "billing-service", "redis");
const word = fc.constantFrom("alpha", "$svc", '"$svc"', "${REPLICAS:-2}", "${X:=d}", "${Y-y}", "$(kubectl get pods -o name)", "`date`", "'a b'", '"x\\"y"', "${{ github.sha }}");

/** One command line. */
const command: fc.Arbitrary<string[]> = fc.oneof(
  service.map((s) => [`kubectl apply -f infra/k8s/${s}/ -n api`]),
  service.map((s) => [`kubectl rollout status deployment/${s} -n api --timeout=120s`]),
  fc.array(word, { minLength: 1, maxLength: 3 }).map((ws) => [`echo ${ws.join(" ")}`]),
  word.map((w) => [`export VALUE=${w}`]),
  fc.constant<string[]>(["DEPLOYS=$(kubectl get deployments -n api -o jsonpath='{.items[*].metadata.name}')"]),
  service.map((s) => [`kubectl apply -f infra/k8s/${s}/ -n api || true`]),
  service.map((s) => [`kubectl apply -f infra/k8s/${s}/ -n api || (echo "failed ${s}"; exit 1)`]),
  service.map((s) => [`kubectl delete job ${s}-migrate --ignore-not-found && kubectl apply -f infra/k8s/${s}/jobs/migrate.yaml`]),
  fc.constant<string[]>(["kubectl annotate deployment api kubectl.kubernetes.io/last-applied-configuration- || true"]),
  fc.constant<string[]>(["set -euo pipefail"]),
  fc.constant<string[]>(["cat <<EOF | kubectl apply -f -", "kind: Namespace", "metadata:", "  name: api", "EOF"]),
  fc.constant<string[]>(["# a comment", ""]),
);

/** A block: a command, or a compound command around smaller blocks. */
const block: fc.Arbitrary<string[]> = fc.letrec<{ block: string[] }>((tie) => ({
  block: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    command,
    fc.tuple(service, tie("block")).map(([s, body]) => [`for svc in ${s} api; do`, ...body.map((l) => `  ${l}`), "done"]),
    fc.tuple(service, tie("block"), tie("block")).map(([s, a, b]) => [`if [ "$svc" = "${s}" ]; then`, ...a.map((l) => `  ${l}`), "else", ...b.map((l) => `  ${l}`), "fi"]),
    tie("block").map((body) => ["if ! kubectl get namespace ingress-nginx >/dev/null 2>&1; then", ...body.map((l) => `  ${l}`), "fi"]),
    fc.tuple(tie("block"), service).map(([body, s]) => ["deploy_one() {", ...body.map((l) => `  ${l}`), "}", `deploy_one ${s}`, "deploy_one api"]),
    tie("block").map((body) => ['case "$svc" in', "  api|redis)", ...body.map((l) => `    ${l}`), "    ;;", "  *) echo other ;;", "esac"]),
    tie("block").map((body) => ["(", ...body.map((l) => `  ${l}`), ")"]),
    tie("block").map((body) => ["kubectl get deployments -o name | while read -r line; do", ...body.map((l) => `  ${l}`), "done"]),
  ),
})).block;

const script = fc.array(block, { minLength: 1, maxLength: 5 }).map((blocks) => blocks.flat());

const meaningful = (lines: readonly string[], first: number): number[] =>
  lines.flatMap((l, i) => (l.trim() && !l.trim().startsWith("#") ? [first + i] : []));

describe("shell reader properties", () => {
  it("GIVEN any script of the supported constructs WHEN executed THEN nothing throws and every line is accounted for", () => {
    fc.assert(
      fc.property(script, (lines) => {
        const events = execute(lines.join("\n"), 10, { svc: "api" });
        const missing = meaningful(lines, 10).filter((l) => !events.accounted.has(l));
        expect(missing, lines.join("\n")).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it("GIVEN any such script in a deploy step WHEN the workflow is read THEN every script line is accounted for or reported", () => {
    fc.assert(
      fc.property(script, (lines) => {
        const text = pair(lines.join("\n")).replace("[BRANCH]", "[main]");
        const facts = readWorkflow(text, "deploy-aks.yml", { listYamlFiles: () => [], readFile: () => undefined, templateCommands: new Set() });
        const first = text.split("\n").indexOf(`          ${lines[0]}`.trimEnd()) + 1;
        const reported = new Set(facts.diagnostics.map((d) => d.line));
        const missing = meaningful(lines, first).filter((l) => !facts.accounted.has(l) && !reported.has(l));
        expect(missing, lines.join("\n")).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it("GIVEN any such script in both workflows WHEN imported and generated THEN the import never exits 3 and gen accepts what it wrote", async () => {
    await fc.assert(
      fc.asyncProperty(script, async (lines) => {
        const dir = repoWith(pair(lines.join("\n")));
        const imported = await cli(dir, ["import", "--production", ".github/workflows/deploy-aks.yml", "--staging", ".github/workflows/deploy-staging.yml"]);
        expect(imported.code, `${imported.stderr}\n${lines.join("\n")}`).toBeLessThan(2);
        const generated = await cli(dir, ["--force", "--config", join(dir, "services.config.ts"), "--root", dir]);
        expect(generated.code, `${generated.stderr}\n${lines.join("\n")}`).toBe(0);
      }),
      { numRuns: 12 },
    );
  }, 240_000);
});
