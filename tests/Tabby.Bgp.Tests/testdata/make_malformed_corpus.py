#!/usr/bin/env python3
"""Generates malformed-corpus.txt: one malformed BGP message per line with the exact outcome expected.

Line format:  name | options | expected | hex
  options   '-' (2-octet AS, no ADD-PATH, 4096 bytes), or comma list of: as4, ext, addpath4, addpath6
  expected  'CODE/SUBCODE HANDLING [data=HEX]' where HANDLING is session-reset, treat-as-withdraw or
            attribute-discard (RFC 7606 section 2); for UPDATEs that are not reset, the error with the
            most severe handling must have that code/subcode (and data, when given).
Run: python3 make_malformed_corpus.py > malformed-corpus.txt   (the output is checked in)
"""
import struct

def msg(kind, body, marker=b"\xff" * 16, length=None):
    return marker + struct.pack("!HB", 19 + len(body) if length is None else length, kind) + body

def attr(flags, code, value):
    if flags & 0x10 or len(value) > 255:
        return struct.pack("!BBH", flags | 0x10, code, len(value)) + value
    return struct.pack("!BBB", flags, code, len(value)) + value

def update(withdrawn=b"", attrs=b"", nlri=b"", wlen=None, alen=None):
    return msg(2, struct.pack("!H", len(withdrawn) if wlen is None else wlen) + withdrawn
               + struct.pack("!H", len(attrs) if alen is None else alen) + attrs + nlri)

ORIGIN = attr(0x40, 1, b"\x00")
ASPATH = attr(0x40, 2, b"\x02\x01" + struct.pack("!H", 65001))
ASPATH4 = attr(0x40, 2, b"\x02\x01" + struct.pack("!I", 65001))
NEXTHOP = attr(0x40, 3, bytes([192, 0, 2, 1]))
BASE = ORIGIN + ASPATH + NEXTHOP
NLRI = bytes([24, 198, 51, 100])
MP_V6_NLRI = bytes([48, 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00])
V6_NH = bytes.fromhex("20010db8000000000000000000000001")

def mp_reach(afi, safi, nh, nlri):
    return attr(0x80, 14, struct.pack("!HBB", afi, safi, len(nh)) + nh + b"\x00" + nlri)

def open_body(version=4, asn=65001, hold=90, bgpid=bytes([192, 0, 2, 1]), params=None):
    caps = bytes([2, 6, 1, 4, 0, 1, 0, 1])
    params = caps if params is None else params
    return struct.pack("!BHH4sB", version, asn, hold, bgpid, len(params)) + params

cases = []
def case(name, options, expected, data):
    cases.append(f"{name} | {options} | {expected} | {data.hex()}")

# Message header errors (RFC 4271 section 6.1)
case("bad-marker", "-", "1/1 session-reset data=", msg(4, b"", marker=b"\xff" * 15 + b"\xfe"))
case("length-below-19", "-", "1/2 session-reset data=0012", msg(4, b"", length=18))
case("length-above-4096", "-", "1/2 session-reset data=1001", msg(2, b"\x00" * 4, length=4097))
case("open-above-4096-even-extended", "ext", "1/2 session-reset data=1001", msg(1, b"\x00" * 10, length=4097))
case("keepalive-length-20", "-", "1/2 session-reset data=0014", msg(4, b"\x00"))
case("open-length-28", "-", "1/2 session-reset data=001c", msg(1, b"\x00" * 9))
case("update-length-22", "-", "1/2 session-reset data=0016", msg(2, b"\x00" * 3))
case("notification-length-20", "-", "1/2 session-reset data=0014", msg(3, b"\x06"))
case("bad-type-0", "-", "1/3 session-reset data=00", msg(0, b""))
case("bad-type-6", "-", "1/3 session-reset data=06", msg(6, b""))
case("bad-type-255", "-", "1/3 session-reset data=ff", msg(255, b""))

# OPEN message errors (RFC 4271 section 6.2, RFC 5492, RFC 9072)
case("open-version-3", "-", "2/1 session-reset data=0004", msg(1, open_body(version=3)))
case("open-hold-time-1", "-", "2/6 session-reset data=", msg(1, open_body(hold=1)))
case("open-hold-time-2", "-", "2/6 session-reset data=", msg(1, open_body(hold=2)))
case("open-bgp-identifier-0", "-", "2/3 session-reset data=", msg(1, open_body(bgpid=b"\x00" * 4)))
case("open-optional-parameter-type-1", "-", "2/4 session-reset data=", msg(1, open_body(params=bytes([1, 2, 0, 0]))))
case("open-parameters-length-mismatch", "-", "2/0 session-reset", msg(1, open_body()[:-1] + b""))
case("open-parameter-overruns", "-", "2/0 session-reset", msg(1, open_body(params=bytes([2, 9, 1, 4, 0, 1, 0, 1]))))
case("open-capability-overruns", "-", "2/0 session-reset", msg(1, open_body(params=bytes([2, 6, 1, 5, 0, 1, 0, 1]))))
case("open-multiprotocol-length-3", "-", "2/0 session-reset", msg(1, open_body(params=bytes([2, 5, 1, 3, 0, 1, 0]))))
case("open-four-octet-as-length-2", "-", "2/0 session-reset", msg(1, open_body(params=bytes([2, 4, 65, 2, 0, 1]))))
case("open-add-path-mode-0", "-", "2/0 session-reset", msg(1, open_body(params=bytes([2, 6, 69, 4, 0, 1, 1, 0]))))
case("open-extended-length-truncated", "-", "2/0 session-reset", msg(1, struct.pack("!BHH4sB", 4, 65001, 90, bytes([192, 0, 2, 1]), 255) + b"\xff\x00"))

# ROUTE-REFRESH (RFC 7313 section 5): data is the whole message
rr = msg(5, bytes([0, 1, 0, 1, 0]))
case("route-refresh-length-24", "-", f"7/1 session-reset data={rr.hex()}", rr)

# UPDATE errors that reset the session
case("withdrawn-length-overrun", "-", "3/1 session-reset data=", update(wlen=10))
case("attribute-length-overrun-total", "-", "3/1 session-reset data=", update(attrs=BASE, alen=len(BASE) + 5))
case("withdrawn-prefix-length-33", "-", "3/10 session-reset data=", update(withdrawn=bytes([33, 1, 2, 3, 4, 5])))
case("nlri-prefix-length-33", "-", "3/10 session-reset data=", update(attrs=BASE, nlri=bytes([33, 1, 2, 3, 4, 5])))
case("nlri-prefix-truncated", "-", "3/10 session-reset data=", update(attrs=BASE, nlri=bytes([24, 198, 51])))
case("nlri-add-path-truncated", "addpath4", "3/10 session-reset data=", update(attrs=BASE, nlri=bytes([0, 0, 1])))
case("duplicate-mp-reach", "-", "3/1 session-reset data=",
     update(attrs=ORIGIN + ASPATH + mp_reach(2, 1, V6_NH, MP_V6_NLRI) + mp_reach(2, 1, V6_NH, MP_V6_NLRI)))
bad_nh = mp_reach(2, 1, V6_NH[:8], MP_V6_NLRI)
case("mp-reach-ipv6-next-hop-length-8", "-", f"3/9 session-reset data={bad_nh.hex()}", update(attrs=ORIGIN + ASPATH + bad_nh))
bad_nh4 = mp_reach(1, 1, V6_NH, NLRI)
case("mp-reach-ipv4-next-hop-length-16", "-", f"3/9 session-reset data={bad_nh4.hex()}", update(attrs=ORIGIN + ASPATH + bad_nh4))
bad_mp_nlri = mp_reach(2, 1, V6_NH, bytes([129]) + b"\x00" * 16)
case("mp-reach-prefix-length-129", "-", f"3/9 session-reset data={bad_mp_nlri.hex()}", update(attrs=ORIGIN + ASPATH + bad_mp_nlri))
nh_overrun = attr(0x80, 14, struct.pack("!HBB", 2, 1, 40) + V6_NH)
case("mp-reach-next-hop-overruns", "-", f"3/9 session-reset data={nh_overrun.hex()}", update(attrs=ORIGIN + ASPATH + nh_overrun))
short_unreach = attr(0x80, 15, b"\x00\x02")
case("mp-unreach-truncated", "-", f"3/9 session-reset data={short_unreach.hex()}", update(attrs=short_unreach))
unknown_wk = attr(0x40, 99, b"\x01")
case("unrecognized-well-known", "-", f"3/2 session-reset data={unknown_wk.hex()}", update(attrs=BASE + unknown_wk, nlri=NLRI))
case("attribute-list-broken-no-nlri", "-", "3/5 session-reset", update(attrs=bytes([0x40, 1, 9, 0])))

# UPDATE errors handled as treat-as-withdraw (RFC 7606)
def taw(name, attrs, expected, nlri=NLRI, options="-"):
    case(name, options, expected, update(attrs=attrs, nlri=nlri))

bad_origin = attr(0x40, 1, b"\x03")
taw("origin-value-3", bad_origin + ASPATH + NEXTHOP, f"3/6 treat-as-withdraw data={bad_origin.hex()}")
origin_len2 = attr(0x40, 1, b"\x00\x00")
taw("origin-length-2", origin_len2 + ASPATH + NEXTHOP, f"3/5 treat-as-withdraw data={origin_len2.hex()}")
origin_optional = attr(0xC0, 1, b"\x00")
taw("origin-flags-optional", origin_optional + ASPATH + NEXTHOP, f"3/4 treat-as-withdraw data={origin_optional.hex()}")
origin_partial = attr(0x60, 1, b"\x00")
taw("origin-partial-bit", origin_partial + ASPATH + NEXTHOP, f"3/4 treat-as-withdraw data={origin_partial.hex()}")
taw("as-path-segment-type-5", ORIGIN + attr(0x40, 2, b"\x05\x01\xfd\xe9") + NEXTHOP, "3/11 treat-as-withdraw data=")
taw("as-path-zero-length-segment", ORIGIN + attr(0x40, 2, b"\x02\x00") + NEXTHOP, "3/11 treat-as-withdraw data=")
taw("as-path-segment-overrun", ORIGIN + attr(0x40, 2, b"\x02\x03\xfd\xe9") + NEXTHOP, "3/11 treat-as-withdraw data=")
taw("as-path-2-octet-on-4-octet-session", ORIGIN + attr(0x40, 2, b"\x02\x01\xfd\xe9") + NEXTHOP, "3/11 treat-as-withdraw data=", options="as4")
nh5 = attr(0x40, 3, bytes([192, 0, 2, 1, 0]))
taw("next-hop-length-5", ORIGIN + ASPATH + nh5, f"3/5 treat-as-withdraw data={nh5.hex()}")
nh0 = attr(0x40, 3, bytes(4))
taw("next-hop-0.0.0.0", ORIGIN + ASPATH + nh0, f"3/8 treat-as-withdraw data={nh0.hex()}")
nhm = attr(0x40, 3, bytes([224, 0, 0, 5]))
taw("next-hop-multicast", ORIGIN + ASPATH + nhm, f"3/8 treat-as-withdraw data={nhm.hex()}")
med3 = attr(0x80, 4, b"\x00\x00\x01")
taw("med-length-3", BASE + med3, f"3/5 treat-as-withdraw data={med3.hex()}")
lp5 = attr(0x40, 5, b"\x00\x00\x00\x64\x00")
taw("local-pref-length-5", BASE + lp5, f"3/5 treat-as-withdraw data={lp5.hex()}")
comm5 = attr(0xC0, 8, b"\xfd\xe8\x00\x64\x00")
taw("communities-length-5", BASE + comm5, f"3/5 treat-as-withdraw data={comm5.hex()}")
comm0 = attr(0xC0, 8, b"")
taw("communities-length-0", BASE + comm0, f"3/5 treat-as-withdraw data={comm0.hex()}")
oid3 = attr(0x80, 9, b"\x01\x02\x03")
taw("originator-id-length-3", BASE + oid3, f"3/5 treat-as-withdraw data={oid3.hex()}")
cl6 = attr(0x80, 10, b"\x01\x02\x03\x04\x05\x06")
taw("cluster-list-length-6", BASE + cl6, f"3/5 treat-as-withdraw data={cl6.hex()}")
ext7 = attr(0xC0, 16, b"\x00\x02\xfd\xe8\x00\x00\x00")
taw("extended-communities-length-7", BASE + ext7, f"3/5 treat-as-withdraw data={ext7.hex()}")
large13 = attr(0xC0, 32, bytes(13))
taw("large-community-length-13", BASE + large13, f"3/5 treat-as-withdraw data={large13.hex()}")
taw("missing-origin", ASPATH + NEXTHOP, "3/3 treat-as-withdraw data=01")
taw("missing-as-path", ORIGIN + NEXTHOP, "3/3 treat-as-withdraw data=02")
taw("missing-next-hop", ORIGIN + ASPATH, "3/3 treat-as-withdraw data=03")
taw("missing-all-attributes", b"", "3/3 treat-as-withdraw data=01")
case("missing-origin-mp-reach", "-", "3/3 treat-as-withdraw data=01", update(attrs=ASPATH + mp_reach(2, 1, V6_NH, MP_V6_NLRI)))
taw("attribute-length-overruns-list", BASE + bytes([0xC0, 8, 8, 0, 0, 0, 1]), "3/5 treat-as-withdraw")
taw("attribute-header-truncated", BASE + bytes([0xC0, 8]), "3/1 treat-as-withdraw data=")
taw("extended-length-header-truncated", BASE + bytes([0xD0, 8, 0]), "3/1 treat-as-withdraw data=")

# UPDATE errors handled as attribute discard
aa1 = attr(0x40, 6, b"\x01")
taw("atomic-aggregate-length-1", BASE + aa1, f"3/5 attribute-discard data={aa1.hex()}")
agg5 = attr(0xC0, 7, bytes(5))
taw("aggregator-length-5", BASE + agg5, f"3/5 attribute-discard data={agg5.hex()}")
agg_wk = attr(0x40, 7, bytes([0xfd, 0xe9, 192, 0, 2, 1]))
taw("aggregator-flags-well-known", BASE + agg_wk, f"3/4 attribute-discard data={agg_wk.hex()}")
agg6_as4 = attr(0xC0, 7, bytes([0xfd, 0xe9, 192, 0, 2, 1]))
taw("aggregator-2-octet-on-4-octet-session", ORIGIN + ASPATH4 + NEXTHOP + agg6_as4, f"3/5 attribute-discard data={agg6_as4.hex()}", options="as4")
comm = attr(0xC0, 8, b"\xfd\xe8\x00\x64")
taw("duplicate-communities", BASE + comm + comm, "3/1 attribute-discard data=")
as4p = attr(0xC0, 17, b"\x02\x02\x00\x00")
taw("as4-path-malformed", BASE + as4p, f"3/9 attribute-discard data={as4p.hex()}")
as4a = attr(0xC0, 18, bytes(6))
taw("as4-aggregator-length-6", BASE + as4a, f"3/9 attribute-discard data={as4a.hex()}")
taw("as4-path-on-4-octet-session", ORIGIN + ASPATH4 + NEXTHOP + attr(0xC0, 17, b"\x02\x01\x00\x00\xfd\xe9"), "3/9 attribute-discard data=", options="as4")

print(__doc__.strip().replace("\n", "\n# ").join(["# ", ""]))
print("\n".join(cases))
