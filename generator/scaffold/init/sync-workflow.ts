/**
 * The required status check for a team's repository: `.github/workflows/workflows-sync.yml` runs
 * the check on every pull request and push to the deploy branches, installing with the
 * repository's own package manager. Same shape as this repository's own workflows-sync.yml
 * (least privilege, pinned actions, no credentials persisted); written once by `init` and then
 * the team's file (it carries no generated banner, so gen never touches it).
 */
import type { PackageManager } from "../../check/user-command.ts";
import { ACTION_PINS } from "../../render/pins.ts";

/** actions/setup-node, pinned like every action we write (the version Dependabot reads is in the comment). */
const SETUP_NODE = { sha: "49933ea5288caeca8642d1e84afbd3f7d6820020", version: "v4.4.0" };
/** The current Node LTS. */
const NODE_VERSION = "24";

const INSTALL: Record<PackageManager, string[]> = {
  pnpm: ["corepack enable pnpm", "pnpm install --frozen-lockfile"],
  yarn: ["corepack enable yarn", "yarn install --frozen-lockfile"],
  npm: ["npm ci"],
  bun: ["npm install --global bun", "bun install --frozen-lockfile"],
};

/** `check` is the command that runs the check, as the repository spells it (`pnpm gen:workflows --check`). */
export function syncWorkflowText(packageManager: PackageManager, check: string, branches: readonly string[]): string {
  const checkout = ACTION_PINS["actions/checkout"];
  const steps = INSTALL[packageManager];
  const [setup, install] = steps.length === 2 ? steps : [undefined, steps[0]];
  return [
    "# Required status check: fails a pull request (or push) whose deploy workflows are not exactly",
    "# what the service registry generates. Written by `gen-workflows init`; yours to edit.",
    "# Branch protection: Settings -> Branches -> your deploy branches -> \"Require status checks to",
    "# pass\" -> add \"workflows-sync / check\" (the job name below; keep it stable).",
    "name: workflows-sync",
    "",
    "on:",
    "  pull_request:",
    "  push:",
    "    branches:",
    ...[...branches].map((b) => `      - ${JSON.stringify(b)}`),
    "",
    "permissions:",
    "  contents: read",
    "",
    "concurrency:",
    "  group: workflows-sync-${{ github.ref }}",
    "  cancel-in-progress: true",
    "",
    "jobs:",
    "  check:",
    "    name: check",
    "    runs-on: ubuntu-latest",
    "    timeout-minutes: 10",
    "    steps:",
    "      - name: Check out",
    `        uses: actions/checkout@${checkout.sha} # ${checkout.version}`,
    "        with:",
    "          persist-credentials: false",
    "      - name: Set up Node.js",
    `        uses: actions/setup-node@${SETUP_NODE.sha} # ${SETUP_NODE.version}`,
    "        with:",
    `          node-version: "${NODE_VERSION}"`,
    ...(setup ? ["      - name: Set up the package manager", `        run: ${setup}`] : []),
    "      - name: Install locked dependencies",
    `        run: ${install}`,
    "      - name: Check deploy workflows match the registry",
    `        run: ${check}`,
    "",
  ].join("\n");
}
