/**
 * Entry of `.github/deploy/deploy.mjs`, the bundle of this folder that the generated workflows
 * run with plain `node` (no install step): `node .github/deploy/deploy.mjs <command> <data file>`.
 */
import { readFileSync } from "node:fs";
import { changesCommand } from "./changes.ts";
import { parseDeployData } from "./data.ts";
import { ingressCommand } from "./ingress.ts";
import { deploy, pushRequest } from "./deploy.ts";
import { run } from "./process.ts";
import { redeployCommand } from "./release.ts";
import { type RunnerContext, runnerContext } from "./runner-env.ts";
import { secretsCommand, verifySecretsCommand } from "./secrets.ts";
import { installSentryCliCommand, sentryDeploysCommand } from "./sentry.ts";

const COMMANDS: Record<string, (ctx: RunnerContext) => Promise<number>> = {
  changes: changesCommand,
  secrets: secretsCommand,
  "verify-secrets": verifySecretsCommand,
  deploy: (ctx) => deploy(ctx, pushRequest(ctx)),
  redeploy: redeployCommand,
  "sentry-deploys": sentryDeploysCommand,
  "install-sentry-cli": installSentryCliCommand,
  ingress: ingressCommand,
};

async function main(argv: string[]): Promise<number> {
  const [command = "", dataFile = ""] = argv;
  const handler = COMMANDS[command];
  if (!handler || !dataFile) {
    process.stderr.write(`usage: deploy.mjs <${Object.keys(COMMANDS).join("|")}> <data file>\n`);
    return 2;
  }
  return handler(runnerContext(parseDeployData(readFileSync(dataFile, "utf8")), run));
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stdout.write(`::error::${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
