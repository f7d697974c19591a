# shellcheck shell=bash
# Offline Terraform: source this file, then call `tf_offline_env`. It writes a CLI config that installs providers
# only from the local filesystem mirror (no registry access) and exports TF_CLI_CONFIG_FILE to it; the machine's
# environment points TF_CLI_CONFIG_FILE at a file that does not exist, so we always override it.

# tf_mirror_dir: the provider mirror (TF_PLUGIN_MIRROR overrides; default /opt/tf-plugins), or fail.
tf_mirror_dir() {
  local dir=${TF_PLUGIN_MIRROR:-/opt/tf-plugins}
  if [[ ! -d "$dir/registry.terraform.io/hashicorp/aws" ]]; then
    echo "terraform: no AWS provider in the mirror $dir (set TF_PLUGIN_MIRROR to a filesystem mirror)" >&2
    return 1
  fi
  echo "$dir"
}

# tf_offline_env [CONFIG_DIR]: write CONFIG_DIR/terraformrc (default .cache/terraform) and export the settings.
tf_offline_env() {
  local config_dir=${1:-${TF_OFFLINE_CONFIG_DIR:-.cache/terraform}} mirror
  command -v terraform >/dev/null || { echo "terraform: not on PATH (need >= 1.11)" >&2; return 1; }
  mirror=$(tf_mirror_dir) || return 1
  mkdir -p "$config_dir"
  config_dir=$(cd "$config_dir" && pwd)
  cat > "$config_dir/terraformrc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/*/*"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
RC
  export TF_CLI_CONFIG_FILE="$config_dir/terraformrc"
  export CHECKPOINT_DISABLE=1
  export TF_IN_AUTOMATION=1
}
