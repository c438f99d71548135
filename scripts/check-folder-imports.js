#!/usr/bin/env node
// Checks that the folders of every project's src/ form a hierarchy: no folder imports a folder
// that (directly or through others) imports it back, so each part can be read, tested and changed
// from the bottom up. Nx enforces the same between projects; this is the rule inside one.
// Relative imports of non-spec sources count; files at the root of src/ (a module, main) may
// import any folder. Exits 1 and names every loop found.
// Usage: node scripts/check-folder-imports.js [src dir …]   (default: services/*/src, libs/*/src, tools/*/src)
'use strict';
const { existsSync, readdirSync, readFileSync } = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');

/** Every non-spec TypeScript source under `dir`, relative to `src`. */
function sources(src, dir = src) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const file = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sources(src, file);
    return /\.tsx?$/.test(e.name) && !/\.spec\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [path.relative(src, file)] : [];
  });
}

/** The top folder of a path relative to src ('' for a file at the root, or outside src). */
const folderOf = (rel) => (rel.startsWith('..') || !rel.includes(path.sep) ? '' : rel.split(path.sep)[0]);

/** folder -> the other folders of the same src its files import. */
function folderGraph(src) {
  const graph = new Map();
  for (const file of sources(src)) {
    const from = folderOf(file);
    if (from === '') continue;
    for (const m of readFileSync(path.join(src, file), 'utf8').matchAll(/\bfrom '(\.{1,2}\/[^']+)'/g)) {
      const to = folderOf(path.normalize(path.join(path.dirname(file), m[1])));
      if (to === '' || to === from) continue;
      if (!graph.has(from)) graph.set(from, new Set());
      graph.get(from).add(to);
    }
  }
  return graph;
}

/** Each loop once, starting at its alphabetically first folder: "a -> b -> a". */
function loops(graph) {
  const found = new Set();
  const visit = (node, trail) => {
    for (const next of graph.get(node) ?? []) {
      const at = trail.indexOf(next);
      if (at === -1) {
        visit(next, [...trail, next]);
        continue;
      }
      const loop = trail.slice(at);
      const first = loop.indexOf([...loop].sort()[0]);
      found.add([...loop.slice(first), ...loop.slice(0, first), loop[first]].join(' -> '));
    }
  };
  for (const node of graph.keys()) visit(node, [node]);
  return [...found].sort();
}

function defaultSrcDirs() {
  return ['services', 'libs', 'tools'].flatMap((group) =>
    readdirSync(path.join(ROOT, group), { withFileTypes: true })
      .filter((e) => e.isDirectory() && existsSync(path.join(ROOT, group, e.name, 'src')))
      .map((e) => path.join(ROOT, group, e.name, 'src')),
  );
}

if (require.main === module) {
  const dirs = process.argv.length > 2 ? process.argv.slice(2).map((d) => path.resolve(d)) : defaultSrcDirs();
  let bad = 0;
  for (const src of dirs) {
    for (const loop of loops(folderGraph(src))) {
      bad++;
      console.error(`${path.relative(ROOT, src)}: ${loop}`);
    }
  }
  if (bad > 0) {
    console.error(`${bad} folder import loop(s): move what both folders need below them (docs/development.md)`);
    process.exit(1);
  }
  console.log(`folder imports: no loops in ${dirs.length} projects`);
}

module.exports = { folderGraph, loops };
