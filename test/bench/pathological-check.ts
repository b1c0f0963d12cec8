/**
 * `pnpm bench`, pathological case: `--check` of a committed deploy-aks.yml that someone (or a
 * broken tool) filled with 50,000 heredoc openers in one step. The drift readers must stay linear
 * on whatever text is committed: before issue 11 this took 83 s (the heredoc regex searched on
 * from every opener), and it runs in every pre-commit hook. `BENCH_PATHOLOGICAL=0` skips it.
 */
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { LAUNCHER } from "../support/repo.ts";
import { makeTempRepo } from "../support/temp-repo.ts";

const AKS = ".github/workflows/deploy-aks.yml";

/** deploy-aks.yml with a step of `lines` unclosed heredoc openers inserted before its last steps. */
export function withHeredocLines(workflow: string, lines: number): string {
  const openers = Array.from({ length: lines }, (_, i) => `          cat <<EOF${i % 7} > /tmp/x`).join("\n");
  const anchor = "      - name: Show deployment status\n";
  if (!workflow.includes(anchor)) throw new Error("deploy-aks.yml has no post-deploy step to insert before");
  return workflow.replace(anchor, `      - name: Pathological\n        run: |\n${openers}\n${anchor}`);
}

export function pathologicalCheck(rounds: number, lines = 50_000): void {
  const repo = makeTempRepo();
  try {
    repo.write(AKS, withHeredocLines(repo.read(AKS), lines));
    const samples: number[] = [];
    for (let i = 0; i <= rounds; i++) {
      const start = process.hrtime.bigint();
      const r = spawnSync(process.execPath, [LAUNCHER, "--check", "--config", repo.configPath], { cwd: repo.dir, stdio: "ignore" });
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (r.status !== 1) throw new Error(`pathological --check exited ${r.status}, expected 1 (drift)`);
      if (i > 0) samples.push(ms); // the first run warms the registry cache
    }
    const sorted = samples.sort((a, b) => a - b);
    console.log(`\npathological committed file (${lines.toLocaleString("en")} heredoc lines in deploy-aks.yml): --check median of ${rounds} runs ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms (exit 1: drift)`);
  } finally {
    rmSync(repo.dir, { recursive: true, force: true });
  }
}
