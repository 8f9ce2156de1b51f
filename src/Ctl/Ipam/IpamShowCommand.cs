using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Tabby.Ctl.Output;
using Tabby.Ctl.Resources;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Store;
using Tabby.Ipam.Addressing;
using Tabby.Ipam.Allocation;
using Tabby.Ipam.Blocks;
using Tabby.Ipam.Pools;

namespace Tabby.Ctl.Ipam;

/// <summary>
/// <c>tabbyctl ipam show [--show-blocks] [--ip=X] [-o table|json]</c>: pool (and block) usage as
/// calicoctl prints it, or who holds one address.
/// </summary>
internal static class IpamShowCommand
{
    public static Command Create()
    {
        var datastore = new DatastoreOptions();
        var showBlocks = new Option<bool>("--show-blocks") { Description = "also list every block with its usage" };
        var ip = new Option<string?>("--ip") { Description = "show who holds this address" };
        var format = new Option<string>("--output", "-o") { Description = "table (default) or json", DefaultValueFactory = _ => "table" };
        var command = new Command("show", "Show IP pool and block usage, or who holds an address");
        command.Options.Add(showBlocks);
        command.Options.Add(ip);
        command.Options.Add(format);
        datastore.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            return CommandErrors.RunAsync(error, async () =>
            {
                var outputFormat = parse.GetValue(format)!;
                if (outputFormat is not ("table" or "json"))
                {
                    await error.WriteLineAsync($"error: --output must be table or json, not \"{outputFormat}\"");
                    return CommandErrors.Usage;
                }

                await using var store = datastore.Open(parse);
                if (parse.GetValue(ip) is { } address)
                {
                    if (!IPAddress.TryParse(address, out var parsed))
                    {
                        await error.WriteLineAsync($"error: --ip \"{address}\" is not an IP address");
                        return CommandErrors.Usage;
                    }

                    return await ShowAddressAsync(store, parsed, outputFormat, output, cancellationToken);
                }

                var usage = await UsageAsync(store, parse.GetValue(showBlocks), cancellationToken);
                await output.WriteAsync(outputFormat == "json"
                    ? JsonSerializer.Serialize(usage, IpamShowJson.Default.ListIpamUsageRow) + "\n"
                    : BorderedTable.Render(["GROUPING", "CIDR", "IPS TOTAL", "IPS IN USE", "IPS FREE"],
                        usage.Select(u => (IReadOnlyList<string>)[u.Grouping, u.Cidr, u.Total.ToString(CultureInfo.InvariantCulture),
                            Percent(u.InUse, u.Total), Percent(u.Free, u.Total)]).ToList()));
                return CommandErrors.Ok;
            });
        });
        return command;
    }

    internal static async Task<List<IpamUsageRow>> UsageAsync(IDatastore store, bool showBlocks, CancellationToken cancellationToken)
    {
        var pools = (await store.ListAsync(ResourceKinds.IPPools, null, cancellationToken)).Items.Select(IpamPool.From).ToList();
        var blocks = (await store.ListAsync(ResourceKinds.IPAMBlocks, null, cancellationToken)).Items
            .Where(b => !b.Spec.Deleted).Select(b => new BlockView(b)).ToList();
        var rows = new List<IpamUsageRow>();
        foreach (var pool in pools.OrderBy(p => p.Cidr.ToString(), StringComparer.Ordinal))
        {
            var inPool = blocks.Where(b => pool.Cidr.Contains(b.Cidr.BaseAddress)).OrderBy(b => b.Cidr.ToString(), StringComparer.Ordinal).ToList();
            var total = AddressMath.Size(pool.Cidr);
            var used = (UInt128)inPool.Sum(b => (long)b.InUse);
            rows.Add(new IpamUsageRow("IP Pool", pool.Cidr.ToString(), total, used, total - used, null));
            if (showBlocks)
            {
                rows.AddRange(inPool.Select(b => new IpamUsageRow("Block", b.Cidr.ToString(), (UInt128)b.Size, (UInt128)b.InUse,
                    (UInt128)b.Free, b.Spec.Affinity)));
            }
        }

        return rows;
    }

    private static async Task<int> ShowAddressAsync(IDatastore store, IPAddress address, string format, TextWriter output, CancellationToken cancellationToken)
    {
        var ipam = new IpamAllocator(store, CalicoSelectorMatcher.Instance);
        var pools = (await store.ListAsync(ResourceKinds.IPPools, null, cancellationToken)).Items;
        var assignment = await ipam.GetAssignmentAsync(address, cancellationToken);
        var inPool = PoolSelection.Containing(pools, address) is not null;
        var info = new IpOwner(address.ToString(), assignment is not null, inPool, assignment?.Attribute.HandleId,
            assignment?.Attribute.Secondary ?? new Dictionary<string, string>(), assignment?.Block.Spec.Cidr);
        if (format == "json")
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(info, IpamShowJson.Default.IpOwner));
            return CommandErrors.Ok;
        }

        if (assignment is null)
        {
            await output.WriteLineAsync(inPool ? $"IP {address} is not assigned" : $"IP {address} is not assigned and is in no configured IP pool");
            return CommandErrors.Ok;
        }

        await output.WriteLineAsync($"IP {address} is in use");
        await output.WriteLineAsync($"Handle ID: {info.Handle ?? "(none)"}");
        await output.WriteLineAsync("Attributes:");
        foreach (var (key, value) in info.Attributes.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            await output.WriteLineAsync($"  {key}: {value}");
        }

        return CommandErrors.Ok;
    }

    private static string Percent(UInt128 part, UInt128 total) =>
        total == 0 ? $"{part} (0%)" : $"{part} ({(double)part * 100 / (double)total:0}%)";
}

internal sealed record IpamUsageRow(
    [property: JsonPropertyName("grouping")] string Grouping,
    [property: JsonPropertyName("cidr")] string Cidr,
    [property: JsonPropertyName("ipsTotal")] UInt128 Total,
    [property: JsonPropertyName("ipsInUse")] UInt128 InUse,
    [property: JsonPropertyName("ipsFree")] UInt128 Free,
    [property: JsonPropertyName("affinity")] string? Affinity);

internal sealed record IpOwner(
    [property: JsonPropertyName("ip")] string Ip,
    [property: JsonPropertyName("inUse")] bool InUse,
    [property: JsonPropertyName("inPool")] bool InPool,
    [property: JsonPropertyName("handle")] string? Handle,
    [property: JsonPropertyName("attributes")] IReadOnlyDictionary<string, string> Attributes,
    [property: JsonPropertyName("block")] string? Block);

[JsonSerializable(typeof(List<IpamUsageRow>))]
[JsonSerializable(typeof(IpOwner))]
[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class IpamShowJson : JsonSerializerContext;
