/** Retries with exponential backoff and full jitter, for RDS throttling, 5xx and dropped connections. */
import { errorCode } from "../errors";

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Told of each retry before its wait: the CLI's --verbose shows them. */
  onRetry?: (retry: RetryNotice) => void;
}

export interface RetryNotice {
  /** The attempt that failed, from 1. */
  attempt: number;
  attempts: number;
  code: string;
  message: string;
  delayMs: number;
  throttled: boolean;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 250, maxDelayMs: 20_000 };

/** A run's policy: DEFAULT_RETRY, then the settings' backoff (RETRY_BASE_DELAY_MS, RETRY_MAX_DELAY_MS), then the caller's. */
export function retryPolicyOf(
  settings: { retryBaseDelayMs?: number; retryMaxDelayMs?: number },
  override: Partial<RetryPolicy> = {},
): RetryPolicy {
  return {
    ...DEFAULT_RETRY,
    ...(settings.retryBaseDelayMs !== undefined ? { baseDelayMs: settings.retryBaseDelayMs } : {}),
    ...(settings.retryMaxDelayMs !== undefined ? { maxDelayMs: settings.retryMaxDelayMs } : {}),
    ...override,
  };
}

// Arrays, not Sets: Pulumi's closure serializer turns a module-level Set into a plain object whose `has`
// throws, so the deployed function would retry nothing (docs/development.md: "Serializer pitfalls").
const RETRYABLE_CODES: readonly string[] = [
  "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException", "SlowDown",
  "RequestThrottled", "InternalFailure", "InternalError", "ServiceUnavailable", "RequestTimeout",
  "RequestTimeoutException",
];
const NETWORK_CODES: readonly string[] = ["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EAI_AGAIN", "ENOTFOUND", "ERR_STREAM_PREMATURE_CLOSE"];

export function isRetryable(err: unknown): boolean {
  const e = err as {
    name?: string; code?: string; status?: number; $retryable?: unknown;
    $metadata?: { httpStatusCode?: number; clockSkewCorrected?: boolean };
  };
  if (!e || typeof e !== "object") return false;
  const status = e.status ?? e.$metadata?.httpStatusCode;
  if ([errorCode(e), e.name ?? "", e.code ?? ""].some((code) => RETRYABLE_CODES.includes(code))) return true;
  if (NETWORK_CODES.includes(e.code ?? "")) return true;
  // A connection or a socket that stayed silent past its timeout: the endpoint may answer the next one.
  if (e.name === "TimeoutError") return true;
  // The SDK learned the server's clock from this refusal; the next attempt is signed at the right time.
  if (e.$retryable || e.$metadata?.clockSkewCorrected) return true;
  // A success status with an error: the SDK could not read the body (cut short); the next response may be whole.
  if (status !== undefined && status >= 200 && status < 300) return true;
  return status === 429 || (status !== undefined && status >= 500);
}

export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `fn` until it succeeds, fails with a non-retryable error, or runs out of attempts. */
export async function withRetry<T>(policy: RetryPolicy, fn: (attempt: number) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt + 1 >= policy.attempts || !isRetryable(err)) throw err;
      const delayMs = backoffDelay(policy, attempt);
      if (policy.onRetry) {
        const code = errorCode(err);
        const message = err instanceof Error ? err.message : String(err);
        policy.onRetry({ attempt: attempt + 1, attempts: policy.attempts, code, message, delayMs, throttled: /throttl|limitexceeded|toomanyrequests|slowdown/i.test(code) });
      }
      await sleep(delayMs);
    }
  }
}
