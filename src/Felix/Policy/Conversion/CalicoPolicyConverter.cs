using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Tabby.Felix.Policy.Model;
using Tabby.Datastore.Validation;
using ModelTier = Tabby.Felix.Policy.Model.Tier;

namespace Tabby.Felix.Policy.Conversion;

/// <summary>
/// projectcalico.org/v3 NetworkPolicy, GlobalNetworkPolicy and Tier to the policy model. Fields
/// Tabby cannot enforce (http, services, doNotTrack, preDNAT, applyOnForward) are rejected with a
/// field error rather than ignored: an ignored match would widen a rule and fail open.
/// </summary>
public static class CalicoPolicyConverter
{
    public static Model.Policy Convert(CalicoNetworkPolicy resource)
    {
        if (string.IsNullOrEmpty(resource.Namespace))
        {
            throw new PolicyValidationException("metadata.namespace", "a NetworkPolicy needs a namespace");
        }

        return ConvertSpec(resource.Spec, PolicyKind.CalicoNetworkPolicy, resource.Name, resource.Namespace, null);
    }

    public static Model.Policy Convert(GlobalNetworkPolicy resource)
    {
        var spec = resource.Spec;
        if (spec.DoNotTrack == true || spec.PreDnat == true || spec.ApplyOnForward == true)
        {
            throw new PolicyValidationException("spec", "doNotTrack, preDNAT and applyOnForward apply to host endpoints, which Tabby does not enforce");
        }

        return ConvertSpec(spec, PolicyKind.GlobalNetworkPolicy, resource.Name, null,
            ParseSelector(spec.NamespaceSelector, "spec.namespaceSelector"));
    }

    public static ModelTier Convert(Datastore.Resources.Calico.Tier resource)
    {
        var action = resource.Spec.DefaultAction switch
        {
            null or "Deny" => PolicyAction.Deny,
            "Pass" => PolicyAction.Pass,
            var other => throw new PolicyValidationException("spec.defaultAction", $"\"{other}\" is not Deny or Pass"),
        };
        var tier = new ModelTier(resource.Name, resource.Spec.Order, action);
        tier.Validate();
        return tier;
    }

    private static Model.Policy ConvertSpec(PolicySpecBase spec, PolicyKind kind, string name, string? ns, CalicoSelector? namespaceSelector)
    {
        var ingress = ConvertRules(spec.Ingress, "spec.ingress");
        var egress = ConvertRules(spec.Egress, "spec.egress");
        var types = PolicyTypes.None;
        if (spec.Types is { Count: > 0 })
        {
            for (var i = 0; i < spec.Types.Count; i++)
            {
                types |= spec.Types[i] switch
                {
                    "Ingress" => PolicyTypes.Ingress,
                    "Egress" => PolicyTypes.Egress,
                    var other => throw new PolicyValidationException($"spec.types[{i}]", $"\"{other}\" is not Ingress or Egress"),
                };
            }
        }
        else
        {
            types = Model.Policy.DefaultTypes(ingress.Count, egress.Count);
        }

        if ((types & PolicyTypes.Ingress) == 0 && ingress.Count > 0)
        {
            throw new PolicyValidationException("spec.ingress", "ingress rules need Ingress in types");
        }

        if ((types & PolicyTypes.Egress) == 0 && egress.Count > 0)
        {
            throw new PolicyValidationException("spec.egress", "egress rules need Egress in types");
        }

        if (spec.Order is { } order && (double.IsNaN(order) || double.IsInfinity(order)))
        {
            throw new PolicyValidationException("spec.order", "must be a finite number");
        }

        return new Model.Policy
        {
            Kind = kind,
            Name = name,
            Namespace = ns,
            Tier = string.IsNullOrEmpty(spec.Tier) ? ModelTier.Default.Name : spec.Tier,
            Order = spec.Order,
            Selector = ParseSelector(spec.Selector, "spec.selector") ?? CalicoSelector.All,
            NamespaceSelector = namespaceSelector,
            ServiceAccountSelector = ParseSelector(spec.ServiceAccountSelector, "spec.serviceAccountSelector"),
            Types = types,
            Ingress = ingress,
            Egress = egress,
        }.Validated();
    }

    private static List<Rule> ConvertRules(List<PolicyRule>? rules, string field)
    {
        var result = new List<Rule>();
        for (var i = 0; i < (rules?.Count ?? 0); i++)
        {
            result.Add(ConvertRule(rules![i], $"{field}[{i}]"));
        }

        return result;
    }

    private static Rule ConvertRule(PolicyRule rule, string field)
    {
        if (rule.Http is not null)
        {
            throw new PolicyValidationException($"{field}.http", "HTTP match needs an application layer proxy, which Tabby does not run");
        }

        return new Rule
        {
            Action = rule.Action switch
            {
                PolicyActions.Allow => PolicyAction.Allow,
                PolicyActions.Deny => PolicyAction.Deny,
                PolicyActions.Log => PolicyAction.Log,
                PolicyActions.Pass => PolicyAction.Pass,
                var other => throw new PolicyValidationException($"{field}.action", $"\"{other}\" is not Allow, Deny, Log or Pass"),
            },
            IpVersion = rule.IpVersion,
            Protocol = ConvertProtocol(rule.Protocol, $"{field}.protocol"),
            NotProtocol = ConvertProtocol(rule.NotProtocol, $"{field}.notProtocol"),
            Icmp = ConvertIcmp(rule.Icmp, $"{field}.icmp"),
            NotIcmp = ConvertIcmp(rule.NotIcmp, $"{field}.notICMP"),
            Source = ConvertEntity(rule.Source, $"{field}.source"),
            Destination = ConvertEntity(rule.Destination, $"{field}.destination"),
            Origin = field[5..],
        };
    }

    private static Protocol? ConvertProtocol(IntOrString? value, string field)
    {
        if (value is not { } v)
        {
            return null;
        }

        if (v.IsInt)
        {
            return v.IntValue is >= 1 and <= 255 ? new Protocol((byte)v.IntValue)
                : throw new PolicyValidationException(field, $"{v.IntValue} is outside 1-255");
        }

        return Protocol.Parse(v.StringValue!, field);
    }

    private static IcmpMatch? ConvertIcmp(IcmpFields? icmp, string field)
    {
        if (icmp is null)
        {
            return null;
        }

        if (icmp.Type is not { } type)
        {
            throw new PolicyValidationException($"{field}.type", icmp.Code is null ? "type is required" : "code needs a type");
        }

        if (type is < 0 or > 254)
        {
            throw new PolicyValidationException($"{field}.type", $"{type} is outside 0-254");
        }

        if (icmp.Code is < 0 or > 255)
        {
            throw new PolicyValidationException($"{field}.code", $"{icmp.Code} is outside 0-255");
        }

        return new IcmpMatch((byte)type, (byte?)icmp.Code);
    }

    private static EntityMatch ConvertEntity(EntityRule? entity, string field)
    {
        if (entity is null)
        {
            return EntityMatch.Any;
        }

        if (entity.Services is not null)
        {
            throw new PolicyValidationException($"{field}.services", "service matches are not supported by Tabby yet");
        }

        return new EntityMatch
        {
            Nets = NetParser.ParseAll(entity.Nets, $"{field}.nets"),
            NotNets = NetParser.ParseAll(entity.NotNets, $"{field}.notNets"),
            Selector = ParseSelector(entity.Selector, $"{field}.selector"),
            NotSelector = ParseSelector(entity.NotSelector, $"{field}.notSelector"),
            NamespaceSelector = ParseSelector(entity.NamespaceSelector, $"{field}.namespaceSelector"),
            ServiceAccountNames = entity.ServiceAccounts?.Names ?? [],
            ServiceAccountSelector = ParseSelector(entity.ServiceAccounts?.Selector, $"{field}.serviceAccounts.selector"),
            Ports = ConvertPorts(entity.Ports, $"{field}.ports"),
            NotPorts = ConvertPorts(entity.NotPorts, $"{field}.notPorts"),
        };
    }

    private static List<PortMatch> ConvertPorts(List<IntOrString>? ports, string field) =>
        ports is null ? [] : [.. ports.Select((p, i) => p.IsInt ? PortMatch.Single(p.IntValue, $"{field}[{i}]") : PortMatch.Parse(p.StringValue!, $"{field}[{i}]"))];

    private static CalicoSelector? ParseSelector(string? text, string field)
    {
        if (text is null)
        {
            return null;
        }

        try
        {
            return CalicoSelector.Parse(text);
        }
        catch (SelectorSyntaxException e)
        {
            throw new PolicyValidationException(field, e.Message);
        }
    }
}
