#!/usr/bin/env bash
# Records the OPEN and UPDATE messages BIRD, FRR, GoBGP and ExaBGP send, as hex, into captures/.
# Run as root (needs `ip netns`): tests/Tabby.Bgp.Tests/testdata/capture.sh [bird|frr|gobgp|exabgp ...]
#
# For each daemon: two namespaces cap-<d>-s (the daemon, AS 4200000001, 192.0.2.1 / 2001:db8::1)
# and cap-<d>-r (capture_responder.py, AS 65002, 192.0.2.2 / 2001:db8::2) joined by a veth pair.
# The daemon opens one IPv4 session (IPv4 unicast) and one IPv6 session (IPv6 unicast) to the
# responder, which offers 4-octet AS, ADD-PATH, graceful restart, route refresh and extended message.
# The daemon announces routes with communities, large communities, extended communities and MED.
# tcpdump records the sessions in the responder namespace; extract_messages.py cuts the TCP
# streams into whole BGP messages. Everything is deleted afterwards.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$HERE/captures
WORK=$(mktemp -d /tmp/cap-work.XXXXXX)
SECONDS_PER_DAEMON=${SECONDS_PER_DAEMON:-14}
mkdir -p "$OUT"

setup_ns() {
  local d=$1
  ip netns add "cap-$d-s"; ip netns add "cap-$d-r"
  ip link add "cap-$d-a" netns "cap-$d-s" type veth peer name "cap-$d-b" netns "cap-$d-r"
  ip -n "cap-$d-s" link set lo up; ip -n "cap-$d-r" link set lo up
  ip -n "cap-$d-s" addr add 192.0.2.1/24 dev "cap-$d-a"
  ip -n "cap-$d-s" addr add 2001:db8::1/64 dev "cap-$d-a" nodad
  ip -n "cap-$d-r" addr add 192.0.2.2/24 dev "cap-$d-b"
  ip -n "cap-$d-r" addr add 2001:db8::2/64 dev "cap-$d-b" nodad
  ip -n "cap-$d-s" link set "cap-$d-a" up; ip -n "cap-$d-r" link set "cap-$d-b" up
  sleep 2 # link-local addresses finish DAD
}

teardown_ns() {
  local d=$1
  ip netns pids "cap-$d-s" 2>/dev/null | xargs -r kill 2>/dev/null || true
  ip netns pids "cap-$d-r" 2>/dev/null | xargs -r kill 2>/dev/null || true
  sleep 1
  ip netns del "cap-$d-s" 2>/dev/null || true
  ip netns del "cap-$d-r" 2>/dev/null || true
}

start_capture() {
  local d=$1
  ip netns exec "cap-$d-r" tcpdump -i "cap-$d-b" -w "$WORK/$d.pcap" -U 'tcp port 179' >/dev/null 2>&1 &
  sleep 1
  ip netns exec "cap-$d-r" python3 "$HERE/capture_responder.py" "$SECONDS_PER_DAEMON" &
  sleep 0.5
}

run_bird() {
  cat > "$WORK/bird.conf" <<'CONF'
router id 192.0.2.1;
protocol device {}
protocol static s4 { ipv4; route 198.51.100.0/24 unreachable; route 203.0.113.0/25 unreachable; route 203.0.113.128/25 unreachable; }
protocol static s6 { ipv6; route 2001:db8:100::/48 unreachable; route 2001:db8:200::/64 unreachable; }
filter add_communities {
  if net = 198.51.100.0/24 then { bgp_community.add((65000,100)); bgp_community.add((65535,0)); bgp_large_community.add((4200000001,1,2)); bgp_ext_community.add((rt,65000,1)); }
  if net = 203.0.113.128/25 then bgp_med = 50;
  if net = 2001:db8:100::/48 then { bgp_community.add((65000,200)); bgp_large_community.add((4200000001,3,4)); }
  accept;
}
protocol bgp up4 { local 192.0.2.1 as 4200000001; neighbor 192.0.2.2 as 65002; graceful restart on; long lived graceful restart on; ipv4 { import none; export filter add_communities; add paths tx; }; }
protocol bgp up6 { local 2001:db8::1 as 4200000001; neighbor 2001:db8::2 as 65002; interface "cap-bird-a"; graceful restart on; ipv6 { import none; export filter add_communities; add paths tx; }; }
CONF
  ip netns exec cap-bird-s bird -f -c "$WORK/bird.conf" -s "$WORK/bird.ctl" -P "$WORK/bird.pid" &
}

run_frr() {
  mkdir -p "$WORK/frr"
  cat > "$WORK/frr/bgpd.conf" <<'CONF'
hostname cap-frr
route-map SET4 permit 10
 set community 65000:100 graceful-shutdown
 set large-community 4200000001:1:2
 set extcommunity rt 65000:1
route-map SET6 permit 10
 set community 65000:200
 set large-community 4200000001:3:4
router bgp 4200000001
 bgp router-id 192.0.2.1
 no bgp ebgp-requires-policy
 no bgp network import-check
 bgp graceful-restart
 neighbor 192.0.2.2 remote-as 65002
 neighbor 2001:db8::2 remote-as 65002
 address-family ipv4 unicast
  network 198.51.100.0/24 route-map SET4
  network 203.0.113.0/25
  neighbor 192.0.2.2 addpath-tx-all-paths
  no neighbor 2001:db8::2 activate
 exit-address-family
 address-family ipv6 unicast
  network 2001:db8:100::/48 route-map SET6
  network 2001:db8:200::/64
  neighbor 2001:db8::2 activate
  neighbor 2001:db8::2 addpath-tx-all-paths
 exit-address-family
CONF
  ip netns exec cap-frr-s /usr/lib/frr/bgpd -Z -S -n -f "$WORK/frr/bgpd.conf" -i "$WORK/frr/bgpd.pid" \
    --vty_socket "$WORK/frr" -P 0 -u root -g root >/dev/null 2>&1 &
}

run_gobgp() {
  cat > "$WORK/gobgp.toml" <<'CONF'
[global.config]
  as = 4200000001
  router-id = "192.0.2.1"
  port = -1
[[neighbors]]
  [neighbors.config]
    neighbor-address = "192.0.2.2"
    peer-as = 65002
  [neighbors.transport.config]
    local-address = "192.0.2.1"
  [neighbors.graceful-restart.config]
    enabled = true
    restart-time = 120
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true
    [neighbors.afi-safis.add-paths.config]
      send-max = 8
      receive = true
[[neighbors]]
  [neighbors.config]
    neighbor-address = "2001:db8::2"
    peer-as = 65002
  [neighbors.transport.config]
    local-address = "2001:db8::1"
  [neighbors.graceful-restart.config]
    enabled = true
    restart-time = 120
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true
    [neighbors.afi-safis.add-paths.config]
      send-max = 8
      receive = true
CONF
  ip netns exec cap-gobgp-s gobgpd -f "$WORK/gobgp.toml" --api-hosts 127.0.0.1:50051 --pprof-disable >"$WORK/gobgpd.log" 2>&1 &
  sleep 3
  local g="ip netns exec cap-gobgp-s gobgp -u 127.0.0.1 -p 50051"
  $g global rib -a ipv4 add 198.51.100.0/24 nexthop 192.0.2.1 community 65000:100,65000:101 large-community 4200000001:1:2
  $g global rib -a ipv4 add 203.0.113.0/25 nexthop 192.0.2.1 med 50
  $g global rib -a ipv6 add 2001:db8:100::/48 nexthop 2001:db8::1 community 65000:200 large-community 4200000001:3:4
  $g global rib -a ipv6 add 2001:db8:200::/64 nexthop 2001:db8::1
}

run_exabgp() {
  cat > "$WORK/exabgp.conf" <<'CONF'
neighbor 192.0.2.2 {
  router-id 192.0.2.1;
  local-address 192.0.2.1;
  local-as 4200000001;
  peer-as 65002;
  hold-time 90;
  family { ipv4 unicast; }
  capability { asn4 enable; add-path send/receive; graceful-restart 120; route-refresh; }
  static {
    route 198.51.100.0/24 next-hop 192.0.2.1 community [ 65000:100 no-export ] large-community [ 4200000001:1:2 ] extended-community [ target:65000:1 ] path-information 1;
    route 203.0.113.0/25 next-hop 192.0.2.1 med 50 as-path [ 65010 65011 ] path-information 2;
  }
}
neighbor 2001:db8::2 {
  router-id 192.0.2.1;
  local-address 2001:db8::1;
  local-as 4200000001;
  peer-as 65002;
  hold-time 90;
  family { ipv6 unicast; }
  capability { asn4 enable; add-path send/receive; graceful-restart 120; route-refresh; }
  static {
    route 2001:db8:100::/48 next-hop 2001:db8::1 community [ 65000:200 ] large-community [ 4200000001:3:4 ] path-information 1;
    route 2001:db8:200::/64 next-hop 2001:db8::1 path-information 2;
  }
}
CONF
  ip netns exec cap-exabgp-s env exabgp.daemon.user=root exabgp.log.destination=stdout exabgp.api.cli=false \
    exabgp "$WORK/exabgp.conf" >"$WORK/exabgp.log" 2>&1 &
}

capture() {
  local d=$1
  echo "capture.sh: $d" >&2
  teardown_ns "$d"
  setup_ns "$d"
  start_capture "$d"
  "run_$d"
  sleep "$SECONDS_PER_DAEMON"
  teardown_ns "$d"
  python3 "$HERE/extract_messages.py" "$WORK/$d.pcap" "$OUT" "$d" 192.0.2.1 2001:db8::1
}

for d in "${@:-bird frr gobgp exabgp}"; do
  for one in $d; do capture "$one" || echo "capture.sh: $one failed" >&2; done
done
echo "capture.sh: pcaps and logs kept in $WORK" >&2
