using System.Text.Json;
using Tabby.Datastore.Resources;

namespace Tabby.Datastore.Store;

/// <summary>Namespace, label and field selection applied on the client side (etcd and embedded backends).</summary>
internal sealed class ObjectFilter
{
    private readonly string? _namespace;
    private readonly LabelSelector _labels;
    private readonly FieldSelector _fields;

    public ObjectFilter(string? @namespace, string? labelSelector, string? fieldSelector)
    {
        _namespace = string.IsNullOrEmpty(@namespace) ? null : @namespace;
        _labels = LabelSelector.Parse(labelSelector);
        _fields = FieldSelector.Parse(fieldSelector);
    }

    public static ObjectFilter From(ListOptions? options) =>
        new(options?.Namespace, options?.LabelSelector, options?.FieldSelector);

    public static ObjectFilter From(WatchOptions? options) =>
        new(options?.Namespace, options?.LabelSelector, options?.FieldSelector);

    public bool HasSelectors => _labels != LabelSelector.Everything || !_fields.IsEverything;

    /// <summary>Matches, serializing the object only when a field selector needs its JSON.</summary>
    public bool Matches<T>(ResourceKind<T> kind, T resource) where T : Resource =>
        _fields.IsEverything ? Matches(resource, []) : Matches(resource, kind.Serialize(resource));

    public bool Matches(Resource resource, ReadOnlySpan<byte> json)
    {
        if (_namespace is not null && resource.Metadata.Namespace != _namespace)
        {
            return false;
        }

        if (!_labels.Matches(resource.Metadata.Labels))
        {
            return false;
        }

        if (_fields.IsEverything)
        {
            return true;
        }

        using var doc = JsonDocument.Parse(json.ToArray());
        return _fields.Matches(doc.RootElement);
    }
}
