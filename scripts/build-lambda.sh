#!/usr/bin/env bash
# Release build of stresslens-lambda for AWS Lambda (provided.al2023), packaged as `bootstrap` in
# dist/stresslens-lambda.zip, with the architecture it was built for in dist/stresslens-lambda.arch
# (scripts/deploy.sh passes it to Terraform's lambda_architecture, which must match the binary).
#
# How, in order:
#   1. cargo-lambda, when installed:  cargo lambda build --release --arm64 --output-format zip
#   2. otherwise plain cargo cross-compiling to aarch64-unknown-linux-gnu: the Rust target from rustup and the
#      Debian cross linker gcc-aarch64-linux-gnu (both installed here when missing and possible);
#   3. if arm64 cannot be built on this machine, a build for the host architecture (x86_64), said loudly: deploy it
#      with lambda_architecture = "x86_64" (deploy.sh does that from the .arch file).
# LAMBDA_ARCH=x86_64 asks for an x86_64 build directly. CARGO_PROFILE (default dist, see Cargo.toml) applies to 2-3.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

CARGO=${CARGO:-cargo}
TARGET_DIR=${CARGO_TARGET_DIR:-target}
PROFILE=${CARGO_PROFILE:-dist}
WANT_ARCH=${LAMBDA_ARCH:-arm64}
DIST=$ROOT/dist
ZIP=$DIST/stresslens-lambda.zip
ARCH_FILE=$DIST/stresslens-lambda.arch
ARM_TARGET=aarch64-unknown-linux-gnu
# Amazon Linux 2023 (provided.al2023) ships glibc 2.34: a binary needing newer symbols would not start there.
MAX_GLIBC=2.34
mkdir -p "$DIST"

say() { echo "build-lambda: $*" >&2; }

# package BINARY ARCH: zip BINARY as `bootstrap` (mode 755) and record ARCH.
package() {
  local binary=$1 arch=$2
  python3 - "$binary" "$ZIP" <<'PY'
import sys, zipfile
binary, out = sys.argv[1], sys.argv[2]
info = zipfile.ZipInfo("bootstrap", date_time=(2020, 1, 1, 0, 0, 0))  # fixed date: same binary, same zip
info.external_attr = 0o755 << 16
info.compress_type = zipfile.ZIP_DEFLATED
with open(binary, "rb") as f, zipfile.ZipFile(out, "w") as z:
    z.writestr(info, f.read())
PY
  echo "$arch" >"$ARCH_FILE"
}

# check_glibc BINARY: fail when BINARY needs a glibc newer than provided.al2023 has.
check_glibc() {
  local needed
  needed=$(readelf --version-info --wide "$1" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -V | tail -n 1)
  if [[ -n $needed && $(printf '%s\n%s\n' "$needed" "$MAX_GLIBC" | sort -V | tail -n 1) != "$MAX_GLIBC" ]]; then
    say "ERROR: $1 needs glibc $needed but provided.al2023 has $MAX_GLIBC"
    return 1
  fi
  say "glibc symbols needed: up to ${needed:-none} (provided.al2023 has $MAX_GLIBC)"
}

report() {
  local arch=$1
  say "built $arch: $ZIP ($(stat -c %s "$ZIP") bytes, sha256 $(sha256sum "$ZIP" | cut -c1-16)...)"
  echo "architecture=$arch"
}

# 1. cargo-lambda
if [[ $WANT_ARCH == arm64 ]] && "$CARGO" lambda --version >/dev/null 2>&1; then
  say "cargo-lambda found: cargo lambda build --release --arm64 --output-format zip"
  "$CARGO" lambda build --release --arm64 --output-format zip -p stresslens-lambda
  cp "$TARGET_DIR/lambda/stresslens-lambda/bootstrap.zip" "$ZIP"
  echo arm64 >"$ARCH_FILE"
  report arm64
  exit 0
fi

# 2. cross-compiling with plain cargo
arm_toolchain_ready() {
  if ! rustup target list --installed 2>/dev/null | grep -qx "$ARM_TARGET"; then
    say "adding the Rust target $ARM_TARGET (rustup)"
    timeout 300 rustup target add "$ARM_TARGET" >&2 || return 1
  fi
  if ! command -v aarch64-linux-gnu-gcc >/dev/null; then
    [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null || return 1
    say "installing the cross linker gcc-aarch64-linux-gnu (apt-get)"
    { apt-get update -qq && apt-get install -y -qq gcc-aarch64-linux-gnu libc6-dev-arm64-cross; } >&2 || return 1
  fi
}

if [[ $WANT_ARCH == arm64 ]]; then
  if arm_toolchain_ready; then
    say "cross-compiling for $ARM_TARGET with cargo --profile $PROFILE (cargo-lambda is not installed)"
    export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
    export CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc
    export AR_aarch64_unknown_linux_gnu=aarch64-linux-gnu-ar
    "$CARGO" build --locked --profile "$PROFILE" --target "$ARM_TARGET" -p stresslens-lambda
    binary=$TARGET_DIR/$ARM_TARGET/$PROFILE/stresslens-lambda
    check_glibc "$binary"
    package "$binary" arm64
    report arm64
    exit 0
  fi
  say "#####################################################################################################"
  say "WARNING: cannot build for arm64 here (no rustup target $ARM_TARGET or no aarch64-linux-gnu-gcc)."
  say "Building for THIS machine's architecture instead: deploy with lambda_architecture = \"x86_64\"."
  say "#####################################################################################################"
fi

# 3. the host architecture
host=$(uname -m)
case $host in
  x86_64) arch=x86_64 ;;
  aarch64) arch=arm64 ;;
  *) say "ERROR: Lambda has no $host architecture"; exit 1 ;;
esac
say "building for the host ($arch) with cargo --profile $PROFILE"
"$CARGO" build --locked --profile "$PROFILE" -p stresslens-lambda
binary=$TARGET_DIR/$PROFILE/stresslens-lambda
check_glibc "$binary"
package "$binary" "$arch"
report "$arch"
