#!/usr/bin/env node
// Writes each workspace package's @chaperone/* dependencies from its imports, so Nx orders builds
// correctly (dependsOn ^build) and npm links what each package needs. Run after adding an import,
// then `npm install` to refresh the lockfile. `npm test` runs it with --check.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
// --check (npm test): change nothing, fail when a package.json would change.
const CHECK = process.argv.includes('--check');
const stale = [];
const projects = {};
for (const base of ['libs', 'services', 'test', 'tools']) {
  for (const d of fs.readdirSync(path.join(ROOT, base))) {
    const p = path.join(ROOT, base, d, 'package.json');
    if (fs.existsSync(p)) projects[JSON.parse(fs.readFileSync(p, 'utf8')).name] = path.join(ROOT, base, d);
  }
}
function walk(dir, out = []) {
  for (const f of fs.readdirSync(dir, { withFileTypes: true })) {
    if (f.name === 'node_modules' || f.name === 'dist') continue;
    const p = path.join(dir, f.name);
    if (f.isDirectory()) walk(p, out);
    else if (f.name.endsWith('.ts')) out.push(p);
  }
  return out;
}
for (const [name, dir] of Object.entries(projects)) {
  const deps = new Set();
  const devDeps = new Set();
  for (const f of walk(dir)) {
    const src = fs.readFileSync(f, 'utf8');
    for (const m of src.matchAll(/from '(@chaperone\/[a-z0-9-]+)(?:\/testing)?'/g)) {
      if (m[1] === name) continue;
      (/\.spec\.ts$|\/testing\/|\/support\//.test(f) ? devDeps : deps).add(m[1]);
    }
  }
  for (const d of deps) devDeps.delete(d);
  const file = path.join(dir, 'package.json');
  const pj = JSON.parse(fs.readFileSync(file, 'utf8'));
  delete pj.dependencies;
  delete pj.devDependencies;
  if (deps.size) pj.dependencies = Object.fromEntries([...deps].sort().map((d) => [d, '*']));
  if (devDeps.size) pj.devDependencies = Object.fromEntries([...devDeps].sort().map((d) => [d, '*']));
  const text = `${JSON.stringify(pj, null, 2)}\n`;
  if (text === fs.readFileSync(file, 'utf8')) continue;
  if (CHECK) stale.push(path.relative(ROOT, file));
  else fs.writeFileSync(file, text);
}
if (stale.length > 0) {
  console.error(`@chaperone/* dependencies differ from the imports in: ${stale.join(', ')}. Run \`node scripts/sync-workspace-deps.js\`, then \`npm install\`.`);
  process.exit(1);
}
