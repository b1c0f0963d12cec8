/**
 * Identifies the tool's code: set by the build (generator/build/dist.mjs for the package, the
 * launcher for this repository's bundle) to a hash of everything the bundle is made from.
 * Undefined when running from source without a bundle (the tests), which turns the warm check off.
 */
declare const __GEN_WORKFLOWS_BUILD_ID__: string | undefined;

export const BUILD_ID: string | undefined = typeof __GEN_WORKFLOWS_BUILD_ID__ === "string" ? __GEN_WORKFLOWS_BUILD_ID__ : undefined;
