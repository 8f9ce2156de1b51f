using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Tabby.Datastore.Resources;

/// <summary>
/// Everything a backend needs to know about one kind: where it lives in the Kubernetes API
/// (group, version, plural, scope), the calicoctl (projectcalico.org/v3) name, and its JSON contract.
/// </summary>
public abstract class ResourceKind
{
    protected ResourceKind(string kind, string group, string version, string plural, bool namespaced,
        string? calicoV3Kind, IReadOnlyList<string> shortNames)
    {
        Kind = kind;
        Group = group;
        Version = version;
        Plural = plural;
        Namespaced = namespaced;
        CalicoV3Kind = calicoV3Kind;
        ShortNames = shortNames;
    }

    /// <summary>Kind as stored (crd.projectcalico.org/v1 or Kubernetes), e.g. <c>IPAMConfig</c>.</summary>
    public string Kind { get; }

    /// <summary>API group; empty for the Kubernetes core group.</summary>
    public string Group { get; }

    public string Version { get; }

    /// <summary>Lower-case plural used in REST paths and etcd keys, e.g. <c>ippools</c>.</summary>
    public string Plural { get; }

    public bool Namespaced { get; }

    /// <summary>The kind in calicoctl's projectcalico.org/v3 API, null when calicoctl does not expose it.</summary>
    public string? CalicoV3Kind { get; }

    /// <summary>Extra names tabbyctl accepts (singular lower-case, kubectl-like abbreviations).</summary>
    public IReadOnlyList<string> ShortNames { get; }

    public string ApiVersion => Group.Length == 0 ? Version : Group + "/" + Version;

    /// <summary>True for Tabby/Calico kinds (CRDs), false for Kubernetes built-ins.</summary>
    public bool IsCalico => Group == ResourceKinds.CalicoCrdGroup;

    public abstract Type ClrType { get; }

    /// <summary>Parses one object of this kind; the caller validates it.</summary>
    public abstract Resource DeserializeResource(ReadOnlySpan<byte> utf8Json);

    public abstract Resource DeserializeResource(JsonElement element);

    public abstract byte[] SerializeResource(Resource resource);

    public abstract JsonElement ToJsonElement(Resource resource);

    public override string ToString() => Kind;
}

/// <summary>A <see cref="ResourceKind"/> bound to its CLR type and source-generated JSON contract.</summary>
public sealed class ResourceKind<T> : ResourceKind where T : Resource
{
    public ResourceKind(string kind, string group, string version, string plural, bool namespaced,
        JsonTypeInfo<T> typeInfo, string? calicoV3Kind = null, IReadOnlyList<string>? shortNames = null)
        : base(kind, group, version, plural, namespaced, calicoV3Kind, shortNames ?? [])
    {
        TypeInfo = typeInfo;
    }

    public JsonTypeInfo<T> TypeInfo { get; }

    public override Type ClrType => typeof(T);

    public T Deserialize(ReadOnlySpan<byte> utf8Json) =>
        JsonSerializer.Deserialize(utf8Json, TypeInfo) ?? throw new JsonException($"{Kind}: document is null");

    public T Deserialize(JsonElement element) =>
        element.Deserialize(TypeInfo) ?? throw new JsonException($"{Kind}: document is null");

    /// <summary>Serializes with apiVersion and kind filled in.</summary>
    public byte[] Serialize(T resource)
    {
        resource.ApiVersion = ApiVersion;
        resource.Kind = Kind;
        return JsonSerializer.SerializeToUtf8Bytes(resource, TypeInfo);
    }

    /// <summary>A deep copy (callers may mutate the copy freely: backends never share instances).</summary>
    public T Clone(T resource) => Deserialize(Serialize(resource));

    public override Resource DeserializeResource(ReadOnlySpan<byte> utf8Json) => Deserialize(utf8Json);

    public override Resource DeserializeResource(JsonElement element) => Deserialize(element);

    public override byte[] SerializeResource(Resource resource) => Serialize((T)resource);

    public override JsonElement ToJsonElement(Resource resource)
    {
        using var doc = JsonDocument.Parse(Serialize((T)resource));
        return doc.RootElement.Clone();
    }
}
