// `worker init`: a ready project from one of templates/: isle.json, package.json depending on this
// Isle installation, .gitignore, tests, then `npm install`.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { fileURLToPath } from 'node:url';
import { UsageError, type CommandDef } from '../command.ts';

/** The Isle installation running this command (its package.json, templates/, cli/). */
export const ISLE_ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
export const TEMPLATES_DIR = join(ISLE_ROOT, 'templates');

export interface TemplateInfo {
  name: string;
  description: string;
}

/** Every template, in menu order. test/tenant checks this against templates/. */
export const TEMPLATES: TemplateInfo[] = [
  { name: 'hello', description: 'the smallest module worker: one fetch handler, a var' },
  { name: 'hono', description: 'Hono router with logger, CORS, ETag and secure-headers middleware, a JSON API, typed env' },
  { name: 'json-api', description: 'CRUD JSON API with zod validation and 400s that list what is wrong' },
  { name: 'stream', description: 'a streamed response and a server-sent-events endpoint driven by timers' },
  { name: 'proxy', description: 'fetch an upstream and rewrite its headers, HTML and JSON on the fly' },
  { name: 'jwt-auth', description: 'issue and verify JWTs with jose on WebCrypto; the secret comes from env' },
];

const NAME_PATTERN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** Files of a template that a project never starts with. */
const SKIP = new Set(['node_modules', 'package-lock.json', 'dist', '.dev.vars', '.isle-cache']);
/** Values in .dev.vars.example that init replaces with a fresh random secret in .dev.vars. */
const SECRET_PLACEHOLDER = 'change-me';

const GITIGNORE = `# Local secrets for \`worker dev\`: never commit them.
.dev.vars
node_modules/
dist/
.isle-cache/
*.log
`;

/** A valid worker name from anything (a directory name): lowercase, dashes, at most 63. */
export function toWorkerName(raw: string): string {
  const name = raw.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '').slice(0, 63).replace(/-$/, '');
  return name || 'my-worker';
}

function isEmptyDir(dir: string): boolean {
  if (!existsSync(dir)) return true;
  if (!statSync(dir).isDirectory()) return false;
  return readdirSync(dir).length === 0;
}

function readJson(path: string): any {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function interactive(): boolean {
  return Boolean(process.stdin.isTTY && process.stdout.isTTY);
}

/** Terminal questions, on one readline interface (a second one would lose input typed ahead). */
class Prompter {
  #rl = createInterface({ input: process.stdin, output: process.stdout });

  async ask(question: string, check: (answer: string) => string | undefined): Promise<string> {
    for (;;) {
      let answer: string;
      try {
        answer = (await this.#rl.question(question)).trim();
      } catch (e) {
        // Ctrl-C / Ctrl-D at a prompt.
        if ((e as Error).name === 'AbortError') throw new UsageError('init cancelled; nothing was written');
        throw e;
      }
      const error = check(answer);
      if (error === undefined) return answer;
      console.log(`  ${error}`);
    }
  }

  close(): void {
    this.#rl.close();
  }
}

async function askTemplate(prompter: Prompter): Promise<string> {
  console.log('Templates:');
  const width = Math.max(...TEMPLATES.map((t) => t.name.length));
  TEMPLATES.forEach((t, i) => console.log(`  ${i + 1}) ${t.name.padEnd(width)}  ${t.description}`));
  const answer = await prompter.ask(`Template [1-${TEMPLATES.length} or name] (hello): `, (a) => {
    if (a === '' || TEMPLATES.some((t) => t.name === a)) return undefined;
    const n = Number(a);
    if (Number.isInteger(n) && n >= 1 && n <= TEMPLATES.length) return undefined;
    return `choose 1-${TEMPLATES.length} or one of: ${TEMPLATES.map((t) => t.name).join(', ')}`;
  });
  if (answer === '') return 'hello';
  return /^\d+$/.test(answer) ? TEMPLATES[Number(answer) - 1]!.name : answer;
}

async function askName(prompter: Prompter, fallback: string): Promise<string> {
  const answer = await prompter.ask(`Worker name (${fallback}): `, (a) =>
    a === '' || NAME_PATTERN.test(a) ? undefined : 'lowercase letters, digits and dashes (at most 63), e.g. my-worker');
  return answer || fallback;
}

/** The project's package.json: the template's dependencies, Isle by file: reference, Node 24 pinned like Isle. */
export function projectPackageJson(name: string, template: string): Record<string, unknown> {
  const tpl = readJson(join(TEMPLATES_DIR, template, 'package.json'));
  const isle = readJson(join(ISLE_ROOT, 'package.json'));
  const isleDev: Record<string, string> = isle.devDependencies ?? {};
  const devDependencies: Record<string, string> = { ...tpl.devDependencies };
  // Same tool versions as the Isle that created the project (they are in npm's cache already).
  for (const tool of ['node', '@types/node', 'typescript', 'vite', 'vitest']) if (isleDev[tool]) devDependencies[tool] = isleDev[tool];
  devDependencies.isle = `file:${ISLE_ROOT}`;
  const sorted = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
  return {
    name,
    version: '0.0.0',
    private: true,
    ...(tpl.description && { description: tpl.description }),
    type: 'module',
    scripts: { dev: 'worker dev', test: 'vitest run', deploy: 'worker deploy', ...tpl.scripts },
    ...(tpl.dependencies && { dependencies: sorted(tpl.dependencies) }),
    devDependencies: sorted(devDependencies),
    allowScripts: { node: true, 'isolated-vm': true, esbuild: true, ...tpl.allowScripts },
  };
}

/** Copies the template into `dir` and personalises it. Returns the files written (relative). */
export function scaffold(dir: string, template: string, name: string): string[] {
  const from = join(TEMPLATES_DIR, template);
  mkdirSync(dir, { recursive: true });
  cpSync(from, dir, {
    recursive: true,
    filter: (src) => !SKIP.has(basename(src)) || src === from,
  });
  const configPath = join(dir, 'isle.json');
  const config = existsSync(configPath) ? readJson(configPath) : { main: 'src/index.ts' };
  const { name: _templateName, ...rest } = config;
  writeFileSync(configPath, JSON.stringify({ name, ...rest }, null, 2) + '\n');
  writeFileSync(join(dir, 'package.json'), JSON.stringify(projectPackageJson(name, template), null, 2) + '\n');
  writeFileSync(join(dir, '.gitignore'), GITIGNORE);
  const example = join(dir, '.dev.vars.example');
  if (existsSync(example)) {
    const lines = readFileSync(example, 'utf8').split('\n').map((line) => {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
      return m && m[2] === SECRET_PLACEHOLDER ? `${m[1]}=${randomBytes(32).toString('base64url')}` : line;
    });
    writeFileSync(join(dir, '.dev.vars'), lines.join('\n'));
  }
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else files.push(relative(dir, p));
    }
  };
  walk(dir);
  return files.sort();
}

function npmInstall(dir: string): Promise<number> {
  return new Promise((resolveCode) => {
    const child = spawn('npm', ['install', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
    child.on('error', (e) => {
      console.error(`worker: could not run npm: ${e.message}`);
      resolveCode(1);
    });
    child.on('exit', (code, signal) => resolveCode(signal ? 1 : code ?? 1));
  });
}

export const initCommand: CommandDef = {
  name: 'init',
  summary: 'Create a new worker project from a template.',
  usage: 'worker init [dir] [--template NAME] [--name NAME] [--no-install]',
  options: {
    template: { type: 'string', short: 't', value: 'NAME', description: `Template: ${TEMPLATES.map((t) => t.name).join(', ')}`, default: 'hello' },
    name: { type: 'string', value: 'NAME', description: 'Worker name for isle.json and package.json (default: the directory name)' },
    'no-install': { type: 'boolean', description: 'Do not run `npm install`' },
  },
  details: [
    'Without [dir], init uses the current directory if it is empty, else a new directory named after the',
    'worker. It refuses a directory that is not empty. In a terminal it asks for the template and the',
    'name when the flags are missing; it never asks when stdin or stdout is not a terminal.',
    '',
    'The project depends on this Isle installation through a file: reference, pins Node 24 with the',
    'npm "node" package (as Isle does), and has the scripts dev, test and deploy.',
    '',
    'Templates:',
    ...TEMPLATES.map((t) => `  ${t.name.padEnd(Math.max(...TEMPLATES.map((x) => x.name.length)))}  ${t.description}`),
  ].join('\n'),
  async run({ values, positionals }) {
    if (positionals.length > 1) throw new UsageError('worker init takes at most one directory');
    const tty = interactive();
    let template = values.template !== undefined ? String(values.template) : undefined;
    if (template !== undefined && !TEMPLATES.some((t) => t.name === template)) {
      throw new UsageError(`unknown template "${template}"; choose one of: ${TEMPLATES.map((t) => t.name).join(', ')}`);
    }
    let name = values.name !== undefined ? String(values.name) : undefined;
    if (name !== undefined && !NAME_PATTERN.test(name)) {
      throw new UsageError(`--name "${name}": use lowercase letters, digits and dashes (at most 63), e.g. my-worker`);
    }
    const cwd = process.cwd();
    let dir = positionals[0] !== undefined ? resolve(positionals[0]) : undefined;
    if (dir !== undefined && !isEmptyDir(dir)) {
      throw new UsageError(`${dir} is not empty; init never overwrites files. Choose a new directory: worker init my-worker`);
    }
    const fallbackName = toWorkerName(basename(dir ?? (isEmptyDir(cwd) ? cwd : 'my-worker')));
    if (tty && (template === undefined || name === undefined)) {
      const prompter = new Prompter();
      try {
        template ??= await askTemplate(prompter);
        name ??= await askName(prompter, fallbackName);
      } finally {
        prompter.close();
      }
    }
    template ??= 'hello';
    name ??= fallbackName;
    if (dir === undefined) {
      dir = isEmptyDir(cwd) ? cwd : resolve(name);
      if (!isEmptyDir(dir)) {
        throw new UsageError(`${dir} is not empty; init never overwrites files. Choose a new directory: worker init my-worker`);
      }
    }
    if (!tty && values.template === undefined) console.log(`Using the "${template}" template (choose another with --template NAME).`);

    scaffold(dir, template, name);
    const shown = relative(cwd, dir) || '.';
    console.log(`Created ${shown === '.' ? 'the project here' : shown} from the "${template}" template (worker name "${name}").`);
    let installed = false;
    if (!values['no-install']) {
      console.log('Installing dependencies (npm install)…');
      const code = await npmInstall(dir);
      if (code !== 0) {
        console.error(`worker: npm install failed (exit ${code}); the project is in ${shown}: fix the problem and run \`npm install\` there.`);
        return 1;
      }
      installed = true;
    }
    const steps = [
      ...(shown !== '.' ? [[`cd ${shown}`, '']] : []),
      ...(installed ? [] : [['npm install', 'install dependencies (Node 24 included)']]),
      ['npm run dev', 'serve it on http://127.0.0.1:8787, rebuilding on change'],
      ['npm test', 'run its tests in real Isle isolates (vitest)'],
      ['npm run deploy', 'upload it to a `worker serve` host (set deploy.url in isle.json)'],
    ];
    const width = Math.max(...steps.map(([c]) => c!.length)) + 2;
    console.log('\nNext:');
    for (const [cmd, what] of steps) console.log(`  ${what ? cmd!.padEnd(width) + what : cmd}`);
    return 0;
  },
};
