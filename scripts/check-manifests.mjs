#!/usr/bin/env node
// Validates the Kubernetes manifests as `kubectl apply -k` would send them, without a cluster:
//  1. each overlay renders (`kubectl kustomize`);
//  2. every object validates against the JSON schema of its kind, generated from the Kubernetes
//     OpenAPI specification (the npm package kubernetes-models: types, required fields, enums,
//     formats; like kubeconform without -strict, unknown fields are not reported);
//  3. what Chaperone promises of its deployment holds: restricted security contexts, requests and
//     limits, a preStop hook, a disruption budget per workload, a default-deny network policy, and
//     in ha an autoscaler per service and a 3-node NATS.
// The Prometheus Operator's kinds (PodMonitor, PrometheusRule: CRDs, which kubernetes-models has no
// schema for) get structural checks of their own instead (operatorProblems); any other kind without
// a schema is a problem.
// Usage: node scripts/check-manifests.mjs [overlay dir …]   (default: every deploy/kubernetes/overlays/*)
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OVERLAYS = path.join(ROOT, 'deploy', 'kubernetes', 'overlays');

/** The kubernetes-models module of an apiVersion/kind: core kinds live under v1/, others under <group>/<version>/. */
async function modelOf(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : [undefined, apiVersion];
  const modulePath = group ? `kubernetes-models/${group}/${version}/${kind}` : `kubernetes-models/${version}/${kind}`;
  try {
    return (await import(modulePath))[kind];
  } catch {
    return undefined;
  }
}

function render(dir) {
  return execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The Prometheus Operator's custom resources (monitoring.coreos.com/v1): what the operator would reject. */
const OPERATOR_KINDS = {
  PodMonitor: (o) => {
    const endpoints = o.spec?.podMetricsEndpoints;
    if (!o.spec?.selector) return ['spec.selector is required'];
    if (!Array.isArray(endpoints) || endpoints.length === 0) return ['spec.podMetricsEndpoints is empty'];
    return endpoints.flatMap((e, i) => (typeof e.port === 'string' && e.port ? [] : [`spec.podMetricsEndpoints[${i}].port must name a container port`]));
  },
  PrometheusRule: (o) => {
    const groups = o.spec?.groups;
    if (!Array.isArray(groups) || groups.length === 0) return ['spec.groups is empty'];
    return groups.flatMap((g, i) =>
      !g.name || !Array.isArray(g.rules)
        ? [`spec.groups[${i}]: name and rules are required`]
        : g.rules.flatMap((r, j) => {
            const at = `spec.groups[${i}].rules[${j}]`;
            if (typeof r.expr !== 'string' || !r.expr.trim()) return [`${at}: expr is required`];
            if (!r.alert === !r.record) return [`${at}: exactly one of alert and record`];
            if (r.for !== undefined && !/^(\d+(ms|s|m|h|d|w|y))+$/.test(r.for)) return [`${at}: for "${r.for}" is not a duration`];
            return [];
          }),
    );
  },
};

const WORKLOADS = new Set(['Deployment', 'StatefulSet']);
const id = (o) => `${o.kind}/${o.metadata?.name}`;
const matches = (selector, labels) => Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels?.[k] === v);

/** What the security and availability promises require of one rendered overlay. */
function hardeningProblems(objects, overlay) {
  const problems = [];
  const workloads = objects.filter((o) => WORKLOADS.has(o.kind));
  for (const w of workloads) {
    const pod = w.spec.template.spec;
    const podLabels = w.spec.template.metadata?.labels;
    if (pod.securityContext?.runAsNonRoot !== true) problems.push(`${id(w)}: pod securityContext.runAsNonRoot is not true`);
    if (pod.securityContext?.seccompProfile?.type !== 'RuntimeDefault') problems.push(`${id(w)}: pod seccompProfile is not RuntimeDefault`);
    for (const c of pod.containers) {
      const where = `${id(w)} container ${c.name}`;
      const sc = c.securityContext ?? {};
      if (sc.allowPrivilegeEscalation !== false) problems.push(`${where}: allowPrivilegeEscalation is not false`);
      if (sc.readOnlyRootFilesystem !== true) problems.push(`${where}: readOnlyRootFilesystem is not true`);
      if (!(sc.capabilities?.drop ?? []).includes('ALL')) problems.push(`${where}: capabilities do not drop ALL`);
      if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory) problems.push(`${where}: no cpu and memory requests`);
      if (!c.resources?.limits?.memory) problems.push(`${where}: no memory limit`);
    }
    if (!pod.containers.some((c) => c.lifecycle?.preStop)) problems.push(`${id(w)}: no preStop hook`);
    if (!objects.some((o) => o.kind === 'PodDisruptionBudget' && matches(o.spec.selector, podLabels))) {
      problems.push(`${id(w)}: no PodDisruptionBudget selects its pods`);
    }
  }
  if (!objects.some((o) => o.kind === 'NetworkPolicy' && Object.keys(o.spec.podSelector ?? {}).length === 0 && !o.spec.ingress && !o.spec.egress)) {
    problems.push('no default-deny NetworkPolicy (empty podSelector, no rules)');
  }
  if (overlay === 'ha') {
    for (const d of workloads.filter((w) => w.kind === 'Deployment')) {
      const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler' && o.spec.scaleTargetRef.name === d.metadata.name);
      if (!hpa) problems.push(`${id(d)}: no HorizontalPodAutoscaler`);
      else if (hpa.spec.minReplicas < 2) problems.push(`${id(hpa)}: minReplicas below 2`);
      if (d.spec.replicas !== undefined) problems.push(`${id(d)}: sets replicas, which its autoscaler owns`);
    }
    const nats = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'nats');
    if (nats?.spec.replicas !== 3) problems.push('StatefulSet/nats: not 3 servers');
  }
  return problems;
}

async function checkOverlay(dir) {
  const name = path.basename(dir);
  let text;
  try {
    text = render(dir);
  } catch (e) {
    return [`${name}: kubectl kustomize failed: ${e.stderr || e.message}`];
  }
  const problems = [];
  const objects = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) problems.push(`${name}: YAML: ${doc.errors[0].message}`);
    const o = doc.toJS();
    if (o) objects.push(o);
  }
  for (const o of objects) {
    if (o.apiVersion === 'monitoring.coreos.com/v1' && OPERATOR_KINDS[o.kind]) {
      for (const p of OPERATOR_KINDS[o.kind](o)) problems.push(`${name}: ${id(o)}: ${p}`);
      continue;
    }
    const Model = await modelOf(o.apiVersion, o.kind);
    if (!Model) {
      problems.push(`${name}: ${o.apiVersion} ${id(o)}: no Kubernetes schema for this kind`);
      continue;
    }
    try {
      new Model(o).validate();
    } catch (e) {
      problems.push(`${name}: ${id(o)}: ${e.message}`);
    }
  }
  for (const p of hardeningProblems(objects, name)) problems.push(`${name}: ${p}`);
  process.stdout.write(`check-manifests: ${name}: ${objects.length} objects, ${problems.length} problems\n`);
  return problems;
}

const dirs = process.argv.length > 2 ? process.argv.slice(2).map((d) => path.resolve(d)) : readdirSync(OVERLAYS).map((d) => path.join(OVERLAYS, d));
const problems = [];
for (const dir of dirs) problems.push(...(await checkOverlay(dir)));
for (const p of problems) process.stderr.write(`  ${p}\n`);
process.exit(problems.length === 0 ? 0 : 1);
