#!/usr/bin/env bash
# Runs every Tabby test: installs the Debian packages the tests need when missing (real BGP daemons,
# etcd, nftables, tcpdump), restores, builds, runs each test project, and ends with one line
# "N passed, N failed, N skipped". Extra arguments go to `dotnet test` (e.g. --filter Bgp).
set -euo pipefail
cd "$(dirname "$0")"

PACKAGES=(bird2 frr gobgpd exabgp etcd-server etcd-client nftables iptables iproute2 iputils-ping
          tcpdump tshark conntrack procps kmod)
CONFIGURATION=${CONFIGURATION:-Release}
RESULTS=${RESULTS:-$PWD/TestResults}

scripts/install-packages.sh "${PACKAGES[@]}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet restore Tabby.sln --verbosity quiet
dotnet build Tabby.sln -c "$CONFIGURATION" --no-restore --verbosity quiet -nologo

rm -rf "$RESULTS"
status=0
dotnet test Tabby.sln -c "$CONFIGURATION" --no-build --nologo \
  --results-directory "$RESULTS" --logger "trx" --logger "console;verbosity=normal" \
  --blame-hang-timeout 10m "$@" || status=$?

# The lab end to end (the README's main job), when root: mesh and route reflector, each without
# encapsulation and with VXLAN; the first also restarts an agent under a continuous ping (no ping
# may be lost), the third applies a NetworkPolicy the ping matrix and policy trace must follow.
# Each is one test in the closing count. LAB_CHECKS=0 skips them.
lab_passed=0 lab_failed=0
if [ "$(id -u)" -eq 0 ] && [ "${LAB_CHECKS:-1}" != 0 ]; then
  for variant in "--mode mesh --encap none --restart-check" "--mode mesh --encap vxlan" "--mode rr --encap none --policy-check" "--mode rr --encap vxlan"; do
    # shellcheck disable=SC2086
    if ./lab.sh --check $variant > "$RESULTS/lab-${variant// /_}.log" 2>&1; then
      echo "  Passed lab ($variant)"
      lab_passed=$((lab_passed + 1))
    else
      echo "  Failed lab ($variant); its output:"
      sed 's/^/    /' "$RESULTS/lab-${variant// /_}.log" | tail -60
      lab_failed=$((lab_failed + 1))
    fi
  done
fi

# The benchmark harness at smoke size (every scenario, side by side with the peers), so it never
# rots: one more test in the closing count. BENCH_SMOKE=0 skips it.
if [ "$(id -u)" -eq 0 ] && [ "${BENCH_SMOKE:-1}" != 0 ]; then
  if ./bench.sh --smoke > "$RESULTS/bench-smoke.log" 2>&1; then
    echo "  Passed bench smoke"
    lab_passed=$((lab_passed + 1))
  else
    echo "  Failed bench smoke; its output:"
    sed 's/^/    /' "$RESULTS/bench-smoke.log" | tail -40
    lab_failed=$((lab_failed + 1))
  fi
fi

# One closing count over every project's TRX file.
passed=0 failed=0 skipped=0
shopt -s nullglob
for trx in "$RESULTS"/*.trx; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" || true)
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  # Skipped tests are counted in total only (xunit's TRX leaves notExecuted at 0).
  p=$(get passed) f=$(( $(get failed) + $(get error) + $(get timeout) + $(get aborted) ))
  passed=$((passed + p))
  failed=$((failed + f))
  skipped=$((skipped + $(get total) - p - f))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1  # the runner itself failed (crash, hang, build of a test host)
fi
passed=$((passed + lab_passed))
failed=$((failed + lab_failed))
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
