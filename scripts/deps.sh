#!/usr/bin/env bash
# Installs what a fresh machine of this kind lacks for `make test` and `make demo`, and nothing when all is there:
# Debian packages (apt-get update runs only when one is missing), the project's Python venvs from exact locks.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/lib/venv.sh
source scripts/lib/venv.sh

# command -> Debian package that provides it
declare -A PACKAGE_OF=(
  [curl]=curl          # stack health checks
  [jq]=jq              # reading Terraform outputs and AWS CLI answers
  [node]=nodejs        # LocalStack runs Kinesis on kinesis-local, a Node program
  [npm]=npm            # ... which it installs with npm on first use
  [ps]=procps          # stopping the stack and its children by PID
  [setsid]=util-linux  # starting the stack in its own process group
  [make]=make
  [cc]=gcc             # crates that build C code
)

missing=()
for command in "${!PACKAGE_OF[@]}"; do
  command -v "$command" >/dev/null 2>&1 || missing+=("${PACKAGE_OF[$command]}")
done
if ((${#missing[@]})); then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  echo "deps: installing Debian packages: ${missing[*]}" >&2
  if ((EUID != 0)); then
    echo "deps: need root for apt-get (run: sudo apt-get install -y ${missing[*]})" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# LocalStack needs Python >= 3.12 (3.11 fails on its syntax); pyenv on this kind of machine has 3.12 and 3.13.
python_ls=$(python_at 3.13 2>/dev/null || python_at 3.12 2>/dev/null) || {
  echo "deps: LocalStack needs Python 3.13 or 3.12 and neither was found (pyenv: /root/.pyenv/versions)" >&2
  exit 1
}
ensure_venv .venv-localstack "$python_ls" requirements/localstack.txt
ensure_venv .venv-tests "$python_ls" requirements/tests.txt

# moto server only when asked for (LOCAL_AWS=moto); the system Python of this kind of machine ships it.
if [[ ${LOCAL_AWS:-localstack} == moto ]] && ! python3 -c 'import moto.server' 2>/dev/null; then
  echo "deps: installing moto server into $(command -v python3)" >&2
  python3 -m pip install --quiet --disable-pip-version-check 'moto[server]==5.2.1'
fi

command -v terraform >/dev/null 2>&1 || echo "deps: warning: terraform is not on PATH (needed by infra checks and provisioning)" >&2
exit 0
