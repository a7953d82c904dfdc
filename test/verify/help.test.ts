import { strict as assert } from "assert";
import { commandHelp, programHelp } from "../../archiver/cli/args";
import { COMMANDS } from "../../archiver/cli/main";

describe("verify and logs in the CLI's help", () => {
  it("are listed, and every help line of every command fits 110 columns", () => {
    assert.match(programHelp(COMMANDS), /^ {2}verify {2,}prove the archive/m);
    assert.match(programHelp(COMMANDS), /^ {2}logs {2,}print an instance's archived log lines/m);
    for (const c of COMMANDS) {
      for (const line of commandHelp(c).split("\n")) assert.ok(line.length <= 110, `${c.name}: ${line.length} columns: ${line}`);
    }
  });
});
