#!/usr/bin/env node
// Fails when the project's own modules import each other in a circle (app/, lib/, scripts/;
// Prisma's generated client is not ours), or when a production path imports the dev tools (lib/dev/)
// or anything under tests/. Resolves imports the way tsc does, with tsconfig's paths.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import ts from 'typescript';

const root = process.cwd();
const config = ts.parseJsonConfigFileContent(ts.readConfigFile('tsconfig.json', ts.sys.readFile).config, ts.sys, root);
const ours = (file) => /^(app|lib|scripts)\//.test(file) && !file.startsWith('lib/db/generated/') && !/\.test\.tsx?$/.test(file);
const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', 'app', 'lib', 'scripts'], { encoding: 'utf8' })
  .split('\n')
  .filter((file) => /\.tsx?$/.test(file) && ours(file));

// Only the simulator's own routes and the scripts may use the dev tools.
const mayUseDevTools = (file) => /^(lib\/dev|app\/simulator|scripts)\//.test(file);
const boundaryProblems = [];

const imports = new Map();
for (const file of files) {
  const { importedFiles } = ts.preProcessFile(ts.sys.readFile(file) ?? '', true, true);
  const targets = importedFiles
    .map(({ fileName }) => ts.resolveModuleName(fileName, path.join(root, file), config.options, ts.sys).resolvedModule?.resolvedFileName)
    .filter((resolved) => resolved && !resolved.includes('/node_modules/'))
    .map((resolved) => path.relative(root, resolved));
  for (const target of targets) {
    if (target.startsWith('tests/') && !file.startsWith('scripts/')) boundaryProblems.push(`${file} imports ${target}`);
    if (target.startsWith('lib/dev/') && !mayUseDevTools(file)) boundaryProblems.push(`${file} imports ${target}`);
  }
  imports.set(file, targets.filter(ours));
}

const cycles = [];
const state = new Map(); // file -> 'visiting' | 'done'
function visit(file, trail) {
  if (state.get(file) === 'done') return;
  if (state.get(file) === 'visiting') {
    cycles.push([...trail.slice(trail.indexOf(file)), file].join(' -> '));
    return;
  }
  state.set(file, 'visiting');
  for (const target of imports.get(file) ?? []) visit(target, [...trail, file]);
  state.set(file, 'done');
}
for (const file of files) visit(file, []);

if (cycles.length || boundaryProblems.length) {
  if (cycles.length) console.error(`import cycles:\n${cycles.join('\n')}`);
  if (boundaryProblems.length) console.error(`production code importing dev tools or tests:\n${boundaryProblems.join('\n')}`);
  process.exit(1);
}
console.log(`checked ${files.length} modules: no import cycles, no production import of lib/dev or tests`);
