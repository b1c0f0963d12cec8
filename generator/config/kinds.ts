import type { DeployKind } from "./registry.ts";

/** Kinds deploy in this order; a service may depend only on its own or an earlier kind. */
export const KIND_ORDER: readonly DeployKind[] = ["infrastructure", "backend", "gateway", "frontend"];
