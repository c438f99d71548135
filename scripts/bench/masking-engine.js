#!/usr/bin/env node
// Masking engine, document mode, one core: the tree masker (JSON.parse, maskObject, JSON.stringify;
// maskJsonDocumentByTree) against the one-pass masker (maskJsonDocument), on the same documents in
// the same run, alternating in rounds. Prints MB/s, wall and CPU time per call (medians of the
// rounds) per size and writes bench-results/masking-engine.json. Both must give the same bytes:
// checked first.
// Usage: node scripts/bench masking-engine [runs-scale]   (after building @chaperone/masking)
'use strict';
const { mkdirSync, writeFileSync } = require('node:fs');
const { cpus } = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { maskJsonDocument, maskJsonDocumentByTree, profileFor } = require('@chaperone/masking');
const { configMapItem, itemsUpTo, podItem } = require('./lib/fixtures');

const ROOT = path.join(__dirname, '..', '..');
const scale = Number(process.argv[2] ?? 1);

/** A `kind` list of items built by itemAt(i) until it holds about targetBytes of JSON. */
function listOf(kind, targetBytes, itemAt) {
  return { kind, apiVersion: 'v1', metadata: { resourceVersion: '9' }, items: itemsUpTo(targetBytes, itemAt) };
}

/** The secret list of the masking topic (masking.js): ~1 KB base64 values, short metadata. */
function secretList(targetBytes) {
  const value = Buffer.from(`s3cr3t-${'x'.repeat(700)}`).toString('base64');
  return listOf('SecretList', targetBytes, (i) => ({
    metadata: { name: `s-${i}`, namespace: 'default', uid: `5f0c9a4e-3b2d-4c1e-9f8a-${String(i).padStart(12, '0')}`, resourceVersion: String(1000 + i) },
    type: 'Opaque',
    data: { token: value },
  }));
}

/** A pod list: many short strings, each scanned by the detectors; env passwords and flags. */
function podList(targetBytes) {
  return listOf('PodList', targetBytes, (i) => podItem(i, 'prod'));
}

/** A ConfigMap list holding config files: the text the detectors scan line by line, the engine's slowest common case. */
function configMapList(targetBytes) {
  return listOf('ConfigMapList', targetBytes, (i) => configMapItem(i, 'prod'));
}

const SIZES = [
  ['1KB', 1024, 2000],
  ['100KB', 100 * 1024, 60],
  ['1MB', 1024 * 1024, 15],
  ['64MB', 64 * 1024 * 1024, 3],
];

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Until the JIT has settled: 200 ms of calls, at least 3. */
function warmUp(fn, doc) {
  const t0 = performance.now();
  for (let i = 0; i < 3 || performance.now() - t0 < 200; i++) fn(doc);
}

/** One batch of `runs` calls, timed together (a single small call is below the timers' noise): per call. */
function measure(fn, doc, runs) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) fn(doc);
  const wallMs = (performance.now() - t0) / runs;
  const c = process.cpuUsage(c0);
  return { wallMs, cpuMs: (c.user + c.system) / 1000 / runs };
}

function main() {
  const profile = profileFor('default');
  const engines = { tree: (d) => maskJsonDocumentByTree(d, profile), onePass: (d) => maskJsonDocument(d, profile) };
  const result = { machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version }, when: new Date().toISOString(), rows: [] };
  console.log('| document | size | tree: MB/s, wall / CPU ms | one pass: MB/s, wall / CPU ms | CPU saved |');
  console.log('|---|---|---|---|---|');
  for (const [kind, make] of [['secret list', secretList], ['pod list', podList], ['config map list', configMapList]]) {
    for (const [label, target, baseRuns] of SIZES) {
      const doc = Buffer.from(JSON.stringify(make(target)));
      const a = maskJsonDocumentByTree(doc, profile);
      const b = maskJsonDocument(doc, profile);
      if (!a.output.equals(b.output) || JSON.stringify(a.report) !== JSON.stringify(b.report)) throw new Error(`${kind} ${label}: outputs differ`);
      const runs = Math.max(1, Math.round(baseRuns * scale));
      for (const name of ['tree', 'onePass']) warmUp(engines[name], doc);
      const samples = { tree: [], onePass: [] };
      // Alternate in rounds so that load from elsewhere hits both alike; medians of the rounds.
      const rounds = Math.min(runs, 9);
      for (let r = 0; r < rounds; r++) {
        for (const name of ['tree', 'onePass']) samples[name].push(measure(engines[name], doc, Math.ceil(runs / rounds)));
      }
      const row = { kind, size: label, documentBytes: doc.length };
      for (const name of ['tree', 'onePass']) {
        const wallMs = median(samples[name].map((s) => s.wallMs));
        const cpuMs = median(samples[name].map((s) => s.cpuMs));
        row[name] = { wallMs: +wallMs.toFixed(3), cpuMs: +cpuMs.toFixed(3), mbPerSecond: +(doc.length / 1024 / 1024 / (wallMs / 1000)).toFixed(1), mbPerCpuSecond: +(doc.length / 1024 / 1024 / (cpuMs / 1000)).toFixed(1) };
      }
      row.cpuSaved = +(1 - row.onePass.cpuMs / row.tree.cpuMs).toFixed(2);
      result.rows.push(row);
      const f = (r) => `${r.mbPerSecond} MB/s, ${r.wallMs} / ${r.cpuMs}`;
      console.log(`| ${kind} | ${label} (${(doc.length / 1024).toFixed(0)} KiB) | ${f(row.tree)} | ${f(row.onePass)} | ${Math.round(row.cpuSaved * 100)} % |`);
    }
  }
  mkdirSync(path.join(ROOT, 'bench-results'), { recursive: true });
  writeFileSync(path.join(ROOT, 'bench-results', 'masking-engine.json'), JSON.stringify(result, null, 2));
}

main();
