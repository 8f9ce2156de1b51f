using System.CommandLine;
using Tabby.Datastore.Embedded;
using Tabby.Felix.Policy.Calculation;

namespace Tabby.Ctl.Policy;

/// <summary>
/// <c>tabbyctl policy trace --from A --to B --protocol P --port N</c>: says whether the flow is
/// allowed and which tier / policy / rule decided each direction, in evaluation order, using the
/// evaluator the dataplane's nftables rules are rendered alongside. Resources come from manifests
/// (<c>-f</c>, repeatable, <c>-</c> for stdin) or an embedded datastore directory.
/// Exit codes: 0 traced (allowed or denied), 1 error, 2 usage.
/// </summary>
internal static class PolicyTraceCommand
{
    public static Command Create()
    {
        var from = new Option<string>("--from") { Description = "source: pod as namespace/name (or a unique name) or an IP address", Required = true };
        var to = new Option<string>("--to") { Description = "destination: pod as namespace/name (or a unique name) or an IP address", Required = true };
        var protocol = new Option<string>("--protocol", "-p") { Description = "TCP, UDP, SCTP, ICMP, ICMPv6 or a number", DefaultValueFactory = _ => "TCP" };
        var port = new Option<int?>("--port") { Description = "destination port (TCP, UDP, SCTP)" };
        var sourcePort = new Option<int>("--source-port") { Description = "source port", DefaultValueFactory = _ => 40000 };
        var icmpType = new Option<int>("--icmp-type") { Description = "ICMP type", DefaultValueFactory = _ => 8 };
        var icmpCode = new Option<int>("--icmp-code") { Description = "ICMP code", DefaultValueFactory = _ => 0 };
        var files = new Option<string[]>("--filename", "-f")
        {
            Description = "manifests with Namespaces, Pods, NetworkPolicies, GlobalNetworkPolicies and Tiers (YAML or JSON; file, directory or - for stdin)",
            AllowMultipleArgumentsPerToken = true,
        };
        var datastore = new Resources.DatastoreOptions();
        var output = new Option<string>("--output", "-o") { Description = "output format: text, wide, json or yaml", DefaultValueFactory = _ => "text" };
        output.AcceptOnlyFromAmong("text", "wide", "json", "yaml");

        var command = new Command("trace", "Explain whether a flow between two pods or addresses is allowed, and which tier, policy and rule decided");
        foreach (var option in new Option[] { from, to, protocol, port, sourcePort, icmpType, icmpCode, files, output })
        {
            command.Options.Add(option);
        }

        // Without -f the resources come from the cluster's datastore, chosen like every other command.
        datastore.AddTo(command);

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var config = parseResult.InvocationConfiguration;
            try
            {
                PolicyCalculator calculator;
                if (parseResult.GetValue(files) is { Length: > 0 } manifests)
                {
                    calculator = PolicyModelLoader.FromManifests(ManifestReader.Read(manifests, Console.In));
                }
                else
                {
                    var settings = datastore.Settings(parseResult);
                    if (settings.Type is null or Tabby.Datastore.DatastoreType.Embedded
                        && !Directory.Exists(settings.EmbeddedDirectory ?? Tabby.Datastore.DatastoreSettings.DefaultEmbeddedDirectory))
                    {
                        throw new ArgumentException($"no -f/--filename given and the embedded datastore {settings.EmbeddedDirectory ?? Tabby.Datastore.DatastoreSettings.DefaultEmbeddedDirectory} does not exist (give --data-dir, --kubeconfig or --etcd-endpoints)");
                    }

                    await using var store = datastore.Open(parseResult);
                    calculator = await PolicyModelLoader.FromDatastoreAsync(store, cancellationToken);
                }

                var request = new TraceRequest(parseResult.GetValue(from)!, parseResult.GetValue(to)!, parseResult.GetValue(protocol)!,
                    parseResult.GetValue(port), parseResult.GetValue(sourcePort), parseResult.GetValue(icmpType), parseResult.GetValue(icmpCode));
                TraceFormatter.Write(PolicyTracer.Trace(calculator, request), parseResult.GetValue(output)!, config.Output);
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or FormatException or IOException
                or Felix.Policy.Model.PolicyValidationException or Tabby.Datastore.Store.DatastoreException)
            {
                config.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}
