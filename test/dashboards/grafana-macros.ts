/**
 * A small stand-in for what Grafana and the ClickHouse plugin (v4) do to a query before it reaches
 * ClickHouse, so the dashboards' SQL can run on the real engine. Covered:
 *
 * - $__timeFilter(col)       → col >= toDateTime64(from, 3) AND col <= toDateTime64(to, 3)
 * - $__fromTime, $__toTime   → toDateTime(from), toDateTime(to) (whole seconds, as the plugin renders them)
 * - $__timeInterval(col)     → toStartOfInterval(toDateTime(col), INTERVAL <interval> second)
 * - $__interval_s            → the interval in seconds
 * - $__conditionalAll(cond, $var) → 1=1 when $var is "All", else cond
 * - ${var:singlequote}       → 'a','b' (each value quoted, quotes escaped)
 * - ${var}, $var             → the values joined by commas, unquoted (the default format)
 *
 * Not covered: other macros ($__dateFilter, $__timeFilter_ms, …) and other variable formats; a
 * query using one is left with a `$`, which the tests reject.
 */
export interface MacroContext {
  /** Epoch seconds. */
  from: number;
  to: number;
  intervalSeconds: number;
  /** Values per variable; ALL marks a variable set to "All". */
  variables: Record<string, string[] | typeof ALL>;
}

export const ALL = Symbol('All');

const quote = (v: string) => `'${v.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;

function values(ctx: MacroContext, name: string, all: string[] = []): string[] {
  const v = ctx.variables[name];
  if (v === undefined) throw new Error(`query uses variable $${name}, which the test context does not define`);
  return v === ALL ? all : v;
}

/** The arguments of a macro call starting at `open` (the index of its "("), split on top-level commas. */
function callArguments(sql: string, open: number): { args: string[]; end: number } {
  const args: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open; i < sql.length; i++) {
    const c = sql[i];
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return { args: [...args, sql.slice(start, i).trim()], end: i + 1 };
    else if (c === ',' && depth === 1) {
      args.push(sql.slice(start, i).trim());
      start = i + 1;
    }
  }
  throw new Error(`unbalanced parentheses after position ${open}`);
}

function replaceCalls(sql: string, macro: string, render: (args: string[]) => string): string {
  let out = sql;
  for (let at = out.indexOf(`${macro}(`); at >= 0; at = out.indexOf(`${macro}(`)) {
    const { args, end } = callArguments(out, at + macro.length);
    out = out.slice(0, at) + render(args) + out.slice(end);
  }
  return out;
}

function expandMacros(sql: string, ctx: MacroContext): string {
  let out = replaceCalls(sql, '$__conditionalAll', ([cond, variable]) => {
    const name = (variable ?? '').replace(/^\$\{?/, '').replace(/\}$/, '');
    values(ctx, name);
    return ctx.variables[name] === ALL ? '1=1' : (cond ?? '');
  });
  out = replaceCalls(out, '$__timeFilter', ([col]) => `${col} >= toDateTime64(${ctx.from}, 3) AND ${col} <= toDateTime64(${ctx.to}, 3)`);
  out = replaceCalls(out, '$__timeInterval', ([col]) => `toStartOfInterval(toDateTime(${col}), INTERVAL ${ctx.intervalSeconds} second)`);
  return out
    .replaceAll('$__fromTime', `toDateTime(${ctx.from})`)
    .replaceAll('$__toTime', `toDateTime(${ctx.to})`)
    .replaceAll('$__interval_s', String(ctx.intervalSeconds));
}

/** Grafana's template variable interpolation for the formats the dashboards use. */
export function interpolateVariables(text: string, ctx: MacroContext, allValues: Record<string, string[]> = {}): string {
  return text
    .replace(/\$\{(\w+):singlequote\}/g, (_, name: string) => values(ctx, name, allValues[name]).map(quote).join(','))
    .replace(/\$\{(\w+)\}|\$(?!__)(\w+)/g, (_, braced: string | undefined, bare: string | undefined) => {
      const name = (braced ?? bare) as string;
      return values(ctx, name, allValues[name]).join(',');
    });
}

/** A dashboard's ClickHouse SQL as the plugin would send it. */
export function renderClickHouseSql(sql: string, ctx: MacroContext, allValues: Record<string, string[]> = {}): string {
  return interpolateVariables(expandMacros(sql, ctx), ctx, allValues);
}
