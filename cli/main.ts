// The `worker` CLI: dispatches to one command definition (cli/commands/*).
import { BundleError } from '../runtime/bundler/bundle.ts';
import { ConfigError } from '../runtime/config/project.ts';
import { ApiError } from './api.ts';
import { commandHelp, parseCommandArgs, UsageError } from './command.ts';
import { commands } from './commands/index.ts';

function globalHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    'worker — Isle: WinterCG workers, each request in a fresh V8 isolate.',
    '',
    'Usage: worker <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Run `worker <command> --help` for a command\'s options.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(globalHelp());
    return name ? 0 : 1;
  }
  if (name === '--version' || name === '-v') {
    const { createRequire } = await import('node:module');
    console.log(createRequire(import.meta.url)('../package.json').version);
    return 0;
  }
  const def = commands.find((c) => c.name === name);
  if (!def) {
    console.error(`worker: unknown command "${name}"\n\n${globalHelp()}`);
    return 1;
  }
  const parsed = parseCommandArgs(def, rest);
  if (parsed.values.help) {
    console.log(commandHelp(def));
    return 0;
  }
  return (await def.run(parsed)) ?? 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof UsageError || e instanceof ConfigError || e instanceof BundleError || e instanceof ApiError) {
      console.error(`worker: ${e.message}`);
    } else {
      console.error(`worker: ${(e as Error)?.stack ?? String(e)}`);
    }
    process.exitCode = 1;
  },
);
