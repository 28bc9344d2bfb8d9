#!/usr/bin/env bash
# Deploy an image tag to a Kubernetes overlay: kube-deploy.sh <staging|production> <tag>
# (KUBE_CONFIG: a base64 kubeconfig, as CI keeps it; else the current kubectl context).
# Order: the migrate Job runs to completion first; then the Deployments roll, and new web
# pods take traffic only once /readyz sees their migrations applied. Rollback:
# `kubectl -n <namespace> rollout undo deployment/stockyard-web` (and worker, beat); the
# schema stays, which the previous release works on (docs/deployment.md).
set -euo pipefail
cd "$(dirname "$0")/.."
overlay=${1:?staging or production}
tag=${2:?image tag}
image=${IMAGE:-ghcr.io/stockyard/stockyard}
namespace=$([[ $overlay == production ]] && echo stockyard || echo "stockyard-$overlay")

if [[ -n ${KUBE_CONFIG:-} ]]; then
  export KUBECONFIG=$RUNNER_TEMP/kubeconfig
  base64 -d <<<"$KUBE_CONFIG" > "$KUBECONFIG"
fi

manifests=$(mktemp)
trap 'rm -f "$manifests"' EXIT
kubectl kustomize "deploy/k8s/overlays/$overlay" \
  | sed "s#image: ghcr.io/stockyard/stockyard:.*#image: $image:$tag#" > "$manifests"

kubectl -n "$namespace" delete job stockyard-migrate --ignore-not-found --wait=true
kubectl apply -f "$manifests" --selector app.kubernetes.io/component=migrate
kubectl -n "$namespace" wait --for=condition=complete job/stockyard-migrate --timeout=15m
kubectl apply -f "$manifests"
for deployment in stockyard-web stockyard-worker stockyard-beat; do
  kubectl -n "$namespace" rollout status "deployment/$deployment" --timeout=10m
done
