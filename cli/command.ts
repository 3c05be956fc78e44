// How a CLI command is described: one definition drives parsing, `--help` and the README's CLI
// reference, so they cannot drift apart.
import { parseArgs } from 'node:util';

export interface OptionDef {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** Shown in help as `--name VALUE`. */
  value?: string;
  description: string;
  default?: string | boolean;
}

export interface CommandDef {
  name: string;
  summary: string;
  usage: string;
  options: Record<string, OptionDef>;
  /** Extra help text after the options. */
  details?: string;
  run(args: { values: Record<string, unknown>; positionals: string[] }): Promise<number | void>;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseCommandArgs(def: CommandDef, argv: string[]) {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [name, o] of Object.entries(def.options)) {
    options[name] = { type: o.type, ...(o.short && { short: o.short }), ...(o.multiple && { multiple: true }) };
  }
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\nRun \`worker ${def.name} --help\` for usage.`);
  }
}

export function commandHelp(def: CommandDef): string {
  const lines = [`${def.summary}`, '', `Usage: ${def.usage}`, ''];
  const entries = Object.entries(def.options);
  if (entries.length) {
    lines.push('Options:');
    const rendered = entries.map(([name, o]) => {
      const flag = `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
      const extra = [o.multiple ? '(repeatable)' : '', o.default !== undefined ? `(default: ${o.default})` : '']
        .filter(Boolean)
        .join(' ');
      return [flag, `${o.description}${extra ? ` ${extra}` : ''}`] as const;
    });
    const width = Math.max(...rendered.map(([f]) => f.length)) + 2;
    for (const [flag, text] of rendered) lines.push(`  ${flag.padEnd(width)}${text}`);
    lines.push(`  ${'-h, --help'.padEnd(width)}Show this help`);
  }
  if (def.details) lines.push('', def.details);
  return lines.join('\n');
}

/** Parses a positive number flag with a clear message. */
export function numberOption(values: Record<string, unknown>, name: string): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} expects a positive number, got "${String(raw)}"`);
  return n;
}
