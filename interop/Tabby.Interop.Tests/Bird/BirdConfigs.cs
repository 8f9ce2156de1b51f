namespace Tabby.Interop.Tests.Bird;

/// <summary>BIRD 2 configurations for the interop scenarios (peer side 192.0.2.2 / 2001:db8::2).</summary>
internal static class BirdConfigs
{
    /// <summary>
    /// An IPv4 session "tabby4" and an IPv6 session "tabby6", each originating one route with a
    /// community, a large community and MED 33 (static protocols s4 / s6).
    /// </summary>
    public static string Sessions(uint localAs, uint tabbyAs, string extra = "", string options = "", string routes4 = "route 203.0.113.0/24 blackhole;") => $$"""
        router id 192.0.2.2;
        protocol device {}
        protocol static s4 { ipv4; {{routes4}} }
        protocol static s6 { ipv6; route 2001:db8:200::/48 blackhole; }
        filter mark {
          bgp_med = 33;
          bgp_community.add((65002,10));
          bgp_large_community.add((65002,1,2));
          accept;
        }
        protocol bgp tabby4 {
          local 192.0.2.2 as {{localAs}};
          neighbor 192.0.2.1 as {{tabbyAs}};
          connect delay time 1; connect retry time 1; error wait time 1, 4;
          hold time 9;
          {{options}}
          ipv4 { import all; export filter mark; {{extra}} };
        }
        protocol bgp tabby6 {
          local 2001:db8::2 as {{localAs}};
          neighbor 2001:db8::1 as {{tabbyAs}};
          connect delay time 1; connect retry time 1; error wait time 1, 4;
          hold time 9;
          {{options}}
          ipv6 { import all; export filter mark; {{extra}} };
        }
        """;
}
