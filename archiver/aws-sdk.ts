/**
 * The AWS SDK modules the engine runs on, passed in rather than imported.
 *
 * Pulumi's closure serializer cannot capture SDK classes held at module scope, so nothing in
 * archiver/ imports the SDK at run time: the CLI calls loadAwsSdk(), the Lambda's callbackFactory
 * requires the same four packages itself and hands them to createSyncHandler().
 */
export interface AwsSdk {
  rds: typeof import("@aws-sdk/client-rds");
  s3: typeof import("@aws-sdk/client-s3");
  storage: typeof import("@aws-sdk/lib-storage");
  signatureV4: typeof import("@smithy/signature-v4");
}

export function loadAwsSdk(): AwsSdk {
  return {
    rds: require("@aws-sdk/client-rds"),
    s3: require("@aws-sdk/client-s3"),
    storage: require("@aws-sdk/lib-storage"),
    signatureV4: require("@smithy/signature-v4"),
  };
}
