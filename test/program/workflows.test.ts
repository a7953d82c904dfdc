// The GitHub workflows, read as data: which code runs with which credentials, from which branch, in which
// environment. The environment names must be the ones the CI roles trust (infra/ci-roles.ts).
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { ciEnvironment } from "../../infra/ci-roles";
import { REPO } from "./harness";

const yaml: { load(text: string): unknown } = require("js-yaml");

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  if?: string;
  environment?: string;
  permissions?: Record<string, string>;
  strategy?: { matrix: { stack: string[] } };
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
}

const workflow = (name: string) => yaml.load(fs.readFileSync(path.join(REPO, ".github/workflows", name), "utf8")) as Workflow;
const STACKS = fs.readdirSync(REPO).flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? []).sort();
const CREDENTIALS = "aws-actions/configure-aws-credentials@v4";

/** Checks shared by every job: installs run no package scripts, and credentials come after the install. */
function checkJob(name: string, job: Job): void {
  const installs = job.steps.filter((s) => s.run?.startsWith("npm ci") || s.run?.startsWith("npm install"));
  for (const s of installs) assert.match(s.run!, /--ignore-scripts/, `${name}: "${s.run}" runs install scripts`);
  const credentials = job.steps.findIndex((s) => s.uses === CREDENTIALS);
  const hasToken = job.permissions?.["id-token"] === "write";
  assert.equal(credentials >= 0, hasToken, `${name}: an OIDC token without credentials, or the reverse`);
  if (credentials >= 0) {
    for (const s of installs) assert.ok(job.steps.indexOf(s) < credentials, `${name}: "${s.run}" runs with AWS credentials`);
    assert.ok(job.steps.slice(0, credentials).every((s) => !s.run?.startsWith("npm test")), `${name}: tests run with AWS credentials`);
  }
}

describe("GitHub workflows", () => {
  it("there are two stacks, stage and live", () => assert.deepEqual(STACKS, ["live", "stage"]));

  describe("pull-request.yml", () => {
    const w = workflow("pull-request.yml");

    it("runs on pull requests to main; the workflow grants only read access by default", () => {
      assert.deepEqual(Object.keys(w.on), ["pull_request"]);
      assert.deepEqual(w.permissions, { contents: "read" });
    });

    it("tests without AWS credentials or install scripts", () => {
      assert.equal(w.jobs.test.permissions, undefined);
      checkJob("test", w.jobs.test);
      assert.ok(!w.jobs.test.steps.some((s) => s.uses === CREDENTIALS));
    });

    it("previews every stack in its own preview environment, with that environment's preview role", () => {
      const job = w.jobs.preview;
      checkJob("preview", job);
      assert.deepEqual([...job.strategy!.matrix.stack].sort(), STACKS);
      assert.equal(job.environment, "${{ matrix.stack }}-preview");
      for (const stack of STACKS) assert.equal(job.environment!.replace("${{ matrix.stack }}", stack), ciEnvironment(stack, "preview"));
      const credentials = job.steps.find((s) => s.uses === CREDENTIALS)!;
      assert.equal(credentials.with!["role-to-assume"], "${{ vars.AWS_PREVIEW_ROLE_ARN }}");
      const pulumi = job.steps.find((s) => s.uses?.startsWith("pulumi/actions@"))!;
      assert.equal(pulumi.with!.command, "preview");
      assert.ok(!JSON.stringify(w).includes("AWS_DEPLOY_ROLE_ARN"), "a pull request must never see a deploy role");
    });
  });

  describe("deploy.yml", () => {
    const w = workflow("deploy.yml");

    it("runs on pushes to main, or by hand", () => {
      assert.deepEqual(w.on, { push: { branches: ["main"] }, workflow_dispatch: null });
      assert.deepEqual(w.permissions, { contents: "read" });
    });

    it("every job runs only from main, so a dispatch from another branch deploys nothing", () => {
      for (const [name, job] of Object.entries(w.jobs)) assert.equal(job.if, "github.ref == 'refs/heads/main'", name);
    });

    it("deploys each stack from its own environment with that environment's deploy role, stage before live", () => {
      const deploys = Object.entries(w.jobs).filter(([, job]) => job.steps.some((s) => s.uses?.startsWith("pulumi/actions@")));
      assert.deepEqual(deploys.map(([name]) => name).sort(), STACKS);
      for (const [name, job] of deploys) {
        checkJob(name, job);
        assert.equal(job.environment, ciEnvironment(name, "deploy"));
        assert.equal(job.steps.find((s) => s.uses === CREDENTIALS)!.with!["role-to-assume"], "${{ vars.AWS_DEPLOY_ROLE_ARN }}");
        const pulumi = job.steps.find((s) => s.uses?.startsWith("pulumi/actions@"))!;
        assert.match(String(pulumi.with!["stack-name"]), new RegExp(`'${name}'`));
      }
      assert.equal((w.jobs.live as Job & { needs?: string }).needs, "stage");
    });
  });
});
