/**
 * Readers of committed text stay linear. GIVEN a committed workflow with 50,000 heredoc openers
 * (the regex this replaced took 83 s on it, quadratically more on bigger files) WHEN --check runs
 * THEN it reports the hand edit within seconds; the heredoc reader still finds what it must.
 */
import { describe, expect, it } from "vitest";
import { heredocBodies } from "../../generator/check/workflow-facts.ts";
import { withHeredocLines } from "../bench/pathological-check.ts";
import { makeTempRepo } from "../support/temp-repo.ts";
import { jsonDocument, runIn } from "./run-in-process.ts";

const AKS = ".github/workflows/deploy-aks.yml";

describe("heredoc bodies", () => {
  it("GIVEN closed, indented and unclosed heredocs WHEN read THEN each body is found, an unclosed one running to the end as in bash", () => {
    const script = ["cat <<'EOF' > a.json", '{"services": []}', "EOF", "  cat <<-END", "  one", "  END", "cat <<NEVER", "rest", "of script"].join("\n");
    expect(heredocBodies(script)).toEqual(['{"services": []}', "  one", "rest\nof script"]);
  });

  it("GIVEN 200,000 unclosed heredoc openers WHEN read THEN it takes well under a second per 100,000 lines", () => {
    const script = Array.from({ length: 200_000 }, (_, i) => `cat <<EOF${i % 7} > /tmp/x`).join("\n");
    const start = performance.now();
    heredocBodies(script);
    expect(performance.now() - start).toBeLessThan(2_000);
  });
});

describe("--check of a pathological committed file", () => {
  it("GIVEN deploy-aks.yml with 50,000 heredoc openers added WHEN --check runs THEN exit 1, edited, in seconds", async () => {
    const repo = makeTempRepo();
    repo.write(AKS, withHeredocLines(repo.read(AKS), 50_000));
    const start = performance.now();
    const r = await runIn(repo, ["--check", "--format", "json"]);
    const ms = performance.now() - start;
    expect(r.code).toBe(1);
    expect(jsonDocument(r).drift!.map((d) => [d.path, d.kind])).toEqual([[AKS, "edited"]]);
    // Measured ~1 s; the quadratic reader took 83 s. Generous for a loaded CI machine.
    expect(ms).toBeLessThan(20_000);
  }, 60_000);

  it("GIVEN a generated banner over 100,000 lines that differ throughout WHEN --check runs THEN exit 1, edited, the lines named as one range, in seconds", async () => {
    const repo = makeTempRepo();
    const text = repo.read(AKS);
    const banner = text.slice(0, text.indexOf("\n\n") + 2);
    repo.write(AKS, banner + Array.from({ length: 100_000 }, (_, i) => `k${i}: ${i * 7}`).join("\n") + "\n");
    const start = performance.now();
    const r = await runIn(repo, ["--check", "--format", "json"]);
    const ms = performance.now() - start;
    expect(r.code).toBe(1);
    const drift = jsonDocument(r).drift!.find((d) => d.path === AKS)!;
    expect(drift.kind).toBe("edited");
    expect(drift.findings.find((f) => f.code === "DRIFT_EDITED_LINES")?.message).toMatch(/lines 5-100004 were edited by hand/);
    expect((drift as { diff?: string }).diff).toContain("too many to show");
    // Before: a full line diff (~15 s, growing with lines x changes) and YAML's duplicate-key
    // check (every key against every other: minutes).
    expect(ms).toBeLessThan(20_000);
  }, 60_000);
});
