import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// The README and docs/ link to each other by relative paths and #anchors: a moved file or a renamed
// heading must not leave a reader at a dead link.
const ROOT = path.resolve(import.meta.dirname, '..');
const FILES = [
  'README.md',
  ...readdirSync(path.join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

/** Markdown without its fenced code blocks, where `#` lines and brackets are not headings or links. */
const prose = (file: string) => readFileSync(path.join(ROOT, file), 'utf8').replace(/^```[\s\S]*?^```/gm, '');

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[`*_]/g, '')
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .replace(/\s/g, '-');

const anchorsOf = (file: string) => new Set([...prose(file).matchAll(/^#{1,6}\s+(.+)$/gm)].map((match) => slug(match[1] ?? '')));

describe('documentation links', () => {
  it('covers the README and the five guides', () => {
    expect(FILES).toEqual(
      expect.arrayContaining([
        'README.md',
        'docs/architecture.md',
        'docs/deploy.md',
        'docs/stripe-setup.md',
        'docs/operations.md',
        'docs/testing.md',
      ]),
    );
  });

  it('resolves every relative link to a file and, with an #anchor, to a heading of it', () => {
    const broken: string[] = [];
    let checked = 0;
    for (const file of FILES) {
      for (const [, target = ''] of prose(file).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/i.test(target)) continue;
        checked += 1;
        const [pathPart = '', anchor] = target.split('#');
        const linked = pathPart ? path.posix.normalize(path.posix.join(path.posix.dirname(file), pathPart)) : file;
        if (!existsSync(path.join(ROOT, linked))) broken.push(`${file}: ${target} (no file ${linked})`);
        else if (anchor && linked.endsWith('.md') && !anchorsOf(linked).has(anchor))
          broken.push(`${file}: ${target} (no heading #${anchor} in ${linked})`);
      }
    }
    expect(broken).toEqual([]);
    expect(checked).toBeGreaterThan(10);
  });

  it('keeps the README a two-minute read', () => {
    expect(readFileSync(path.join(ROOT, 'README.md'), 'utf8').split('\n').length).toBeLessThanOrEqual(150);
  });
});
