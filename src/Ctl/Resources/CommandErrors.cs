using Tabby.Datastore.Store;

namespace Tabby.Ctl.Resources;

/// <summary>Exit codes and messages shared by get/apply/delete (0 ok, 1 failure, 2 usage).</summary>
internal static class CommandErrors
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int Usage = 2;

    /// <summary>Runs a command body, turning expected failures into a message on stderr and exit 1.</summary>
    public static async Task<int> RunAsync(TextWriter error, Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (DatastoreException e)
        {
            await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return Failure;
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or NotSupportedException or UnauthorizedAccessException or FormatException)
        {
            await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return Failure;
        }
    }

    public static string UnknownKind(string name) =>
        $"error: the resource type \"{name}\" is unknown (try ippools, ipamblocks, blockaffinities, ipamhandles, ipamconfigs, bgpconfigurations, bgppeers, bgpfilters, nodes, caliconodestatuses, networkpolicies, globalnetworkpolicies, tiers, pods, namespaces, services, secrets, kubenodes, k8snetworkpolicies)";
}
