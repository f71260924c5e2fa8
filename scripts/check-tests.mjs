#!/usr/bin/env node
// Fails when a test is focused (.only) or skipped without a reason on the same line.
import { execFileSync } from 'node:child_process';

const files = execFileSync('git', ['ls-files', '*.test.ts', '*.spec.ts', 'tests/**/*.ts'], { encoding: 'utf8' })
  .split('\n')
  .filter(Boolean);
const problems = [];
for (const file of files) {
  const lines = execFileSync('cat', [file], { encoding: 'utf8' }).split('\n');
  lines.forEach((line, index) => {
    if (/\b(it|test|describe)\.only\(/.test(line)) problems.push(`${file}:${index + 1}: focused test`);
    if (/\b(it|test|describe)\.skip\(/.test(line) && !/skipped because/.test(line))
      problems.push(`${file}:${index + 1}: skipped without a reason`);
  });
}
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`checked ${files.length} test files: no focused or unexplained skipped tests`);
