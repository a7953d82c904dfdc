import * as assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as http from "node:http";
import * as v8 from "node:v8";
import * as vm from "node:vm";
import {
  DescribeDBClustersCommand,
  DescribeDBLogFilesCommand,
  DescribeDBLogFilesCommandOutput,
  RDSClient,
  RDSClientConfig,
} from "@aws-sdk/client-rds";
import { SignatureV4 } from "@smithy/signature-v4";
import { FakeCredentials, FakeRds, FakeRdsOptions, LEGACY_DOWNLOAD_RETIRED_AT, MAX_CHUNK, readContent, repeatedContent } from "../../local-aws/fake-rds";
import { downloadPath, NodeSha256, readResponse, signedGet, signedRequest, SignedRequestOptions } from "../../local-aws/sigv4";

/** The global gc() without --expose-gc on the command line (the same trick Jest uses). */
function exposeGc(): () => void {
  v8.setFlagsFromString("--expose-gc");
  return vm.runInNewContext("gc") as () => void;
}

const CREDS: FakeCredentials = { accessKeyId: "AKIDFAKERDS", secretAccessKey: "fake-secret" };
const MULTIBYTE = "2024-10-01 12:00:00 UTC LOG:  héllo wörld ✓ 日本語 🐘\n";

describe("FakeRds", () => {
  let rds: FakeRds;
  const clients: RDSClient[] = [];

  async function start(opts?: FakeRdsOptions): Promise<void> {
    rds = await FakeRds.start(opts);
    rds.addInstance("db-1");
  }

  function client(config: Partial<RDSClientConfig> = {}): RDSClient {
    const c = new RDSClient({ region: rds.region, endpoint: rds.endpoint, credentials: CREDS, maxAttempts: 1, ...config });
    clients.push(c);
    return c;
  }

  function get(path: string, opts: Partial<SignedRequestOptions> = {}) {
    return signedGet(rds.endpoint, path, { credentials: CREDS, region: rds.region, ...opts });
  }

  async function sdkError(promise: Promise<unknown>): Promise<Error & { $metadata: { httpStatusCode?: number } }> {
    try {
      await promise;
    } catch (error) {
      return error as Error & { $metadata: { httpStatusCode?: number } };
    }
    assert.fail("expected the SDK call to fail");
  }

  function xmlCode(body: Buffer): string | undefined {
    return /<Code>([^<]*)<\/Code>/.exec(body.toString("utf8"))?.[1];
  }

  beforeEach(() => start());
  afterEach(async () => {
    clients.splice(0).forEach((c) => c.destroy());
    await rds.stop();
  });

  describe("DescribeDBLogFiles", () => {
    async function listAll(c: RDSClient, input: { MaxRecords?: number } = {}) {
      const pages: DescribeDBLogFilesCommandOutput[] = [];
      let marker: string | undefined;
      do {
        const page = await c.send(new DescribeDBLogFilesCommand({ DBInstanceIdentifier: "db-1", Marker: marker, ...input }));
        pages.push(page);
        marker = page.Marker;
      } while (marker);
      return pages;
    }

    function put250(): string[] {
      const names = Array.from({ length: 250 }, (_, i) => `error/postgresql.log.2024-10-${String(i).padStart(3, "0")}`);
      // inserted out of order: the listing must sort
      for (const name of [...names].reverse()) rds.putFile("db-1", { name, lastWritten: 1, content: Buffer.from(name) });
      return names;
    }

    it("pages 250 files by Marker in name order, 100 per page by default, no Marker on the last page", async () => {
      const names = put250();
      const pages = await listAll(client());
      assert.deepEqual(
        pages.map((p) => p.DescribeDBLogFiles?.length),
        [100, 100, 50],
      );
      assert.deepEqual(
        pages.flatMap((p) => p.DescribeDBLogFiles ?? []).map((f) => f.LogFileName),
        names,
      );
      assert.equal(pages[2].Marker, undefined);
      assert.equal(rds.requests.filter((r) => r.action === "DescribeDBLogFiles").length, 3);
    });

    it("honours MaxRecords, and the pageSize option when MaxRecords is absent", async () => {
      const names = put250();
      const byMaxRecords = await listAll(client(), { MaxRecords: 30 });
      assert.equal(byMaxRecords.length, 9);
      assert.equal(byMaxRecords.flatMap((p) => p.DescribeDBLogFiles ?? []).length, names.length);
      await rds.stop();
      await start({ pageSize: 7 });
      rds.putFile("db-1", { name: "a", lastWritten: 1, content: Buffer.alloc(0) });
      const first = await client().send(new DescribeDBLogFilesCommand({ DBInstanceIdentifier: "db-1" }));
      assert.equal(first.DescribeDBLogFiles?.length, 1);
      for (let i = 0; i < 10; i++) rds.putFile("db-1", { name: `b${i}`, lastWritten: 1, content: Buffer.alloc(0) });
      const pages = await listAll(client());
      assert.deepEqual(
        pages.map((p) => p.DescribeDBLogFiles?.length),
        [7, 4],
      );
    });

    it("a Marker is a cursor: files added before it are not repeated, files after it are seen", async () => {
      for (const name of ["a", "c", "e"]) rds.putFile("db-1", { name, lastWritten: 1, content: Buffer.alloc(1) });
      const c = client();
      const first = await c.send(new DescribeDBLogFilesCommand({ DBInstanceIdentifier: "db-1", MaxRecords: 2 }));
      rds.putFile("db-1", { name: "b", lastWritten: 1, content: Buffer.alloc(1) });
      rds.putFile("db-1", { name: "d", lastWritten: 1, content: Buffer.alloc(1) });
      const second = await c.send(
        new DescribeDBLogFilesCommand({ DBInstanceIdentifier: "db-1", MaxRecords: 2, Marker: first.Marker }),
      );
      assert.deepEqual(
        second.DescribeDBLogFiles?.map((f) => f.LogFileName),
        ["d", "e"],
      );
      const bad = await sdkError(
        c.send(new DescribeDBLogFilesCommand({ DBInstanceIdentifier: "db-1", Marker: "not-a-marker" })),
      );
      assert.equal(bad.name, "InvalidParameterValue");
      assert.equal(bad.$metadata.httpStatusCode, 400);
    });

    it("filters by FilenameContains, FileLastWritten (at or after) and FileSize (strictly larger)", async () => {
      rds.putFile("db-1", { name: "error/postgresql.log.1", lastWritten: 1000, content: Buffer.alloc(5) });
      rds.putFile("db-1", { name: "error/postgresql.log.2", lastWritten: 2000, content: Buffer.alloc(10) });
      rds.putFile("db-1", { name: "slowquery/mysql-slowquery.log", lastWritten: 3000, content: Buffer.alloc(20) });
      const c = client();
      const names = async (input: object) =>
        (await c.send(new DescribeDBLogFilesCommand({ DBInstanceIdentifier: "db-1", ...input }))).DescribeDBLogFiles?.map(
          (f) => f.LogFileName,
        ) ?? [];
      assert.deepEqual(await names({ FilenameContains: "postgresql" }), ["error/postgresql.log.1", "error/postgresql.log.2"]);
      assert.deepEqual(await names({ FileLastWritten: 2000 }), ["error/postgresql.log.2", "slowquery/mysql-slowquery.log"]);
      assert.deepEqual(await names({ FileSize: 10 }), ["slowquery/mysql-slowquery.log"]);
      assert.deepEqual(await names({ FilenameContains: "error", FileLastWritten: 1500, FileSize: 4 }), [
        "error/postgresql.log.2",
      ]);
    });

    it("reports LastWritten, the content size or listedSize, and XML-escapes names", async () => {
      const odd = `audit/a&b<c>"d'é.log`;
      rds.putFile("db-1", { name: odd, lastWritten: 1727784000123, content: Buffer.from(MULTIBYTE) });
      rds.putFile("db-1", { name: "error/mysql-error.log", lastWritten: 5, content: Buffer.alloc(0), listedSize: 4096 });
      const out = await client().send(new DescribeDBLogFilesCommand({ DBInstanceIdentifier: "db-1" }));
      assert.deepEqual(out.DescribeDBLogFiles, [
        { LogFileName: odd, LastWritten: 1727784000123, Size: Buffer.byteLength(MULTIBYTE) },
        { LogFileName: "error/mysql-error.log", LastWritten: 5, Size: 4096 },
      ]);
    });

    it("an unknown instance is DBInstanceNotFound on the wire, DBInstanceNotFoundFault in the SDK, HTTP 404", async () => {
      const error = await sdkError(client().send(new DescribeDBLogFilesCommand({ DBInstanceIdentifier: "nope" })));
      assert.equal(error.name, "DBInstanceNotFoundFault");
      assert.equal((error as unknown as { Code: string }).Code, "DBInstanceNotFound");
      assert.equal(error.$metadata.httpStatusCode, 404);
      rds.addInstance("nope");
      const ok = await client().send(new DescribeDBLogFilesCommand({ DBInstanceIdentifier: "nope" }));
      assert.deepEqual(ok.DescribeDBLogFiles ?? [], []);
      rds.removeInstance("nope");
      assert.equal((await sdkError(client().send(new DescribeDBLogFilesCommand({ DBInstanceIdentifier: "nope" })))).name, "DBInstanceNotFoundFault");
    });
  });

  describe("DescribeDBClusters", () => {
    it("returns the members, the first one as the writer", async () => {
      rds.setCluster("aurora-1", ["aurora-1-a", "aurora-1-b"]);
      const out = await client().send(new DescribeDBClustersCommand({ DBClusterIdentifier: "aurora-1" }));
      assert.equal(out.DBClusters?.length, 1);
      assert.equal(out.DBClusters?.[0].DBClusterIdentifier, "aurora-1");
      assert.deepEqual(out.DBClusters?.[0].DBClusterMembers, [
        { DBInstanceIdentifier: "aurora-1-a", IsClusterWriter: true },
        { DBInstanceIdentifier: "aurora-1-b", IsClusterWriter: false },
      ]);
      assert.deepEqual(rds.requests.map((r) => [r.action, r.cluster, r.status]), [["DescribeDBClusters", "aurora-1", 200]]);
    });

    it("an unknown or removed cluster is DBClusterNotFoundFault, HTTP 404", async () => {
      rds.setCluster("aurora-1", ["x"]);
      rds.removeCluster("aurora-1");
      const error = await sdkError(client().send(new DescribeDBClustersCommand({ DBClusterIdentifier: "aurora-1" })));
      assert.equal(error.name, "DBClusterNotFoundFault");
      assert.equal(error.$metadata.httpStatusCode, 404);
    });
  });

  describe("SigV4 on the Query API", () => {
    it("rejects a wrong secret (SignatureDoesNotMatch) and an unknown key (InvalidClientTokenId) with 403", async () => {
      const wrong = await sdkError(
        client({ credentials: { ...CREDS, secretAccessKey: "wrong" } }).send(
          new DescribeDBLogFilesCommand({ DBInstanceIdentifier: "db-1" }),
        ),
      );
      assert.equal(wrong.name, "SignatureDoesNotMatch");
      assert.equal(wrong.$metadata.httpStatusCode, 403);
      const unknown = await sdkError(
        client({ credentials: { accessKeyId: "AKIDOTHER", secretAccessKey: "fake-secret" } }).send(
          new DescribeDBLogFilesCommand({ DBInstanceIdentifier: "db-1" }),
        ),
      );
      assert.equal(unknown.name, "InvalidClientTokenId");
      assert.equal(unknown.$metadata.httpStatusCode, 403);
    });

    it("accepts S3RVER/S3RVER by default (child processes share one credential set with s3rver)", async () => {
      const c = client({ credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } });
      const out = await c.send(new DescribeDBLogFilesCommand({ DBInstanceIdentifier: "db-1" }));
      assert.equal(out.$metadata.httpStatusCode, 200);
    });

    it("a region other than the server's fails the signature", async () => {
      const c = new RDSClient({ region: "eu-west-1", endpoint: rds.endpoint, credentials: CREDS, maxAttempts: 1 });
      clients.push(c);
      const error = await sdkError(c.send(new DescribeDBLogFilesCommand({ DBInstanceIdentifier: "db-1" })));
      assert.equal(error.name, "SignatureDoesNotMatch");
    });

    it("a session credential needs its token, sent and signed", async () => {
      const session: FakeCredentials = { accessKeyId: "ASIAFAKE", secretAccessKey: "session-secret", sessionToken: "tok/en+=" };
      rds.addCredentials(session);
      const ok = await client({ credentials: session }).send(new DescribeDBLogFilesCommand({ DBInstanceIdentifier: "db-1" }));
      assert.equal(ok.$metadata.httpStatusCode, 200);
      for (const sessionToken of [undefined, "other"]) {
        const error = await sdkError(
          client({ credentials: { ...session, sessionToken } }).send(
            new DescribeDBLogFilesCommand({ DBInstanceIdentifier: "db-1" }),
          ),
        );
        assert.equal(error.name, "InvalidClientTokenId");
        assert.equal(error.$metadata.httpStatusCode, 403);
      }
    });

    it("an unsigned request is MissingAuthenticationToken", async () => {
      const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
        const req = http.request(`${rds.endpoint}/`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" } }, resolve);
        req.on("error", reject);
        req.end("Action=DescribeDBLogFiles&Version=2014-10-31&DBInstanceIdentifier=db-1");
      });
      const { status, body } = await readResponse(res);
      assert.equal(status, 403);
      assert.equal(xmlCode(body), "MissingAuthenticationToken");
    });

    it("with maxSkewMs, a request dated too far from the server's clock is RequestExpired; the SDK corrects from Date", async () => {
      await rds.stop();
      await start({ maxSkewMs: 15 * 60_000, now: () => Date.now() + 60 * 60_000 });
      const error = await sdkError(client().send(new DescribeDBLogFilesCommand({ DBInstanceIdentifier: "db-1" })));
      assert.equal(error.name, "RequestExpired");
      assert.equal(error.$metadata.httpStatusCode, 403);
      const corrected = await client({ maxAttempts: 2 }).send(new DescribeDBLogFilesCommand({ DBInstanceIdentifier: "db-1" }));
      assert.equal(corrected.$metadata.attempts, 2);
      const skewed = await get(downloadPath("db-1", "x"));
      assert.equal(skewed.status, 403);
      assert.equal(xmlCode(skewed.body), "RequestExpired");
    });
  });

  describe("download (REST)", () => {
    const LOG = "error/postgresql.log.2024-10-01-12";

    beforeEach(() => rds.putFile("db-1", { name: LOG, lastWritten: 1, content: Buffer.from(MULTIBYTE.repeat(3)) }));

    it("streams the exact bytes, chunked without Content-Length, and records the request", async () => {
      const res = await get(`/v19/downloadCompleteLogFile/db-1/${LOG}`);
      assert.equal(res.status, 200);
      assert.equal(res.headers["transfer-encoding"], "chunked");
      assert.equal(res.headers["content-length"], undefined);
      assert.ok(res.body.equals(Buffer.from(MULTIBYTE.repeat(3))));
      assert.deepEqual(rds.requests, [
        { action: "download", apiVersion: "v19", instance: "db-1", file: LOG, status: 200, bytes: Buffer.byteLength(MULTIBYTE) * 3 },
      ]);
    });

    it("decodes percent-encoded segments, including an encoded '/'", async () => {
      const odd = "log/weird name+é(1).log";
      rds.putFile("db-1", { name: odd, lastWritten: 1, content: Buffer.from("odd\n") });
      const res = await get(downloadPath("db-1", odd));
      assert.equal(res.status, 200);
      assert.equal(res.body.toString(), "odd\n");
      const slash = await get(`/v19/downloadCompleteLogFile/db-1/${encodeURIComponent(LOG)}`);
      assert.equal(slash.status, 200);
      assert.equal(slash.body.toString(), MULTIBYTE.repeat(3));
    });

    it("serves /v13/ only while its clock is before 2027-03-01, as AWS announced; /v19/ at any date", async () => {
      const legacy = await get(downloadPath("db-1", LOG, "v13"));
      assert.equal(legacy.status, 200);
      assert.equal(legacy.body.toString(), MULTIBYTE.repeat(3));
      assert.equal(rds.requests[0].apiVersion, "v13");
      for (const now of [LEGACY_DOWNLOAD_RETIRED_AT, Date.UTC(2030, 0, 1)]) {
        await rds.stop();
        await start({ now: () => now });
        rds.putFile("db-1", { name: LOG, lastWritten: 1, content: Buffer.from("after\n") });
        const retired = await get(downloadPath("db-1", LOG, "v13"));
        assert.equal(retired.status, 404);
        assert.equal(xmlCode(retired.body), "UnknownOperationException");
        assert.equal((await get(downloadPath("db-1", LOG))).body.toString(), "after\n");
      }
      await rds.stop();
      await start({ now: () => LEGACY_DOWNLOAD_RETIRED_AT - 1 });
      rds.putFile("db-1", { name: LOG, lastWritten: 1, content: Buffer.from("before\n") });
      assert.equal((await get(downloadPath("db-1", LOG, "v13"))).body.toString(), "before\n");
    });

    it("serves what the file holds at download time, not at listing time", async () => {
      rds.beforeDownload = (instance, file) => {
        rds.putFile(instance, { name: file, lastWritten: 2, content: Buffer.from("grown\n") });
      };
      assert.equal((await get(downloadPath("db-1", LOG))).body.toString(), "grown\n");
      rds.beforeDownload = (instance, file) => rds.removeFile(instance, file);
      const gone = await get(downloadPath("db-1", LOG));
      assert.equal(gone.status, 404);
      assert.equal(xmlCode(gone.body), "DBLogFileNotFoundFault");
    });

    it("follows renames: the content moves, the old name is gone", async () => {
      rds.renameFile("db-1", LOG, `${LOG}.gz`);
      assert.deepEqual(rds.files("db-1").map((f) => [f.name, f.lastWritten]), [[`${LOG}.gz`, 1]]);
      assert.equal((await get(downloadPath("db-1", `${LOG}.gz`))).body.toString(), MULTIBYTE.repeat(3));
      assert.equal((await get(downloadPath("db-1", LOG))).status, 404);
    });

    it("404s: DBLogFileNotFoundFault for a missing file, DBInstanceNotFound for an unknown instance", async () => {
      const missing = await get(downloadPath("db-1", "error/nope"));
      assert.equal(missing.status, 404);
      assert.equal(xmlCode(missing.body), "DBLogFileNotFoundFault");
      const noInstance = await get(downloadPath("db-9", LOG));
      assert.equal(noInstance.status, 404);
      assert.equal(xmlCode(noInstance.body), "DBInstanceNotFound");
    });

    it("rejects a wrong secret, a signature over another path, and an unsigned request with 403", async () => {
      const wrong = await get(downloadPath("db-1", LOG), { credentials: { ...CREDS, secretAccessKey: "nope" } });
      assert.equal(wrong.status, 403);
      assert.equal(xmlCode(wrong.body), "SignatureDoesNotMatch");

      const signer = new SignatureV4({ service: "rds", region: rds.region, credentials: CREDS, sha256: NodeSha256 });
      const url = new URL(rds.endpoint);
      const signed = await signer.sign({
        method: "GET",
        protocol: "http:",
        hostname: url.hostname,
        port: Number(url.port),
        path: downloadPath("db-1", "error/other"),
        query: {},
        headers: { host: url.host },
      });
      const replayed = await new Promise<http.IncomingMessage>((resolve, reject) =>
        http.get(`${rds.endpoint}${downloadPath("db-1", LOG)}`, { headers: signed.headers }, resolve).on("error", reject),
      );
      const replayedBody = await readResponse(replayed);
      assert.equal(replayedBody.status, 403);
      assert.equal(xmlCode(replayedBody.body), "SignatureDoesNotMatch");

      const unsigned = await readResponse(
        await new Promise<http.IncomingMessage>((resolve, reject) =>
          http.get(`${rds.endpoint}${downloadPath("db-1", LOG)}`, resolve).on("error", reject),
        ),
      );
      assert.equal(unsigned.status, 403);
      assert.equal(xmlCode(unsigned.body), "MissingAuthenticationToken");
    });

    it("a session credential: 403 without the token header, 200 with it", async () => {
      const session: FakeCredentials = { accessKeyId: "ASIAFAKE", secretAccessKey: "s", sessionToken: "token-1" };
      await rds.stop();
      await start({ credentials: [session] });
      rds.putFile("db-1", { name: LOG, lastWritten: 1, content: Buffer.from("x\n") });
      const without = await get(downloadPath("db-1", LOG), {
        credentials: { accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey },
      });
      assert.equal(without.status, 403);
      assert.equal(xmlCode(without.body), "InvalidClientTokenId");
      const withToken = await get(downloadPath("db-1", LOG), { credentials: session });
      assert.equal(withToken.status, 200);
      assert.equal(withToken.body.toString(), "x\n");
      const defaults = await get(downloadPath("db-1", LOG));
      assert.equal(defaults.status, 403, "explicit credentials replace the defaults");
    });
  });

  describe("faults", () => {
    const LOG = "error/postgresql.log.2024-10-01-12";
    const CONTENT = Buffer.from(MULTIBYTE.repeat(1000));

    beforeEach(() => {
      rds.putFile("db-1", { name: LOG, lastWritten: 1, content: CONTENT });
      rds.putFile("db-1", { name: "other", lastWritten: 1, content: Buffer.from("other\n") });
    });

    it("http500 and throttle on the Query API surface as InternalFailure (500) and Throttling (400), once each", async () => {
      rds.injectFault({ on: "describe", kind: "http500" });
      rds.injectFault({ on: "describe", kind: "throttle" });
      const c = client();
      const send = () => c.send(new DescribeDBLogFilesCommand({ DBInstanceIdentifier: "db-1" }));
      const e500 = await sdkError(send());
      assert.equal(e500.name, "InternalFailure");
      assert.equal(e500.$metadata.httpStatusCode, 500);
      const throttled = await sdkError(send());
      assert.equal(throttled.name, "Throttling");
      assert.equal(throttled.$metadata.httpStatusCode, 400);
      assert.equal((await send()).DescribeDBLogFiles?.length, 2);
      assert.deepEqual(rds.requests.map((r) => [r.status, r.fault]), [[500, "http500"], [400, "throttle"], [200, undefined]]);
    });

    it("the SDK's own retries get past a transient 500", async () => {
      rds.injectFault({ on: "describe", kind: "http500", times: 2 });
      const out = await client({ maxAttempts: 3 }).send(new DescribeDBLogFilesCommand({ DBInstanceIdentifier: "db-1" }));
      assert.equal(out.$metadata.attempts, 3);
      assert.deepEqual(rds.requests.map((r) => r.status), [500, 500, 200]);
    });

    it("clusters faults, targeted by cluster id", async () => {
      rds.setCluster("c1", ["db-1"]);
      rds.setCluster("c2", ["db-2"]);
      rds.injectFault({ on: "clusters", kind: "throttle", cluster: "c2" });
      const c = client();
      assert.equal((await c.send(new DescribeDBClustersCommand({ DBClusterIdentifier: "c1" }))).DBClusters?.length, 1);
      assert.equal((await sdkError(c.send(new DescribeDBClustersCommand({ DBClusterIdentifier: "c2" })))).name, "Throttling");
    });

    it("throttle on download is HTTP 429 with a Throttling body; a fault for one file spares the others", async () => {
      rds.injectFault({ on: "download", kind: "throttle", file: LOG, times: 2 });
      assert.equal((await get(downloadPath("db-1", "other"))).status, 200);
      for (let i = 0; i < 2; i++) {
        const res = await get(downloadPath("db-1", LOG));
        assert.equal(res.status, 429);
        assert.equal(xmlCode(res.body), "Throttling");
      }
      assert.ok((await get(downloadPath("db-1", LOG))).body.equals(CONTENT));
    });

    it("truncate-body ends the chunked body cleanly after half the bytes", async () => {
      rds.injectFault({ on: "download", kind: "truncate-body" });
      const res = await get(downloadPath("db-1", LOG));
      assert.equal(res.status, 200);
      assert.ok(res.body.equals(CONTENT.subarray(0, Math.floor(CONTENT.length / 2))));
      assert.deepEqual(rds.requests[0], {
        action: "download",
        apiVersion: "v19",
        instance: "db-1",
        file: LOG,
        status: 200,
        bytes: Math.floor(CONTENT.length / 2),
        fault: "truncate-body",
      });
    });

    it("reset-mid-body sends about half, then breaks the connection", async () => {
      rds.injectFault({ on: "download", kind: "reset-mid-body" });
      const res = await signedRequest(rds.endpoint, downloadPath("db-1", LOG), { credentials: CREDS, region: rds.region });
      assert.equal(res.statusCode, 200);
      let received = 0;
      const error = await new Promise<Error | undefined>((resolve) => {
        res.on("data", (chunk: Buffer) => (received += chunk.length));
        res.on("error", resolve);
        res.on("end", () => resolve(undefined));
      });
      assert.ok(error, "the client must see the body fail, not end");
      assert.ok(received > 0 && received <= CONTENT.length / 2, `received ${received}`);
      assert.equal(rds.requests[0].aborted, true);
    });

    it("hang never answers, and stall-mid-body sends half then holds the connection open, until the client gives up", async () => {
      rds.injectFault({ on: "download", kind: "hang" });
      rds.injectFault({ on: "download", kind: "stall-mid-body" });
      const silence = async (path: string, sendsHalf: boolean) => {
        let received = 0;
        let status: number | undefined;
        const req = signedRequest(rds.endpoint, path, { credentials: CREDS, region: rds.region }).then((res) => {
          status = res.statusCode;
          res.on("data", (chunk: Buffer) => (received += chunk.length));
          res.on("error", () => undefined);
          return res;
        });
        // Whatever the fault lets through arrives first; then nothing more comes.
        const half = Math.floor(CONTENT.length / 2);
        for (let i = 0; i < 1000 && sendsHalf && received < half; i++) await new Promise((r) => setTimeout(r, 10));
        await new Promise((r) => setTimeout(r, 300));
        return { status, received, req };
      };
      const hung = await silence(downloadPath("db-1", LOG), false);
      assert.deepEqual([hung.status, hung.received], [undefined, 0]);
      const stalled = await silence(downloadPath("db-1", LOG), true);
      assert.deepEqual([stalled.status, stalled.received], [200, Math.floor(CONTENT.length / 2)]);
      assert.equal(rds.requests.length, 0, "neither request has ended");
      (await stalled.req).destroy();
      for (let i = 0; i < 1000 && rds.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(rds.requests.map((r) => [r.fault, r.aborted]), [["stall-mid-body", true]]);
    });

    it("body faults on the Query API make the SDK fail to parse", async () => {
      rds.injectFault({ on: "describe", kind: "truncate-body" });
      rds.injectFault({ on: "describe", kind: "reset-mid-body" });
      const c = client();
      const send = () => c.send(new DescribeDBLogFilesCommand({ DBInstanceIdentifier: "db-1" }));
      assert.match((await sdkError(send())).message, /XML|parse/i);
      assert.ok(await sdkError(send()));
      assert.equal((await send()).DescribeDBLogFiles?.length, 2);
    });

    it("faults are consumed strictly in order; a body fault waits for a request that sends a body", async () => {
      rds.injectFault({ on: "download", kind: "truncate-body" });
      rds.injectFault({ on: "download", kind: "http500" });
      assert.equal((await get(downloadPath("db-1", "missing"))).status, 404);
      assert.equal((await get(downloadPath("db-1", "other"))).body.toString(), "oth");
      assert.equal((await get(downloadPath("db-1", "other"))).status, 500);
      assert.equal((await get(downloadPath("db-1", "other"))).body.toString(), "other\n");
    });
  });

  describe("generated content", () => {
    it("repeatedContent yields any range of the repeated pattern", () => {
      const content = repeatedContent("abc", 10);
      assert.equal(readContent(content, 0, 10).toString(), "abcabcabca");
      assert.equal(readContent(content, 4, 9).toString(), "bcabc");
    });

    it("streams 50 MiB in chunks of at most 1 MiB without holding the file in memory", async () => {
      const size = 50 * 1024 * 1024;
      const base = repeatedContent(MULTIBYTE, size);
      let widest = 0;
      const generate = (start: number, end: number): Buffer => {
        widest = Math.max(widest, end - start);
        return readContent(base, start, end);
      };
      rds.putFile("db-1", { name: "big.log", lastWritten: 1, content: { size, generate } });
      // Collecting garbage as we go keeps the numbers about live memory, not the GC's laziness
      // (without it RSS settles about 30 MB up, whatever the file size).
      const gc = exposeGc();
      gc();
      const before = process.memoryUsage();
      let rssPeak = before.rss;
      let buffersPeak = before.arrayBuffers;
      const sample = (): void => {
        gc();
        const now = process.memoryUsage();
        rssPeak = Math.max(rssPeak, now.rss);
        buffersPeak = Math.max(buffersPeak, now.arrayBuffers);
      };
      const res = await signedRequest(rds.endpoint, downloadPath("db-1", "big.log"), { credentials: CREDS, region: rds.region });
      const hash = crypto.createHash("sha256");
      let received = 0;
      let nextSample = 0;
      for await (const chunk of res) {
        hash.update(chunk as Buffer);
        received += (chunk as Buffer).length;
        if (received >= nextSample) {
          sample();
          nextSample += 4 * 1024 * 1024;
        }
      }
      sample();
      const mib = (n: number): string => `${(n / 1048576).toFixed(1)} MiB`;
      assert.equal(received, size);
      assert.ok(widest <= MAX_CHUNK, `generate asked for ${widest} bytes at once`);
      assert.ok(rssPeak - before.rss < 20 * 1048576, `RSS grew by ${mib(rssPeak - before.rss)}`);
      // array buffers are freed off-thread after a GC, so allow for a few chunks not yet released
      assert.ok(buffersPeak - before.arrayBuffers < 25 * 1048576, `live buffers grew by ${mib(buffersPeak - before.arrayBuffers)}`);
      const expected = crypto.createHash("sha256");
      for (let start = 0; start < size; start += MAX_CHUNK) expected.update(readContent(base, start, Math.min(size, start + MAX_CHUNK)));
      assert.equal(hash.digest("hex"), expected.digest("hex"));
    });
  });
});
