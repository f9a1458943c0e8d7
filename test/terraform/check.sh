#!/usr/bin/env bash
# Offline Terraform checks (make tf-check): fmt, init from the provider mirror with the committed
# lock file, validate, terraform test (mock provider), and the IAM-vs-code jest suites (IAM, environment, Glue tables against the code).
#
#   bash test/terraform/check.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TF="$ROOT/terraform/scripts/tf.sh"
cd "$ROOT"

step() { printf '\n== %s\n' "$*"; }
start=$(date +%s)

step "terraform fmt -check -recursive terraform"
terraform fmt -check -recursive -diff terraform

step "terraform init (offline mirror, lock file read-only)"
"$TF" init -input=false -backend=false -lockfile=readonly -no-color >/dev/null

step "terraform validate"
"$TF" validate -no-color

step "terraform test (mock provider)"
"$TF" test -no-color

step "IAM policies, environments and Glue tables match the code"
NODE_OPTIONS=--experimental-vm-modules npx jest --ci test/terraform/

echo "tf-check: passed in $(( $(date +%s) - start )) s"
