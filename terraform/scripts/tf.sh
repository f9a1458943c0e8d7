#!/usr/bin/env bash
# Runs terraform for the oplake root module (or any directory given with -chdir=...).
# Uses the offline provider mirror when /opt/tf-plugins exists (CI and the development machines),
# the public registry otherwise. Usage: terraform/scripts/tf.sh [-chdir=DIR] <terraform args...>
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ -d /opt/tf-plugins ]]; then
  export TF_CLI_CONFIG_FILE="$here/terraformrc.offline"
elif [[ -n "${TF_CLI_CONFIG_FILE:-}" && ! -f "$TF_CLI_CONFIG_FILE" ]]; then
  unset TF_CLI_CONFIG_FILE
fi
export TF_IN_AUTOMATION="${TF_IN_AUTOMATION:-1}"
export CHECKPOINT_DISABLE=1
if [[ "${1:-}" == -chdir=* ]]; then
  exec terraform "$@"
fi
exec terraform -chdir="$here" "$@"
