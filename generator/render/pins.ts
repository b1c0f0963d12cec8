/**
 * Every action and tool package the generated workflows use, pinned. Actions are pinned to a
 * full commit SHA (a tag can be moved; a SHA cannot), with the version in a trailing comment so
 * Dependabot and Renovate can bump them. `project.actionPins` in the registry overrides entries.
 *
 * Each SHA is the commit of the release tag, read from the action's own repository with
 * `git for-each-ref refs/tags --format='%(refname:short) %(objectname) %(*objectname)'` (for an
 * annotated tag the commit is `%(*objectname)`), never typed from memory. Every one is the newest
 * release of the action's current major, and every one of those majors runs on Node 24 (Node 20
 * left the GitHub runners in September 2026).
 */
export interface Pin {
  sha: string;
  version: string;
}

export const ACTION_PINS = {
  // github.com/actions/checkout, tag v7.0.1 (lightweight; v7 points at the same commit).
  "actions/checkout": { sha: "3d3c42e5aac5ba805825da76410c181273ba90b1", version: "v7.0.1" },
  // github.com/Azure/login, tag v3.0.1 (annotated tag 858f4093…, commit below; v3 points at it too).
  "azure/login": { sha: "f5d393ae46f8fde4be8b75f32e3fc50e654ad0ca", version: "v3.0.1" },
  // github.com/Azure/aks-set-context, tag v5.0.0 (lightweight; annotated v5 5bdb7052… points at it).
  "azure/aks-set-context": { sha: "60623acbdcbbdcf799ad50a1adf8703874339f8b", version: "v5.0.0" },
  // github.com/Azure/use-kubelogin, tag v1.3 (lightweight; the v1 tag still points at v1.2).
  "azure/use-kubelogin": { sha: "0ce7c36141aa27d4934872cf00b0120804c98a29", version: "v1.3" },
  // github.com/docker/setup-buildx-action, tag v4.3.0 (lightweight; v4 points at the same commit).
  "docker/setup-buildx-action": { sha: "37fe631027851001ddb9b187196cc803df7f5f0e", version: "v4.3.0" },
  // github.com/docker/build-push-action, tag v7.3.0 (lightweight; v7 points at the same commit).
  "docker/build-push-action": { sha: "53b7df96c91f9c12dcc8a07bcb9ccacbed38856a", version: "v7.3.0" },
} as const satisfies Record<string, Pin>;

export type PinnedAction = keyof typeof ACTION_PINS;

/**
 * The Sentry CLI comes from npm at a fixed version (`npm view @sentry/cli version`: 3.8.0, whose
 * `releases new|set-commits|finalize|deploys` are unchanged from 2.x), never from a `curl | bash`
 * installer. Its binary is the exact-version optional dependency `@sentry/cli-linux-x64`, so the
 * install runs with `--ignore-scripts` and no postinstall download happens.
 */
export const SENTRY_CLI_PACKAGE = "@sentry/cli@3.8.0";

/**
 * kubelogin release `azure/use-kubelogin` installs when the cluster uses Entra ID: tag v0.2.19 of
 * github.com/Azure/kubelogin, its newest release.
 */
export const KUBELOGIN_VERSION = "v0.2.19";

export type PinTable = Readonly<Record<string, Pin>>;

export function pinTable(overrides: Record<string, Pin> | undefined): PinTable {
  return { ...ACTION_PINS, ...overrides };
}
