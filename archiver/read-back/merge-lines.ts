/**
 * Lines of several time-ordered sources, merged into one time-ordered sequence. A line without a time of its own
 * (the rest of a multi-line entry) keeps the time of the line before it, so an entry is never split apart; lines
 * before a source's first timed line take the source's fallback time. Ties keep the sources' order.
 */

export interface TimedLine {
  time: number;
  text: string;
}

export interface LineSource {
  lines: AsyncIterable<string>;
  /** The time of lines that come before any line with a time of its own. */
  fallbackTime: number;
  /** What each of its lines is printed with in front (e.g. a not-archived marker); empty for none. */
  prefix?: string;
}

/** Adds times to one source's lines. */
export async function* timedLines(source: LineSource, timeOf: (line: string) => number | undefined): AsyncGenerator<TimedLine> {
  let time = source.fallbackTime;
  const prefix = source.prefix ?? "";
  for await (const text of source.lines) {
    time = timeOf(text) ?? time;
    yield { time, text: prefix + text };
  }
}

/** A k-way merge: at each step the earliest head among the sources. */
export async function* mergeByTime(sources: AsyncIterator<TimedLine>[]): AsyncGenerator<TimedLine> {
  const heads: (TimedLine | undefined)[] = await Promise.all(sources.map(async (s) => (await s.next()).value ?? undefined));
  for (;;) {
    let pick = -1;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i];
      if (h && (pick < 0 || h.time < heads[pick]!.time)) pick = i;
    }
    if (pick < 0) return;
    yield heads[pick]!;
    const next = await sources[pick].next();
    heads[pick] = next.done ? undefined : next.value;
  }
}
