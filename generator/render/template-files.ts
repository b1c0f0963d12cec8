/** The template files, relative to the templates folder, and where their steps go. Kept apart from templates.ts so path resolution loads no YAML parser. */
export const TEMPLATE_FILES = {
  clusterPrerequisites: "deploy/cluster-prerequisites.yml",
  postDeploy: "deploy/post-deploy.yml",
} as const;

export type TemplateName = keyof typeof TEMPLATE_FILES;
