using Tabby.Felix.Policy.Calculation;
using Tabby.Felix.Policy.Model;

namespace Tabby.Felix.Policy.Nftables;

/// <summary>
/// Names of everything in the owned table. Policy chains and sets are named by a hash of what they
/// stand for, so a name never changes while its meaning does not (no churn on resync).
/// </summary>
public static class NftNames
{
    public const string ForwardChain = "forward";
    public const string InputChain = "input";
    public const string OutputChain = "output";
    public const string FromEndpointMap = "from-endpoint";
    public const string ToEndpointMap = "to-endpoint";
    public const string EndpointInterfaces = "endpoint-ifaces";

    /// <summary>Regular chains that policy rules <c>goto</c>: set the accept (pass) mark bit, then return to the endpoint chain.</summary>
    public const string AcceptChain = "mark-accept";
    public const string PassChain = "mark-pass";

    /// <summary>
    /// Chain with the policy of endpoints in one direction, named by a hash of its rules: endpoints
    /// with the same policies in the same order (the pods of one deployment) share one chain, and a
    /// name never changes meaning, so endpoint chains are only ever added or deleted, never rewritten.
    /// </summary>
    public static string EndpointChain(Direction direction, string contentHash) =>
        direction == Direction.Ingress ? $"in-{contentHash}" : $"eg-{contentHash}";

    public static string PolicyChain(CompiledPolicy policy, Direction direction) =>
        PolicyChain(policy.ShortId, direction);

    public static string PolicyChain(string shortId, Direction direction) =>
        direction == Direction.Ingress ? $"pi-{shortId}" : $"po-{shortId}";

    public static string SelectionSet(string selectionId, int ipVersion) => $"s{ipVersion}-{CompiledPolicy.HashId(selectionId)}";

    public static string NamedPortSet(string namedPortId, int ipVersion) => $"n{ipVersion}-{CompiledPolicy.HashId(namedPortId)}";

    public static string NetSet(string contentKey, int ipVersion) => $"c{ipVersion}-{CompiledPolicy.HashId(contentKey)}";
}
