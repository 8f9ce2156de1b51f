#!/usr/bin/env bash
# BGP ingest benchmark (bgperf method, see shared/reference/anchors.md): PEERS injectors each
# announce ROUTES unique /32s to the TARGET (tabby, bird, frr or gobgp); a monitor peers with the
# target; we report the time from injector start until the target's Loc-RIB holds every route and
# until the monitor has received every route, the target's peak RSS (VmHWM), and the injectors'
# own send time (they pre-encode everything, so they are not the bottleneck: compare the numbers).
# Prints one line for people and "RESULT {json}" lines (one per metric) for bench.sh's summary.
#
# usage (root): [INGEST_TIMEOUT=SECONDS] bench/bgp/ingest.sh TARGET PEERS ROUTES   (default limit 900 s)
# build first:  dotnet build -c Release bench/Tabby.Benchmarks src/Ctl
set -euo pipefail
target=$1; peers=$2; routes=$3
root=$(cd "$(dirname "$0")/../.." && pwd)
bench="$root/bench/Tabby.Benchmarks/bin/Release/net10.0/Tabby.Benchmarks"
tabbyctl="$root/src/Ctl/bin/Release/net10.0/tabbyctl"
work=$(mktemp -d /tmp/bgp-ingest.XXXXXX)
t=bgpb-t-$$; i=bgpb-i-$$; m=bgpb-m-$$
total=$((peers * routes))
pids=()

cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 0.5
  for n in $t $i $m; do ip netns pids $n 2>/dev/null | xargs -r kill -9 2>/dev/null || true; ip netns del $n 2>/dev/null || true; done
}
trap cleanup EXIT

for n in $t $i $m; do ip netns add $n; ip -n $n link set lo up; done
ip link add bgpbi$$ type veth peer name bgpbt$$
ip link set bgpbi$$ netns $i; ip link set bgpbt$$ netns $t
ip -n $t addr add 192.0.2.1/24 dev bgpbt$$; ip -n $t link set bgpbt$$ up
for k in $(seq 1 "$peers"); do ip -n $i addr add 192.0.2.$((10 + k))/24 dev bgpbi$$; done
ip -n $i link set bgpbi$$ up
ip link add bgpbm$$ type veth peer name bgpbu$$
ip link set bgpbm$$ netns $m; ip link set bgpbu$$ netns $t
ip -n $t addr add 198.51.100.1/24 dev bgpbu$$; ip -n $t link set bgpbu$$ up
ip -n $m addr add 198.51.100.2/24 dev bgpbm$$; ip -n $m link set bgpbm$$ up

# Target configuration: AS 65000, injector k is AS 65100+k, the monitor AS 65999; all passive on the target.
case $target in
tabby)
  { echo "routerId: 192.0.2.1"; echo "asNumber: 65000"; echo 'listen: ["0.0.0.0:179"]'; echo "statusSocket: $work/tabby.sock"; echo "peers:"
    for k in $(seq 1 "$peers"); do echo "  - {address: 192.0.2.$((10 + k)), asNumber: $((65100 + k)), passive: true, holdTime: 240, exportPolicy: none}"; done
    echo "  - {address: 198.51.100.2, asNumber: 65999, passive: true, holdTime: 240}"
    echo "policies:"; echo "  none: {defaultAction: Reject}"; } > $work/tabby.yaml
  ip netns exec $t env DOTNET_gcServer=${TABBY_GC_SERVER:-0} DOTNET_GCConserveMemory=${TABBY_GC_CONSERVE:-0} DOTNET_TieredCompilation=${TABBY_TIERED:-1} "$tabbyctl" bgp serve -c $work/tabby.yaml --log-level warning > $work/target.log 2>&1 &
  # Ask the status socket directly (tabbyctl's own start-up would dominate a 0.25 s poll).
  count_cmd() { python3 -c 'import json,socket,sys
s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"status\n"); s.shutdown(socket.SHUT_WR)
d=b""
while True:
    c=s.recv(65536)
    if not c: break
    d+=c
print(json.loads(d)["prefixes"])' $work/tabby.sock 2>/dev/null || echo 0; } ;;
bird)
  { echo "router id 192.0.2.1;"; echo "protocol device {}"
    for k in $(seq 1 "$peers"); do echo "protocol bgp i$k { local 192.0.2.1 as 65000; neighbor 192.0.2.$((10 + k)) as $((65100 + k)); passive on; ipv4 { import all; export none; }; }"; done
    echo "protocol bgp mon { local 198.51.100.1 as 65000; neighbor 198.51.100.2 as 65999; passive on; ipv4 { import none; export all; }; }"; } > $work/bird.conf
  ip netns exec $t bird -f -c $work/bird.conf -s $work/bird.ctl -P $work/bird.pid > $work/target.log 2>&1 &
  count_cmd() { ip netns exec $t birdc -s $work/bird.ctl show route count 2>/dev/null | awk '/routes for/ {print $1; exit}' || echo 0; } ;;
frr)
  mkdir -p $work/vty
  { echo "frr defaults traditional"; echo "router bgp 65000"; echo " bgp router-id 192.0.2.1"; echo " no bgp ebgp-requires-policy"
    for k in $(seq 1 "$peers"); do echo " neighbor 192.0.2.$((10 + k)) remote-as $((65100 + k))"; echo " neighbor 192.0.2.$((10 + k)) passive"; done
    echo " neighbor 198.51.100.2 remote-as 65999"; echo " neighbor 198.51.100.2 passive"
    echo " address-family ipv4 unicast"
    for k in $(seq 1 "$peers"); do echo "  neighbor 192.0.2.$((10 + k)) route-map NONE out"; done
    echo " exit-address-family"; echo "route-map NONE deny 10"; } > $work/bgpd.conf
  ip netns exec $t /usr/lib/frr/bgpd -Z -S -n -f $work/bgpd.conf -i $work/bgpd.pid --vty_socket $work/vty -P 0 -u root -g root > $work/target.log 2>&1 &
  count_cmd() { ip netns exec $t vtysh --vty_socket $work/vty -c "show bgp ipv4 unicast summary json" 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("ipv4Unicast", d).get("ribCount", 0))' 2>/dev/null || echo 0; } ;;
gobgp)
  { echo "[global.config]"; echo "  as = 65000"; echo '  router-id = "192.0.2.1"'
    for k in $(seq 1 "$peers"); do printf '[[neighbors]]\n  [neighbors.config]\n    neighbor-address = "192.0.2.%d"\n    peer-as = %d\n  [neighbors.transport.config]\n    passive-mode = true\n  [neighbors.apply-policy.config]\n    default-export-policy = "reject-route"\n' $((10 + k)) $((65100 + k)); done
    printf '[[neighbors]]\n  [neighbors.config]\n    neighbor-address = "198.51.100.2"\n    peer-as = 65999\n  [neighbors.transport.config]\n    passive-mode = true\n'; } > $work/gobgpd.toml
  ip netns exec $t gobgpd -f $work/gobgpd.toml --api-hosts 127.0.0.1:50051 --pprof-disable --log-level=warn > $work/target.log 2>&1 &
  count_cmd() { ip netns exec $t gobgp -u 127.0.0.1 -p 50051 global rib summary -a ipv4 2>/dev/null | awk -F'[:,]' '/Destination/ {gsub(/ /,"",$2); print $2; exit}' || echo 0; } ;;
*) echo "unknown target $target (tabby, bird, frr, gobgp)" >&2; exit 2 ;;
esac
target_pid=$!
pids+=("$target_pid")
sleep 2

ip netns exec $m "$bench" bgp-monitor 198.51.100.1 198.51.100.2 65999 "$total" > $work/monitor.log 2>&1 &
monitor_pid=$!
pids+=("$monitor_pid")
for _ in $(seq 1 240); do grep -q "monitor established" $work/monitor.log 2>/dev/null && break; sleep 0.5; done

# Injectors start, encode and connect first; the clock starts when they are all told to send.
for k in $(seq 1 "$peers"); do
  ip netns exec $i "$bench" bgp-inject 192.0.2.1 192.0.2.$((10 + k)) $((65100 + k)) "$routes" $(( (k - 1) * routes )) $work/go > $work/inject-$k.log 2>&1 &
  pids+=("$!")
done
for _ in $(seq 1 600); do [ "$(cat $work/inject-*.log 2>/dev/null | grep -c 'inject ready')" -ge "$peers" ] && break; sleep 0.2; done
sleep 1
cpu_ticks() { awk '{sub(/^.*\) /, ""); print $12 + $13}' /proc/$target_pid/stat 2>/dev/null || echo 0; }
cpu_before=$(cpu_ticks)
start=$(date +%s%3N)
touch $work/go

locrib=""
while kill -0 $monitor_pid 2>/dev/null; do
  if [ -z "$locrib" ]; then
    n=$(count_cmd); n=${n:-0}
    if [ "$n" -ge "$total" ] 2>/dev/null; then locrib=$(( $(date +%s%3N) - start )); fi
  fi
  now=$(date +%s%3N)
  if [ $((now - start)) -gt $(( ${INGEST_TIMEOUT:-900} * 1000 )) ]; then echo "timeout: not every route after ${INGEST_TIMEOUT:-900} s" >&2; break; fi
  sleep 0.25
done
# The same limit holds for the monitor: a target still re-advertising then has no result.
while kill -0 $monitor_pid 2>/dev/null && [ $(( $(date +%s%3N) - start )) -le $(( ${INGEST_TIMEOUT:-900} * 1000 )) ]; do sleep 0.25; done
kill $monitor_pid 2>/dev/null || true
wait $monitor_pid 2>/dev/null || true
done_ms=$(awk '/monitor received/ {print $(NF-1)}' $work/monitor.log)
rss_kb=$(awk '/VmHWM/ {print $2}' /proc/$target_pid/status 2>/dev/null || echo 0)
# The target's CPU time (user + system, all threads) while it is still running: the machine is
# shared, so wall times move with other load and CPU seconds are the steadier comparison.
# Total includes start-up (the .NET runtime's JIT for Tabby); "ingest" is from the start signal on.
cpu_after=$(cpu_ticks)
hz=$(getconf CLK_TCK)
cpu_s=$(awk "BEGIN {printf \"%.2f\", $cpu_after / $hz}")
cpu_ingest_s=$(awk "BEGIN {printf \"%.2f\", ($cpu_after - $cpu_before) / $hz}")
inject_max=$(cat $work/inject-*.log | awk '/sent/ {if ($(NF-1) > m) m = $(NF-1)} END {print m}')
version=$(case $target in tabby) echo "tabby $(git -C "$root" rev-parse --short HEAD)";; bird) bird --version 2>&1 | head -1;; frr) /usr/lib/frr/bgpd --version 2>&1 | head -1;; gobgp) gobgpd --version 2>&1 | head -1;; esac)
printf '%s | %s x %s | loc-rib %s s | monitor %s s | peak RSS %s MiB | CPU %s s (ingest %s s) | injector send max %s s | %s\n' \
  "$target" "$peers" "$routes" \
  "$( [ -n "$locrib" ] && awk "BEGIN {printf \"%.2f\", $locrib/1000}" || echo "n/a")" \
  "$( [ -n "$done_ms" ] && awk "BEGIN {printf \"%.2f\", ($done_ms - $start)/1000}" || echo "n/a")" \
  "$(awk "BEGIN {printf \"%.0f\", $rss_kb/1024}")" "$cpu_s" "$cpu_ingest_s" "$inject_max" "$version"
record() {  # METRIC VALUE UNIT KIND (nothing when the value was not measured)
  [ -n "$2" ] || return 0
  printf 'RESULT {"scenario": "ingest", "case": "%s x %s", "tool": "%s", "metric": "%s", "value": %s, "unit": "%s", "kind": "%s"}\n' "$peers" "$routes" "$target" "$1" "$2" "$3" "$4"
}
record "Loc-RIB has all" "$( [ -n "$locrib" ] && awk "BEGIN {printf \"%.3f\", $locrib/1000}" || true)" s time
record "monitor has all" "$( [ -n "$done_ms" ] && awk "BEGIN {printf \"%.3f\", ($done_ms - $start)/1000}" || true)" s time
record "CPU" "$cpu_s" s cpu
record "CPU during ingest" "$cpu_ingest_s" s cpu
record "peak RSS" "$(awk "BEGIN {printf \"%.0f\", $rss_kb/1024}")" MiB memory
