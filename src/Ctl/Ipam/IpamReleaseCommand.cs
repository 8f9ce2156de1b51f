using System.CommandLine;
using System.Net;
using System.Text.Json;
using Tabby.Ctl.Resources;
using Tabby.Ipam.Allocation;
using Tabby.Ipam.Blocks;
using Tabby.Ipam.Check;
using Tabby.Ipam.Pools;

namespace Tabby.Ctl.Ipam;

/// <summary>
/// <c>tabbyctl ipam release --ip=X [--ip=Y]</c> or <c>--from-report=FILE</c>. A release from a report
/// is guarded by the sequence number and handle the report saw, so an address that was reused since
/// the check is left alone.
/// </summary>
internal static class IpamReleaseCommand
{
    public static Command Create()
    {
        var datastore = new DatastoreOptions();
        var ips = new Option<string[]>("--ip") { Description = "an address to release (repeatable)", AllowMultipleArgumentsPerToken = true };
        var fromReport = new Option<string?>("--from-report") { Description = "release the leaked addresses listed in an `ipam check` report" };
        var command = new Command("release", "Release IP addresses (leaked or explicitly named)");
        command.Options.Add(ips);
        command.Options.Add(fromReport);
        datastore.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            return CommandErrors.RunAsync(error, async () =>
            {
                var named = parse.GetValue(ips) ?? [];
                var report = parse.GetValue(fromReport);
                if ((named.Length == 0) == (report is null))
                {
                    await error.WriteLineAsync("error: give either --ip (one or more) or --from-report");
                    return CommandErrors.Usage;
                }

                var requests = new List<ReleaseRequest>();
                foreach (var text in named)
                {
                    if (!IPAddress.TryParse(text, out var address))
                    {
                        await error.WriteLineAsync($"error: --ip \"{text}\" is not an IP address");
                        return CommandErrors.Usage;
                    }

                    requests.Add(new ReleaseRequest(address));
                }

                if (report is not null)
                {
                    var parsed = JsonSerializer.Deserialize(await File.ReadAllTextAsync(report, cancellationToken), IpamReportJsonContext.Default.IpamReport)
                        ?? throw new InvalidDataException($"{report} is not an ipam check report");
                    foreach (var leak in parsed.LeakedAddresses)
                    {
                        if (!IPAddress.TryParse(leak.Address, out var address))
                        {
                            throw new InvalidDataException($"{report}: leakedAddresses has a bad address \"{leak.Address}\"");
                        }

                        requests.Add(new ReleaseRequest(address, leak.SequenceNumber, leak.Handle));
                    }
                }

                await using var store = datastore.Open(parse);
                var result = await new IpamAllocator(store, CalicoSelectorMatcher.Instance).ReleaseAsync(requests, cancellationToken);
                foreach (var address in result.Released)
                {
                    await output.WriteLineAsync($"Released {address}");
                }

                foreach (var address in result.NotAllocated)
                {
                    await error.WriteLineAsync($"{address} was not assigned");
                }

                foreach (var address in result.Skipped)
                {
                    await error.WriteLineAsync($"{address} was not released: it was reassigned since the report was made");
                }

                return result.NotAllocated.Count + result.Skipped.Count == 0 ? CommandErrors.Ok : CommandErrors.Failure;
            });
        });
        return command;
    }
}
