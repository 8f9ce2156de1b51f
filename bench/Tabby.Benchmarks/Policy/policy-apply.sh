#!/usr/bin/env bash
# Policy benchmark: compiles and applies 1k and 10k policies over 1k endpoints with nftables
# (Tabby's dataplane, in a private network namespace) and applies the equivalent ipset +
# iptables-restore ruleset in the same run. Prints the machine, versions, and one table per size.
# Needs root. Usage: bench/Tabby.Benchmarks/Policy/policy-apply.sh [extra policy-apply args]
set -euo pipefail
cd "$(dirname "$0")/../../.."
[ "$(id -u)" -eq 0 ] || { echo "policy-apply.sh: needs root (network namespaces, nft, iptables)" >&2; exit 2; }
command -v ipset >/dev/null || { apt-get install -y -qq --no-install-recommends ipset >/dev/null; }

echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
echo "nproc: $(nproc)  kernel: $(uname -r)"
echo "nft: $(nft --version)  iptables: $(iptables-legacy --version)  ipset: $(ipset --version | head -1)"
echo "dotnet: $(dotnet --version)"
dotnet build bench/Tabby.Benchmarks -c Release --verbosity quiet -nologo >/dev/null
for policies in 1000 10000; do
  echo
  dotnet bench/Tabby.Benchmarks/bin/Release/net10.0/Tabby.Benchmarks.dll policy-apply --policies "$policies" --endpoints 1000 "$@" 2>/dev/null
done
