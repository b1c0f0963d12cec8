/**
 * Azure steps: login (OIDC by default, a service principal's JSON credentials as the option), the
 * container registry login, and the cluster credentials.
 */
import type { DeployPlan } from "../plan/plan.ts";
import { KUBELOGIN_VERSION, type PinTable } from "./pins.ts";
import type { AzureLogin } from "../config/registry.ts";
import { script } from "./shell.ts";
import { type Step, checkoutStep, secretExpr, usesPinned } from "./workflow.ts";

export function azureLoginStep(login: AzureLogin, pins: PinTable): Step {
  const uses = usesPinned(pins, "azure/login");
  if (login.method === "oidc")
    return {
      name: "Log in to Azure (OIDC)",
      uses,
      with: {
        "client-id": secretExpr(login.clientIdSecret),
        "tenant-id": secretExpr(login.tenantIdSecret),
        "subscription-id": secretExpr(login.subscriptionIdSecret),
      },
    };
  return { name: "Log in to Azure", uses, with: { creds: secretExpr(login.credentialsSecret) } };
}

/** Job permissions: OIDC needs to mint an ID token; nothing needs more than reading the repository. */
export function jobPermissions(login: AzureLogin): Record<string, "read" | "write"> {
  return login.method === "oidc" ? { contents: "read", "id-token": "write" } : { contents: "read" };
}

/** The first steps of every job that pushes to the container registry: checkout, Azure, ACR. */
export function registryLoginSteps(plan: DeployPlan, pins: PinTable): Step[] {
  return [
    checkoutStep(pins),
    azureLoginStep(plan.azureLogin, pins),
    {
      name: "Log in to the container registry",
      env: { ACR_NAME: secretExpr(plan.containerRegistry.nameSecret) },
      run: script(['az acr login --name "$ACR_NAME"']),
    },
  ];
}

/**
 * Kubeconfig for the cluster, from the Azure login: `azure/aks-set-context` (user credentials,
 * never `admin`). A cluster that authenticates with Entra ID gets kubelogin first and a
 * kubeconfig converted to use the Azure CLI login, so kubectl needs no interactive device code.
 */
export function clusterCredentialsSteps(plan: DeployPlan, pins: PinTable): Step[] {
  const entraId = plan.cluster.entraId === true;
  return [
    ...(entraId ? [{ name: "Install kubelogin", uses: usesPinned(pins, "azure/use-kubelogin"), with: { "kubelogin-version": KUBELOGIN_VERSION } }] : []),
    {
      name: "Set the AKS cluster context",
      uses: usesPinned(pins, "azure/aks-set-context"),
      with: {
        "resource-group": secretExpr(plan.cluster.resourceGroupSecret),
        "cluster-name": secretExpr(plan.cluster.nameSecret),
        admin: false,
        ...(entraId ? { "use-kubelogin": true } : {}),
      },
    },
  ];
}
