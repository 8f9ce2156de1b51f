using Tabby.Testing.Namespaces;

namespace Tabby.Interop.Tests.Harness;

/// <summary>
/// One shared segment: a bridge inside the Tabby namespace (Tabby at 192.0.2.1) and further
/// namespaces attached to it at 192.0.2.2, 192.0.2.3, ... so every next hop is directly reachable.
/// </summary>
public sealed class Lan : IDisposable
{
    public const string TabbyAddress = "192.0.2.1";

    private Lan(NetworkNamespace tabby, IReadOnlyList<NetworkNamespace> others)
    {
        Tabby = tabby;
        Others = others;
    }

    public NetworkNamespace Tabby { get; }

    public IReadOnlyList<NetworkNamespace> Others { get; }

    public static string AddressOf(int index) => $"192.0.2.{index + 2}";

    public static async Task<Lan> CreateAsync(params string[] labels)
    {
        var tabby = NetworkNamespace.Create("tabby");
        var others = new List<NetworkNamespace>();
        try
        {
            tabby.AddBridge("br0");
            tabby.AddAddress("br0", TabbyAddress + "/24");
            for (int i = 0; i < labels.Length; i++)
            {
                var ns = NetworkNamespace.Create(labels[i]);
                others.Add(ns);
                Veth.ConnectToBridge(tabby, "br0", $"p{i}", ns, "eth0", AddressOf(i) + "/24");
            }

            for (int i = 0; i < others.Count; i++) await tabby.WaitReachableAsync(AddressOf(i));
            return new Lan(tabby, others);
        }
        catch
        {
            foreach (var ns in others) ns.Dispose();
            tabby.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var ns in Others) ns.Dispose();
        Tabby.Dispose();
    }
}
