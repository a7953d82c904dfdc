/** EventBridge schedule expressions: rate() and cron(), checked the way EventBridge reads them. */

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\((.*)\)$/;
const UNIT_SECONDS: Record<string, number> = { minute: 60, hour: 3600, day: 86400 };

/** Why an EventBridge schedule expression is invalid, or undefined when it is valid. */
export function scheduleExpressionProblem(expression: string): string | undefined {
  const rate = RATE.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    const unit = rate[2];
    if (value < 1) return `"${expression}": the rate must be at least 1`;
    if (value === 1 && unit.endsWith("s")) return `"${expression}": write rate(1 ${unit.slice(0, -1)})`;
    if (value > 1 && !unit.endsWith("s")) return `"${expression}": write rate(${value} ${unit}s)`;
    return undefined;
  }
  const cron = CRON.exec(expression);
  if (cron) return cronProblem(expression, cron[1].trim().split(/\s+/));
  return `"${expression}" is not a schedule expression: use rate(<n> minutes|hours|days) or cron(<min> <hour> <day-of-month> <month> <day-of-week> <year>)`;
}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface CronField {
  name: string;
  min: number;
  max: number;
  names?: string[];
  /** Items this field accepts besides numbers, names, ranges, lists and steps. */
  special?: RegExp;
}

const CRON_FIELDS: CronField[] = [
  { name: "minutes", min: 0, max: 59 },
  { name: "hours", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31, special: /^(\?|L|LW|\d{1,2}W)$/ },
  { name: "month", min: 1, max: 12, names: MONTHS },
  { name: "day-of-week", min: 1, max: 7, names: DAYS, special: /^(\?|L|[1-7]L|[1-7]#[1-5])$/i },
  { name: "year", min: 1970, max: 2199 },
];

function cronValue(field: CronField, token: string): number | undefined {
  if (/^\d+$/.test(token)) return Number(token);
  const index = field.names?.indexOf(token.toUpperCase()) ?? -1;
  return index >= 0 ? field.min + index : undefined;
}

function cronFieldValid(field: CronField, text: string): boolean {
  if (field.special?.test(text)) return true;
  return text.split(",").every((item) => {
    const m = /^(\*|([A-Za-z0-9]+)(?:-([A-Za-z0-9]+))?)(?:\/(\d+))?$/.exec(item);
    if (!m) return false;
    if (m[4] !== undefined && Number(m[4]) < 1) return false;
    if (m[1] === "*") return true;
    return [m[2], m[3]].every((token) => {
      if (token === undefined) return true;
      const value = cronValue(field, token);
      return value !== undefined && value >= field.min && value <= field.max;
    });
  });
}

function cronProblem(expression: string, fields: string[]): string | undefined {
  if (fields.length !== 6) {
    return `"${expression}": a cron expression has 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`;
  }
  for (const [i, text] of fields.entries()) {
    const field = CRON_FIELDS[i];
    if (!cronFieldValid(field, text)) {
      return `"${expression}": invalid ${field.name} field "${text}" (values ${field.min}-${field.max})`;
    }
  }
  const [, , dayOfMonth, , dayOfWeek] = fields;
  if ((dayOfMonth === "?") === (dayOfWeek === "?")) {
    return `"${expression}": exactly one of day-of-month and day-of-week must be "?"`;
  }
  return undefined;
}

/** The interval of a rate() expression in seconds; undefined for cron expressions. */
export function scheduleIntervalSeconds(expression: string): number | undefined {
  const rate = RATE.exec(expression);
  if (!rate) return undefined;
  return Number(rate[1]) * UNIT_SECONDS[rate[2].replace(/s$/, "")];
}
