# shellcheck shell=bash
# ensure_venv DIR PYTHON REQUIREMENTS: create DIR as a venv of PYTHON and install the exact lock REQUIREMENTS,
# reinstalling only when the lock changed (a stamp holds its sha256). Prints nothing on a warm cache.
ensure_venv() {
  local dir=$1 python=$2 reqs=$3
  local want; want=$(sha256sum "$reqs" | cut -d' ' -f1)
  if [[ -x "$dir/bin/python" && -f "$dir/.lock-sha256" && "$(cat "$dir/.lock-sha256")" == "$want" ]]; then
    return 0
  fi
  echo "venv: installing $reqs into $dir" >&2
  rm -rf "$dir"
  "$python" -m venv "$dir"
  "$dir/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$reqs"
  echo "$want" > "$dir/.lock-sha256"
}

# python_at VERSION: path of a pyenv Python of that minor version (e.g. 3.13), or fail.
python_at() {
  local v=$1 p
  for p in "/root/.pyenv/versions/$v".*/bin/python3 "$(command -v "python$v" 2>/dev/null)"; do
    [[ -x "$p" ]] && { echo "$p"; return 0; }
  done
  echo "python $v not found (pyenv versions under /root/.pyenv/versions)" >&2
  return 1
}
