import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../..");

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}_\- ]/gu, "").replace(/ /g, "-");
}

function anchorsIn(markdown: string): string[] {
  const anchors: string[] = [];
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) fenced = !fenced;
    const heading = /^#{1,6} (.*)$/.exec(line);
    if (heading && !fenced) anchors.push(anchorOf(heading[1]));
  }
  return anchors;
}

/** Relative links of a document, as [file the link points to, anchor or ""]. */
function relativeLinks(file: string, markdown: string): { target: string; anchor: string; text: string }[] {
  const links = [];
  for (const m of markdown.matchAll(/\[[^\]]*\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/.test(m[1])) continue;
    const [target, anchor = ""] = m[1].split("#");
    links.push({ target: target ? path.join(path.dirname(file), target) : file, anchor, text: m[0] });
  }
  return links;
}

describe("documentation links", () => {
  const documents = ["README.md", "local-aws/README.md", "test/sim/README.md", ...fs.readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

  it("computes GitHub's anchors", () => {
    assert.equal(anchorOf("Exactly once: how each engine's rotation is handled"), "exactly-once-how-each-engines-rotation-is-handled");
    assert.equal(anchorOf("Resources AWS forces to `*`"), "resources-aws-forces-to-");
    assert.deepEqual(anchorsIn("# A\n```sh\n# not a heading\n```\n## B c"), ["a", "b-c"]);
  });

  for (const file of ["README.md", "docs", "local-aws/README.md", "test/sim/README.md"]) {
    it(`every relative link and anchor in ${file} resolves`, () => {
      const broken: string[] = [];
      for (const doc of documents.filter((d) => d === file || d.startsWith(`${file}/`))) {
        for (const link of relativeLinks(doc, fs.readFileSync(path.join(ROOT, doc), "utf8"))) {
          const target = path.join(ROOT, link.target);
          if (!fs.existsSync(target)) broken.push(`${doc}: ${link.text} (no such file)`);
          else if (link.anchor && !anchorsIn(fs.readFileSync(target, "utf8")).includes(link.anchor)) broken.push(`${doc}: ${link.text} (no such heading)`);
        }
      }
      assert.deepEqual(broken, []);
    });
  }
});
