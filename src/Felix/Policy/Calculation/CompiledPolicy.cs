using System.Security.Cryptography;
using System.Text;
using Tabby.Datastore.Validation;
using Tabby.Felix.Policy.Model;

namespace Tabby.Felix.Policy.Calculation;

/// <summary>A validated policy with compiled rules and the selection of endpoints it applies to.</summary>
public sealed class CompiledPolicy
{
    private CompiledPolicy(Model.Policy policy)
    {
        Policy = policy;
        AppliesTo = new EndpointSelection(policy.Kind == PolicyKind.GlobalNetworkPolicy ? null : policy.Namespace,
            policy.Kind == PolicyKind.GlobalNetworkPolicy ? policy.NamespaceSelector : null, policy.Selector,
            serviceAccountSelector: policy.ServiceAccountSelector);
        Ingress = [.. policy.Ingress.Select((r, i) => Compile(r, i, Direction.Ingress))];
        Egress = [.. policy.Egress.Select((r, i) => Compile(r, i, Direction.Egress))];
        ShortId = HashId(policy.Key);
    }

    public Model.Policy Policy { get; }

    public string Key => Policy.Key;

    /// <summary>Stable short id (hash of the key) for chain names, which nftables limits in length.</summary>
    public string ShortId { get; }

    public EndpointSelection AppliesTo { get; }

    public IReadOnlyList<CompiledRule> Ingress { get; }

    public IReadOnlyList<CompiledRule> Egress { get; }

    public IReadOnlyList<CompiledRule> RulesFor(Direction direction) => direction == Direction.Ingress ? Ingress : Egress;

    public IEnumerable<EndpointSelection> Selections => Ingress.Concat(Egress).SelectMany(r => r.Selections);

    public IEnumerable<NamedPortSelection> NamedPortSelections => Ingress.Concat(Egress).SelectMany(r => r.NamedPortSelections);

    public static CompiledPolicy Compile(Model.Policy policy) => new(policy.Validated());

    internal static string HashId(string text)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        return Convert.ToHexStringLower(hash[..8]);
    }

    private CompiledRule Compile(Rule rule, int index, Direction direction)
    {
        var source = CompileSide(rule, rule.Source, isDestination: false, direction);
        var destination = CompileSide(rule, rule.Destination, isDestination: true, direction);
        return new CompiledRule(rule, index, direction, source, destination);
    }

    private CompiledSide CompileSide(Rule rule, EntityMatch match, bool isDestination, Direction direction)
    {
        // A namespaced policy's selectors see its own namespace unless a namespaceSelector widens them.
        var scope = Policy.Kind == PolicyKind.GlobalNetworkPolicy || match.NamespaceSelector is not null ? null : Policy.Namespace;
        var selection = match.AnyOf.Count > 0
            ? EndpointSelection.AnyOf([.. match.AnyOf.Select(peer => new EndpointSelection(
                Policy.Kind == PolicyKind.GlobalNetworkPolicy || peer.NamespaceSelector is not null ? null : Policy.Namespace,
                peer.NamespaceSelector, peer.Selector ?? CalicoSelector.All))])
            : match.SelectsEndpoints
                ? new EndpointSelection(scope, match.NamespaceSelector, match.Selector ?? CalicoSelector.All,
                    match.ServiceAccountNames, match.ServiceAccountSelector)
                : null;
        var notSelection = match.NotSelector is null ? null : new EndpointSelection(scope, match.NamespaceSelector, match.NotSelector);

        // Named ports resolve on the endpoints this side can be: the side's own selection, else the
        // policy's own endpoints for the local side (ingress destination / egress source), else anyone.
        var isLocalSide = isDestination == (direction == Direction.Ingress);
        var portEndpoints = selection ?? (isLocalSide ? AppliesTo : EndpointSelection.Everything);
        var protocol = rule.Protocol ?? Protocol.Tcp;
        return new CompiledSide
        {
            Match = match,
            Selection = selection,
            NotSelection = notSelection,
            NumericPorts = [.. match.Ports.Where(p => !p.IsNamed)],
            NamedPorts = [.. match.Ports.Where(p => p.IsNamed).Select(p => new NamedPortSelection(portEndpoints, p.Name!, protocol))],
            NumericNotPorts = [.. match.NotPorts.Where(p => !p.IsNamed)],
            NamedNotPorts = [.. match.NotPorts.Where(p => p.IsNamed).Select(p => new NamedPortSelection(portEndpoints, p.Name!, protocol))],
        };
    }
}
