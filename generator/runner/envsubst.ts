/**
 * GNU envsubst with a SHELL-FORMAT: only the named variables are replaced, in both `$NAME` and
 * `${NAME}` forms; every other `$` survives. In TypeScript so each service's files can be rendered
 * with its own image tag without a process per file.
 */
export function envsubst(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare!;
    return Object.hasOwn(values, name) ? values[name]! : whole;
  });
}
