// Settings every test process shares. The SDK warns about Node 20 on every client otherwise.
import { claimSharedPackagesDirectory } from "./shipped/shared-directory";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
claimSharedPackagesDirectory();
