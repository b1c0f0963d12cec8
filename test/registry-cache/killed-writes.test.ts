/**
 * Issue 11: the registry cache (and the warm check's record) can never answer for another
 * registry text than the one on disk, whatever point a run is killed at. For every rename a cold
 * gen and a cold --check make (each write is a temporary file renamed into place), the run is
 * killed as it enters that rename; then the other text is put on disk and gen and --check must
 * follow it.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { makeTempRepo, type TempRepo } from "../support/temp-repo.ts";
import { HAS_STRACE, runCli, runKilledAtRename } from "./traced.ts";

// Rollout timeouts live in the deploy job's data file (the runner reads them from there).
const AKS = ".github/deploy/deploy-aks.jsonc";
/** Text A is the default registry; text B moves redis's rollout timeout, which shows in the workflow. */
const toB = (a: string): string => a.replace("rolloutTimeoutSeconds: 120", "rolloutTimeoutSeconds: 152");
const followsB = (repo: TempRepo): boolean => repo.read(AKS).includes('"timeoutSeconds":152');

describe.skipIf(!HAS_STRACE)("a run killed between any two of its writes", () => {
  let textA: string;
  beforeAll(() => {
    textA = makeTempRepo().read("services.config.ts");
    // The launcher's own bundle is built once here, so the traced runs below rename only their own files.
    const warm = makeTempRepo();
    expect(runCli(["--check", "--config", warm.configPath], warm.dir, mkdtempSync(join(tmpdir(), "gen-cache-"))).code).toBe(0);
  });

  for (const command of [[], ["--check"]]) {
    const name = command.length ? "--check" : "gen";
    it(`GIVEN text B on disk WHEN ${name} is killed at each of its renames and text A is restored THEN gen and --check follow A, and B again is drift`, () => {
      // n counts up until the run gets through all its renames and finishes on its own.
      let kills = 0;
      for (let n = 1; ; n++) {
        const repo = makeTempRepo();
        const cache = mkdtempSync(join(tmpdir(), "gen-cache-"));
        const args = (extra: string[]) => [...extra, "--config", repo.configPath];
        // A passing check of text A first, so a record and a cache entry for A exist to go stale.
        expect(runCli(args(["--check"]), repo.dir, cache).code).toBe(0);
        repo.write("services.config.ts", toB(textA));
        const killed = runKilledAtRename(n, args(command), repo.dir, cache);
        const finished = killed.signal === null && killed.code !== 137;
        if (!finished) kills++;
        // B on disk, whatever the kill left: only a gen of B that finished makes the workflows match it.
        const genOfBFinished = finished && command.length === 0;
        expect(runCli(args(["--check"]), repo.dir, cache).code, `check of B after kill at rename ${n}`).toBe(genOfBFinished ? 0 : 1);
        writeFileSync(repo.configPath, textA);
        const gen = runCli(args([]), repo.dir, cache);
        expect(gen.code, gen.stderr).toBe(0);
        expect(followsB(repo), `gen of A after kill at rename ${n}`).toBe(false);
        expect(runCli(args(["--check"]), repo.dir, cache).code).toBe(0);
        repo.write("services.config.ts", toB(textA));
        expect(runCli(args(["--check"]), repo.dir, cache).code, `check of B after gen of A, kill at rename ${n}`).toBe(1);
        expect(runCli(args([]), repo.dir, cache).code).toBe(0);
        expect(followsB(repo)).toBe(true);
        expect(readFileSync(repo.configPath, "utf8")).toBe(toB(textA));
        if (finished) break;
      }
      // gen of B: its changed registry module, the cache entry, 2 workflows; --check of B (drift): module, entry.
      expect(kills).toBeGreaterThanOrEqual(command.length ? 2 : 4);
    }, 180_000);
  }
});
