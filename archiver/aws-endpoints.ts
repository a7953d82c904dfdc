/**
 * Endpoint overrides, the standard way: AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL. One place says
 * which variable set an endpoint, so that every error about it can name the variable to fix.
 */

export type EndpointService = "RDS" | "S3";

export interface EndpointOverride {
  service: EndpointService;
  url: string;
  /** The variable it came from, e.g. AWS_ENDPOINT_URL_RDS. */
  variable: string;
}

export function endpointOverride(env: NodeJS.ProcessEnv, service: EndpointService): EndpointOverride | undefined {
  for (const variable of [`AWS_ENDPOINT_URL_${service}`, "AWS_ENDPOINT_URL"]) {
    const url = env[variable];
    if (url) return { service, url, variable };
  }
  return undefined;
}

/** Why an override is not an endpoint URL the SDK can use, naming the variable; undefined when it is one. */
export function endpointProblem(o: EndpointOverride): string | undefined {
  let parsed: URL | undefined;
  try {
    parsed = new URL(o.url);
  } catch {
    parsed = undefined;
  }
  // "localhost:1234" parses, as a URL of scheme "localhost:": only http and https name an endpoint.
  if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:") || !parsed.hostname) {
    const example = /^[a-z0-9.-]+(:\d+)?(\/.*)?$/i.test(o.url) ? `http://${o.url}` : "https://host[:port]";
    return `${o.variable}="${o.url}" is not a URL for the ${o.service} endpoint: give it a scheme, e.g. ${example}`;
  }
  return undefined;
}

/** Every malformed endpoint override in `env`, one message each. */
export function endpointProblems(env: NodeJS.ProcessEnv): string[] {
  const problems = (["RDS", "S3"] as const)
    .map((service) => endpointOverride(env, service))
    .map((o) => (o ? endpointProblem(o) : undefined))
    .filter((p): p is string => p !== undefined);
  return [...new Set(problems)];
}
