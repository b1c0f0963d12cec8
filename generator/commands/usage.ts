/** The usage text, and the one way every command reports a usage error (exit 2). */
import { EXIT, type CliIo } from "../cli-types.ts";

export const USAGE = `Usage:
  pnpm gen:workflows [--check [--staged]] [--force] [--adopt-pins] [--config <file>] [--root <dir>] [--format text|json]
  pnpm gen:workflows audit [--config <file>] [--root <dir>] [--format text|json]
  pnpm gen:workflows import --production <file> --staging <file> [--out services.config.ts] [--root <dir>] [--force]
  pnpm gen:workflows add-service <name> --kind backend|gateway|frontend|infrastructure [--secrets a,b] [--sentry]
                     [--cronjob name=schedule]... [--config <file>] [--root <dir>]
  pnpm gen:workflows init [--root <dir>] [--config services.config.ts] [--production <file> --staging <file>]
  pnpm gen:workflows plan [--env <name>] [--format text|json|mermaid] [--config <file>] [--root <dir>]

Generates the deploy workflows from the service registry (default services.config.ts).
  --check        write nothing; exit 1 when a committed workflow differs from what the registry generates
  --staged       with --check: check what the commit holds (the git index), as the pre-commit hook does
  --force        gen: replace workflow files this tool did not generate; import: replace --out
  --adopt-pins   take action refs bumped by Dependabot/Renovate into the registry's pin table
  --config       registry file (default services.config.ts)
  --root         repository root holding .github/workflows (default: the registry's folder)
  --format       text (default), json; plan also mermaid

Exit codes: 0 ok, 1 drift or finding, 2 usage or configuration error, 3 internal error.
`;

export function usageError(io: CliIo, message: string): number {
  io.stderr(`gen:workflows: ${message}\n\n${USAGE}`);
  return EXIT.usage;
}
