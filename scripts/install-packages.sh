#!/usr/bin/env bash
# Installs the Debian packages named as arguments that are missing (as root; otherwise says what is
# missing and returns). Package scripts are kept from starting their daemons (bird, frr, etcd):
# tests, the lab and benchmarks start private instances.
set -euo pipefail
missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "install-packages: missing ${missing[*]}; run as root to install them" >&2
  exit 0
fi
echo "install-packages: installing ${missing[*]}" >&2
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
trap 'rm -f /usr/sbin/policy-rc.d' EXIT
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
