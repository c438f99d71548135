#!/usr/bin/env bash
# Validate the Kubernetes manifests without a cluster: render every kustomize overlay under
# deploy/kubernetes/overlays with `kubectl kustomize`, then check each object against the JSON schema
# of its kind (the kubernetes-models npm package, generated from the Kubernetes OpenAPI spec) and the
# deployment's security and availability rules (scripts/check-manifests.mjs).
# Usage: .ci/check-manifests.sh   (after npm ci; needs kubectl)
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v kubectl >/dev/null 2>&1; then
  echo "check-manifests: kubectl is not installed (it renders the kustomize overlays)" >&2
  exit 2
fi
echo "check-manifests: $(kubectl version --client 2>/dev/null | grep -i kustomize || echo 'kubectl kustomize')" >&2
node scripts/check-manifests.mjs
echo "check-manifests: the rendered manifests are valid" >&2
