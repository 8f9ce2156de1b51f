using System.CommandLine;
using Tabby.Common.Status;
using Tabby.Datastore.Resources.Calico;

namespace Tabby.Ctl.Node;

/// <summary>
/// Where <c>tabbyctl node ...</c> reads a node from: the local agent's status socket, or, with
/// <c>--node</c>, that node's CalicoNodeStatus in the datastore (any machine, no root).
/// </summary>
internal sealed class NodeSourceOptions
{
    private readonly Option<string?> _socket = new("--socket") { Description = $"the agent's status socket (default: TABBY_STATUS_SOCKET or {StatusClient.DefaultSocket})" };
    private readonly Option<string?> _node = new("--node") { Description = "read this node remotely from its CalicoNodeStatus in the datastore" };
    private readonly Option<int> _wait = new("--wait") { Description = "with --node: seconds to wait for the agent's first report", DefaultValueFactory = _ => 30 };
    private readonly Resources.DatastoreOptions _datastore = new();

    public void AddTo(Command command)
    {
        command.Options.Add(_socket);
        command.Options.Add(_node);
        command.Options.Add(_wait);
        _datastore.AddTo(command);
    }

    /// <summary>The node named with <c>--node</c>, or null for the local agent.</summary>
    public string? RemoteNode(ParseResult parse) => parse.GetValue(_node);

    public string SocketPath(ParseResult parse) =>
        parse.GetValue(_socket) ?? Environment.GetEnvironmentVariable("TABBY_STATUS_SOCKET") ?? StatusClient.DefaultSocket;

    /// <summary>The remote node's CalicoNodeStatus (created and awaited when it has none).</summary>
    public async Task<CalicoNodeStatus> ReadRemoteAsync(ParseResult parse, string node, TextWriter progress, CancellationToken cancellationToken)
    {
        await using var store = _datastore.Open(parse);
        return await RemoteNodeStatus.ReadAsync(store, node, TimeSpan.FromSeconds(parse.GetValue(_wait)), progress, cancellationToken).ConfigureAwait(false);
    }
}
