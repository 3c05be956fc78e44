// The README's CLI reference is generated from the command definitions that drive `--help`.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { commandHelp } from '../../cli/command.ts';
import { commands } from '../../cli/commands/index.ts';
import { cliReference, END, README, START, withReference } from '../../cli/reference.ts';

describe('CLI reference', () => {
  it('README.md matches the generated reference (run `node cli/reference.ts --write` after changing a command)', () => {
    const readme = readFileSync(README, 'utf8');
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    expect(start, 'README.md needs the cli-reference markers').toBeGreaterThan(0);
    expect(end).toBeGreaterThan(start);
    expect(readme.slice(start + START.length, end)).toBe(cliReference());
  });

  it('documents every command and every option that --help shows', () => {
    const reference = cliReference();
    for (const def of commands) {
      expect(reference).toContain(`### \`worker ${def.name}\``);
      const help = commandHelp(def);
      for (const [name, o] of Object.entries(def.options)) {
        const flag = `--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
        expect(help).toContain(flag);
        expect(reference).toContain(flag.replace(/\|/g, '\\|'));
        expect(reference).toContain(o.description.replace(/\|/g, '\\|'));
      }
    }
  });

  it('replaces only the marked section', () => {
    const doc = `# T\n\nbefore\n${START}old${END}\nafter\n`;
    expect(withReference(doc, 'NEW')).toBe(`# T\n\nbefore\n${START}NEW${END}\nafter\n`);
    expect(() => withReference('# no markers', 'x')).toThrow(/cli-reference/);
  });
});
