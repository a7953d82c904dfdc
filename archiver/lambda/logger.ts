/**
 * The functions' log lines, in the shape Powertools for AWS Lambda writes: one JSON document a line with
 * `level` (DEBUG, INFO, WARN, ERROR), `message`, `timestamp`, `service`, `cold_start`, `function_name`,
 * `function_memory_size`, `function_arn`, `function_request_id`, `xray_trace_id`, then the line's own fields.
 *
 * Lines go straight to stdout, as Powertools' Logger and the EMF client libraries write theirs: the functions
 * use Lambda's JSON log format, whose console methods would nest a JSON line as a string inside their own
 * record (and an EMF line would then yield no metric). Lambda's application log level reaches the function
 * as AWS_LAMBDA_LOG_LEVEL, and lines below it are not written, as Lambda itself would drop them.
 *
 * Serialized by Pulumi with the handlers: no module-level state at all. A module-level `let` written at run
 * time is lost (the serialized function re-creates its captured variables on each call), so whether an
 * invocation is the cold start is kept in the closure each handler factory creates once per container.
 */

export type LogLevel = "DEBUG" | "INFO" | "WARN" | "ERROR";

const LEVELS: readonly string[] = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];

/** The service every line names unless POWERTOOLS_SERVICE_NAME says otherwise. */
export const SERVICE = "rds-log-archiver";

/** The parts of Lambda's context a log line names. */
export interface InvocationContext {
  awsRequestId?: string;
  functionName?: string;
  invokedFunctionArn?: string;
  memoryLimitInMB?: string | number;
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Writes one line to stdout as is: a log record, or an EMF metric document. */
export function writeLine(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** The level below which nothing is written: Lambda's application log level, else Powertools', else INFO. */
export function minimumLevel(env: NodeJS.ProcessEnv): number {
  for (const raw of [env.AWS_LAMBDA_LOG_LEVEL, env.POWERTOOLS_LOG_LEVEL]) {
    const i = LEVELS.indexOf((raw ?? "").toUpperCase());
    if (i >= 0) return i;
  }
  return LEVELS.indexOf("INFO");
}

/** The Root of an X-Ray trace header, "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=…;Sampled=1". */
export function traceRoot(header: string | undefined): string | undefined {
  const root = (header ?? "").split(";").find((part) => part.startsWith("Root="));
  return root ? root.slice("Root=".length) : undefined;
}

/**
 * Gives each invocation its logger; the first of an execution environment is its cold start. Called once per
 * container, by the handler factory.
 */
export function invocationLoggers(env: NodeJS.ProcessEnv = process.env): (context: InvocationContext | undefined) => Logger {
  let invocations = 0;
  return (context) => invocationLogger(context, invocations++ === 0, env);
}

export function invocationLogger(context: InvocationContext | undefined, cold: boolean, env: NodeJS.ProcessEnv = process.env): Logger {
  const minimum = minimumLevel(env);
  const memory = context?.memoryLimitInMB ?? env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE;
  const base: Record<string, unknown> = {
    service: env.POWERTOOLS_SERVICE_NAME || SERVICE,
    cold_start: cold,
    // null rather than absent outside Lambda, so that every record has the same fields.
    function_name: context?.functionName ?? env.AWS_LAMBDA_FUNCTION_NAME ?? null,
    ...(memory !== undefined ? { function_memory_size: Number(memory) } : {}),
    ...(context?.invokedFunctionArn ? { function_arn: context.invokedFunctionArn } : {}),
    function_request_id: context?.awsRequestId ?? null,
    // Read per invocation: Lambda sets it for each.
    ...(traceRoot(env._X_AMZN_TRACE_ID) ? { xray_trace_id: traceRoot(env._X_AMZN_TRACE_ID) } : {}),
  };
  const log = (level: LogLevel) => (message: string, fields: Record<string, unknown> = {}) => {
    if (LEVELS.indexOf(level) < minimum) return;
    const standard = { level, message, timestamp: new Date().toISOString(), ...base };
    // The standard fields first, as Powertools orders them; spread again so that a field of the line never hides one.
    writeLine(JSON.stringify({ ...standard, ...fields, ...standard }));
  };
  return { debug: log("DEBUG"), info: log("INFO"), warn: log("WARN"), error: log("ERROR") };
}
