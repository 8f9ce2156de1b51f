using System.CommandLine;
using System.Text.Json;
using Tabby.Ctl.Resources;
using Tabby.Ipam.Check;
using Tabby.Ipam.Gc;

namespace Tabby.Ctl.Ipam;

/// <summary>
/// <c>tabbyctl ipam check [--output-file report.json] [--no-workloads]</c>: every IPAM object
/// cross-checked, leaked addresses found against the pods and nodes that exist; exit 0 when no
/// problem is found, 1 otherwise. The report file feeds <c>ipam release --from-report</c>.
/// </summary>
internal static class IpamCheckCommand
{
    public static Command Create()
    {
        var datastore = new DatastoreOptions();
        var reportFile = new Option<string?>("--output-file", "-f") { Description = "write the report as JSON to this file" };
        var noWorkloads = new Option<bool>("--no-workloads") { Description = "skip the checks against pods and nodes (leaks, addresses in use without allocation)" };
        var command = new Command("check", "Check IPAM data for inconsistencies and leaked addresses");
        command.Options.Add(reportFile);
        command.Options.Add(noWorkloads);
        datastore.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            return CommandErrors.RunAsync(error, async () =>
            {
                await using var store = datastore.Open(parse);
                await output.WriteLineAsync("Checking IPAM for inconsistencies...");
                await output.WriteLineAsync();
                var inventory = parse.GetValue(noWorkloads) ? null : await WorkloadInventory.LoadAsync(store, cancellationToken);
                if (inventory is not null)
                {
                    await output.WriteLineAsync($"Loaded {inventory.Nodes.Count} nodes and {inventory.Pods.Count} pods.");
                }

                var report = await new IpamChecker(store).CheckAsync(inventory, cancellationToken);
                await output.WriteLineAsync($"Found {report.Blocks} IPAM blocks with {report.Allocations} allocations and {report.Handles} handles.");
                foreach (var group in report.Problems.GroupBy(p => p.Kind).OrderBy(g => g.Key, StringComparer.Ordinal))
                {
                    await output.WriteLineAsync();
                    await output.WriteLineAsync($"{group.Key} ({group.Count()}):");
                    foreach (var problem in group)
                    {
                        await output.WriteLineAsync($"  {problem.Detail}");
                    }
                }

                if (parse.GetValue(reportFile) is { } path)
                {
                    await File.WriteAllTextAsync(path, JsonSerializer.Serialize(report, IpamReportJsonContext.Default.IpamReport), cancellationToken);
                    await output.WriteLineAsync();
                    await output.WriteLineAsync($"Report written to {path}.");
                }

                await output.WriteLineAsync();
                await output.WriteLineAsync($"Check complete; found {report.Problems.Count} problems.");
                return report.Problems.Count == 0 ? CommandErrors.Ok : CommandErrors.Failure;
            });
        });
        return command;
    }
}
