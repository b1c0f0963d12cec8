/** The shell reader: real bash semantics for the constructs hand-written deploy scripts use. */
import { describe, expect, it } from "vitest";
import { execute, logicalLines } from "../../generator/import/shell-script.ts";

const run = (script: string, seed: Record<string, string> = {}) => execute(script, 10, seed);
const words = (script: string, seed: Record<string, string> = {}) => run(script, seed).commands.map((c) => c.words.join(" "));

describe("shell-script", () => {
  it("GIVEN backslash continuations WHEN split THEN one logical line starts at its first file line", () => {
    expect(logicalLines("a \\\n  b \\\n  c\n# note\nd", 5)).toEqual([
      { text: "a b c", line: 5 },
      { text: "d", line: 9 },
    ]);
  });

  it("GIVEN quotes, variables and ${{ }} WHEN executed THEN quotes go, known variables expand, expressions stay whole", () => {
    expect(run(`kubectl apply -f "infra/k8s/$svc/" --namespace=\${{env.NS}} 'a b' "x\\"y"`, { svc: "ats" }).commands[0]!.words).toEqual([
      "kubectl",
      "apply",
      "-f",
      "infra/k8s/ats/",
      "--namespace=${{ env.NS }}",
      "a b",
      'x"y',
    ]);
  });

  it("GIVEN parameter defaults WHEN executed THEN ${X:-d}, ${X-d}, ${X:=d} follow bash (unset, empty, set)", () => {
    expect(words('echo "${REPLICAS:-2}" ${EMPTY:-e} ${EMPTY-keep} ${SET:-no}', { EMPTY: "", SET: "yes" })).toEqual(["echo 2 e yes"]);
    expect(words("echo ${A:=first}\necho $A")).toEqual(["echo first", "echo first"]);
    expect(words("kubectl apply -f infra/k8s/${SVC:-redis}/")).toEqual(["kubectl apply -f infra/k8s/redis/"]);
    expect(run("export IMAGE_TAG=${GITHUB_SHA:-latest}").exports).toEqual([{ name: "IMAGE_TAG", value: "${{ github.sha }}", line: 10 }]);
  });

  it("GIVEN $(…) and backticks WHEN executed THEN each is one opaque word, never split into commands", () => {
    const events = run('DEPLOYS=$(kubectl get deployments -n ns -o jsonpath="{.items[*].metadata.name}")\necho "$(date) `whoami`"');
    expect(events.commands.map((c) => c.words)).toEqual([["echo", "$(date) $(whoami)"]]);
    expect(events.substitutions).toEqual([{ name: "DEPLOYS", command: 'kubectl get deployments -n ns -o jsonpath="{.items[*].metadata.name}"', line: 10 }]);
  });

  it("GIVEN a for loop over a variable with a per-item condition WHEN executed THEN the loop expands and only the matching item runs the branch", () => {
    const events = run(['SERVICES="ats billing"', "for svc in $SERVICES; do", '  kubectl apply -f "infra/k8s/$svc/"', '  if [ "$svc" = billing ]; then kubectl apply -f infra/k8s/$svc/cronjobs/; fi', "done"].join("\n"));
    expect(events.commands.map((c) => c.words.slice(3).join(" "))).toEqual(["infra/k8s/ats/", "infra/k8s/billing/", "infra/k8s/billing/cronjobs/"]);
    expect(events.commands.map((c) => c.line)).toEqual([12, 12, 13]);
  });

  it("GIVEN an if/elif/else chain WHEN executed per value THEN exactly one branch runs", () => {
    const script = ['if [ "$n" = "a" ]; then', "  echo A", 'elif [ "$n" == "b" ]; then', "  echo B", "else", "  echo other", "fi"].join("\n");
    expect(words(script, { n: "b" })).toEqual(["echo B"]);
    expect(words(script, { n: "z" })).toEqual(["echo other"]);
  });

  it("GIVEN a function WHEN it is called THEN its body runs with the arguments, marked with the function; an uncalled one is 'not run'", () => {
    const events = run(["check_key() {", '  kubectl get secret "$1" -o jsonpath="{.data.$2}"', "}", "unused() { echo never; }", "check_key api-secrets db-url", "check_key stripe-secrets key"].join("\n"));
    expect(events.commands.map((c) => c.words.slice(0, 4).join(" "))).toEqual(["kubectl get secret api-secrets", "kubectl get secret stripe-secrets"]);
    expect(events.commands[0]!.inFunction).toEqual({ name: "check_key", line: 10 });
    expect(events.notRun).toEqual([{ line: 13, endLine: 13, reason: "function unused is never called" }]);
  });

  it("GIVEN case, heredoc, subshell and while read WHEN executed THEN each follows bash and is marked", () => {
    const events = run(
      [
        'case "$ENV" in',
        "  prod|production) echo P ;;",
        "  *) echo other ;;",
        "esac",
        "cat <<EOF | kubectl apply -f -",
        "kind: Namespace",
        "EOF",
        "(cd infra && X=1)",
        'echo "${X:-unset}"',
        "kubectl get deploy -o name | while read d; do",
        '  kubectl annotate "$d" a-',
        "done",
      ].join("\n"),
      { ENV: "production" },
    );
    expect(events.commands.map((c) => c.words.join(" "))).toEqual(["echo P", "cat", "cd infra", "echo unset", "kubectl get deploy -o name", "read d", "kubectl annotate ${d} a-"]);
    expect(events.commands[1]).toMatchObject({ heredoc: true, pipedTo: [["kubectl", "apply", "-f", "-"]], line: 14, endLine: 16 });
    expect(events.commands[5]).toMatchObject({ inCondition: true, guard: { text: "while read d", line: 19 } });
    expect(events.commands[6]!.guard).toEqual({ text: "while read d", line: 19 });
  });

  it("GIVEN || true and || (echo …; exit 1) WHEN executed THEN only the first swallows the failure", () => {
    const events = run(["kubectl apply -f x/ || true", 'kubectl apply -f y/ || (echo "failed"; exit 1)', "kubectl apply -f z/ || exit 1"].join("\n"));
    expect(events.commands.filter((c) => c.words[0] === "kubectl").map((c) => [c.words[3], c.swallowed])).toEqual([
      ["x/", true],
      ["y/", false],
      ["z/", false],
    ]);
    expect(events.commands.find((c) => c.words[0] === "echo")!.onFailureOf).toBe(11);
  });

  it("GIVEN a pipe, exports and a substitution WHEN executed THEN the piped command, the exports and the substitution are recorded", () => {
    const events = run(["export TAG=${{ github.sha }}", "kubectl create ns a --dry-run=client -o yaml | kubectl apply -f -", "VERSION=$(cat VERSION)"].join("\n"));
    expect(events.exports).toEqual([{ name: "TAG", value: "${{ github.sha }}", line: 10 }]);
    expect(events.commands[0]!.pipedTo).toEqual([["kubectl", "apply", "-f", "-"]]);
    expect(events.substitutions).toEqual([{ name: "VERSION", command: "cat VERSION", line: 12 }]);
  });

  it("GIVEN a condition it cannot decide WHEN executed THEN it is reported, not guessed, and its body is accounted as not run", () => {
    const events = run(['if [ "$(date +%u)" -gt 5 ]; then', "  kubectl apply -f weekend/", "fi"].join("\n"));
    expect(events.commands).toEqual([]);
    expect(events.unknown).toMatchObject([{ text: '[ "$(date +%u)" -gt 5 ]', line: 10, message: "condition the importer cannot decide" }]);
    expect([...events.accounted].sort()).toEqual([10, 11, 12]);
  });

  it("GIVEN a command as condition (install if absent) WHEN executed THEN the condition and the body run, marked with the guard", () => {
    const events = run(["if ! kubectl get namespace ingress-nginx >/dev/null 2>&1; then", "  kubectl apply -f ingress-nginx.yaml", "fi"].join("\n"));
    expect(events.commands.map((c) => [c.words.slice(0, 3).join(" "), c.inCondition ?? false, c.guard?.line])).toEqual([
      ["kubectl get namespace", true, 10],
      ["kubectl apply -f", false, 10],
    ]);
  });

  it.each([
    ["an unterminated quote", 'echo "abc\nkubectl apply -f x/', 10],
    ["a for without done", "for s in a b; do\n  echo $s\n", 10],
    ["an if without fi", "if [ a = a ]; then\n  echo x\n", 10],
    ["an unterminated heredoc", "cat <<EOF\nabc\n", 10],
    ["an unterminated $(", "X=$(echo a\n", 10],
  ])("GIVEN %s WHEN executed THEN it is a syntax error at its line and nothing is read", (_name, script, line) => {
    const events = run(script);
    expect(events.commands).toEqual([]);
    expect(events.unknown).toHaveLength(1);
    expect(events.unknown[0]).toMatchObject({ line });
    expect(events.unknown[0]!.message).toMatch(/^shell syntax error/);
  });
});
