#!/usr/bin/env bash
# Installs (apt, Debian 12) what building, testing and the lab need; does nothing when all of it is
# present already, so it is cheap to call before every run.
set -euo pipefail

packages=(
  cmake ninja-build g++ clang libclang-rt-14-dev clang-format
  libboost1.81-dev libboost-json1.81-dev libboost-program-options1.81-dev catch2
  iproute2 procps psmisc util-linux file tcpdump keepalived docker.io debootstrap wrk
  chromium ca-certificates curl python3 prometheus
  # The arm64 build: Debian's cross compiler and arm64 Boost, its tests under qemu.
  g++-aarch64-linux-gnu qemu-user-static libboost1.81-dev:arm64 libboost-json1.81-dev:arm64
  libboost-program-options1.81-dev:arm64
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' ||
    missing+=("$package")
done
# Node.js may come from elsewhere than Debian (npm ships with it there): check the commands.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}; run as root (or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64
apt-get update -qq
# Daemons installed here are started by the tests themselves, never by the package scripts.
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
chmod +x /usr/sbin/policy-rc.d
trap 'rm -f /usr/sbin/policy-rc.d' EXIT
apt-get install -y -qq --no-install-recommends "${missing[@]}"
