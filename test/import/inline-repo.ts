/** A one-service hand-written pair written from a deploy script, and the CLI run in-process on it. */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../generator/cli.ts";
import type { CliIo } from "../../generator/cli-types.ts";

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
  dir: string;
}

/** Runs the CLI in-process in `dir`. */
export async function cli(dir: string, args: string[]): Promise<Omit<Outcome, "dir">> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = { cwd: dir, env: { NO_COLOR: "1" }, isTTY: false, stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/** A one-service pair of workflows whose deploy job runs `deploy` (a bash script) in both files. */
export function pair(deploy: string, options: { namespace?: string; folder?: string; group?: string; extraYaml?: string } = {}): string {
  const folder = options.folder ?? "api";
  const indent = (s: string, n: number) => s.split("\n").map((l) => (l ? " ".repeat(n) + l : l)).join("\n");
  return [
    "name: Deploy",
    "on:",
    "  push:",
    "    branches: [BRANCH]",
    ...(options.extraYaml ? [options.extraYaml] : []),
    "jobs:",
    "  build:",
    "    runs-on: ubuntu-latest",
    "    strategy:",
    "      matrix:",
    "        service:",
    `          - name: ${folder}`,
    `            path: services/${folder}`,
    "    steps:",
    "      - uses: azure/login@v2",
    "        with:",
    "          creds: ${{ secrets.AZURE_CREDENTIALS }}",
    "      - run: az acr login --name ${{ secrets.ACR_NAME }}",
    "      - name: Build",
    "        run: |",
    "          docker build -f ${{ matrix.service.path }}/Dockerfile -t ${{ secrets.ACR_LOGIN_SERVER }}/${{ matrix.service.name }}:${{ github.sha }} --target production .",
    "          docker push ${{ secrets.ACR_LOGIN_SERVER }}/${{ matrix.service.name }}:${{ github.sha }}",
    "  deploy:",
    "    needs: build",
    "    runs-on: ubuntu-latest",
    "    steps:",
    "      - run: az aks get-credentials --resource-group ${{ secrets.AKS_RESOURCE_GROUP }} --name ${{ secrets.AKS_CLUSTER_NAME }}",
    "      - name: Secrets",
    "        run: |",
    `          kubectl create secret generic ${options.group ?? "api-secrets"} --from-literal=db-url=\${{ secrets.DATABASE_URL }} -n ${options.namespace ?? "api"} --dry-run=client -o yaml | kubectl apply -f -`,
    "      - name: Deploy",
    "        run: |",
    indent(deploy, 10),
    "      - name: Ingress",
    "        run: kubectl apply -f infra/k8s/ingress.yaml",
    "",
  ].join("\n");
}

/** A repository holding the pair; returns its folder. */
export function repoWith(production: string, staging: string = production.replace("[BRANCH]", "[staging]")): string {
  const dir = mkdtempSync(join(tmpdir(), "gen-import-hostile-"));
  mkdirSync(join(dir, ".github", "workflows"), { recursive: true });
  writeFileSync(join(dir, ".github/workflows/deploy-aks.yml"), production.replace("[BRANCH]", "[main]"));
  writeFileSync(join(dir, ".github/workflows/deploy-staging.yml"), staging);
  return dir;
}

