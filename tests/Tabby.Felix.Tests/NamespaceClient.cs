using System.Text.Json;
using Tabby.Felix.Netlink;
using Tabby.Testing.Namespaces;

namespace Tabby.Felix.Tests;

/// <summary>A fresh namespace plus a netlink client opened inside it by path (the agent's way).</summary>
internal sealed class NamespaceClient : IDisposable
{
    public NamespaceClient(string label)
    {
        Namespace = NetworkNamespace.Create(label);
        Client = NetlinkClient.OpenInNamespace(Namespace.NamespacePath);
    }

    public NetworkNamespace Namespace { get; }

    public NetlinkClient Client { get; }

    /// <summary><c>ip -j ARGS</c> in the namespace, parsed.</summary>
    public JsonElement IpJson(params string[] arguments)
    {
        var output = Namespace.Ip(["-j", .. arguments]).StandardOutput;
        return JsonDocument.Parse(string.IsNullOrWhiteSpace(output) ? "[]" : output).RootElement;
    }

    public int IndexOf(string device) => Client.GetLink(device)?.Index ?? throw new InvalidOperationException($"no device {device}");

    public void Dispose()
    {
        Client.Dispose();
        Namespace.Dispose();
    }
}
