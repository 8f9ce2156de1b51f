namespace Tabby.Interop.Tests.Frr;

/// <summary>bgpd configurations (peer side 192.0.2.2 / 2001:db8::2).</summary>
internal static class FrrConfigs
{
    /// <param name="global">More statements under <c>router bgp</c> (bgp graceful-restart, ...).</param>
    /// <param name="routes4">IPv4 network statements (each with the "mark" route-map).</param>
    public static string Sessions(uint localAs, uint tabbyAs, string neighborOptions = "", string global = "", string routes4 = "203.0.113.0/24") => $$"""
        frr defaults traditional
        hostname frr
        log stdout debugging
        route-map mark permit 10
         set metric 33
         set community 65002:10
         set large-community 65002:1:2
        exit
        router bgp {{localAs}}
         bgp router-id 192.0.2.2
         no bgp ebgp-requires-policy
         no bgp network import-check
         {{string.Join("\n ", global.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))}}
         neighbor 192.0.2.1 remote-as {{tabbyAs}}
         neighbor 192.0.2.1 timers 3 9
         neighbor 192.0.2.1 timers connect 1
         {{Options("192.0.2.1", neighborOptions)}}
         neighbor 2001:db8::1 remote-as {{tabbyAs}}
         neighbor 2001:db8::1 timers 3 9
         neighbor 2001:db8::1 timers connect 1
         {{Options("2001:db8::1", neighborOptions)}}
         address-family ipv4 unicast
          {{string.Join("\n  ", routes4.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(r => $"network {r} route-map mark"))}}
          neighbor 192.0.2.1 activate
          no neighbor 2001:db8::1 activate
         exit-address-family
         address-family ipv6 unicast
          network 2001:db8:200::/48 route-map mark
          neighbor 2001:db8::1 activate
         exit-address-family
        exit
        """;

    private static string Options(string neighbor, string options) =>
        string.Join("\n ", options.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(o => $"neighbor {neighbor} {o}"));
}
