/**
 * Every action and tool package the generated workflows use, pinned. Actions are pinned to a
 * full commit SHA (a tag can be moved; a SHA cannot), with the version in a trailing comment so
 * Dependabot and Renovate can bump them. `project.actionPins` in the registry overrides entries.
 */
export interface Pin {
  sha: string;
  version: string;
}

export const ACTION_PINS = {
  "actions/checkout": { sha: "11bd71901bbe5b1630ceea73d27597364c9af683", version: "v4.2.2" },
  "azure/login": { sha: "a457da9ea143d694b1b9c7c869ebb04ebe844ef5", version: "v2.3.0" },
} as const satisfies Record<string, Pin>;

export type PinnedAction = keyof typeof ACTION_PINS;

/** The Sentry CLI comes from npm at a fixed version, never from a `curl | bash` installer. */
export const SENTRY_CLI_PACKAGE = "@sentry/cli@2.58.2";

export type PinTable = Readonly<Record<string, Pin>>;

export function pinTable(overrides: Record<string, Pin> | undefined): PinTable {
  return { ...ACTION_PINS, ...overrides };
}
