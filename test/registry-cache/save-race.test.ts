/**
 * Issue 11: a save during a gen. The run compiles the bytes it read once; whatever it leaves
 * behind, the next gen and --check follow the text on disk. First the reproduction (its
 * second rename delayed, killed during the delay, the registry restored), then saves landing
 * while a gen waits at each of its writes.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeTempRepo } from "../support/temp-repo.ts";
import { HAS_STRACE, runCli, runWithDelayedRename, waitingAtRename } from "./traced.ts";

// Rollout timeouts live in the deploy job's data file (the runner reads them from there).
const AKS = ".github/deploy/deploy-aks.jsonc";
const toB = (a: string): string => a.replace("rolloutTimeoutSeconds: 120", "rolloutTimeoutSeconds: 152");
const count152 = (text: string): number => text.split('"timeoutSeconds":152').length - 1;

describe.skipIf(!HAS_STRACE)("a save racing a gen", () => {
  it("GIVEN the issue's reproduction (edit, gen killed while its second rename is delayed, edit undone) WHEN gen runs THEN the workflows follow the restored text", async () => {
    const repo = makeTempRepo();
    const cache = mkdtempSync(join(tmpdir(), "gen-cache-"));
    const args = ["--config", repo.configPath];
    const textA = repo.read("services.config.ts");
    expect(runCli(args, repo.dir, cache).code).toBe(0);
    repo.write("services.config.ts", toB(textA));
    const killed = await runWithDelayedRename(2, 2000, args, repo.dir, cache, waitingAtRename(cache, join(repo.dir, ".github")), (pid) => process.kill(pid, "SIGKILL"));
    expect(killed.code).not.toBe(0);
    repo.write("services.config.ts", textA); // git checkout services.config.ts
    expect(runCli(args, repo.dir, cache).code).toBe(0);
    expect(count152(repo.read(AKS))).toBe(0);
    expect(runCli(["--check", ...args], repo.dir, cache).code).toBe(0);
  }, 60_000);

  for (const rename of [1, 2, 3, 4]) {
    it(`GIVEN a gen of text A waiting at its rename ${rename} WHEN text B is saved meanwhile THEN the next gen writes B's workflows and --check agrees`, async () => {
      const repo = makeTempRepo();
      const cache = mkdtempSync(join(tmpdir(), "gen-cache-"));
      const args = ["--config", repo.configPath];
      const textA = repo.read("services.config.ts");
      // Stale state to be tempted by: a passing check of B, then A committed again.
      repo.write("services.config.ts", toB(textA));
      expect(runCli(args, repo.dir, cache).code).toBe(0);
      repo.write("services.config.ts", textA);
      const racing = await runWithDelayedRename(rename, 1500, args, repo.dir, cache, waitingAtRename(cache, join(repo.dir, ".github")), () => writeFileSync(repo.configPath, toB(textA)));
      expect(racing.code, racing.stderr).toBe(0);
      // The racing gen used the text it read (A) or, at the latest, B: never a mix, never old output for the new text.
      expect(runCli(["--check", ...args], repo.dir, cache).code).toBe(count152(repo.read(AKS)) === 1 ? 0 : 1);
      expect(runCli(args, repo.dir, cache).code).toBe(0);
      expect(count152(repo.read(AKS))).toBe(1);
      expect(runCli(["--check", ...args], repo.dir, cache).code).toBe(0);
      repo.write("services.config.ts", textA);
      expect(runCli(["--check", ...args], repo.dir, cache).code).toBe(1);
    }, 60_000);
  }
});
