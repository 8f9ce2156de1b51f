using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Store;

namespace Tabby.Datastore.Kubernetes;

/// <summary>
/// The Kubernetes API backend (production): Calico kinds as crd.projectcalico.org/v1 custom
/// resources, Kubernetes kinds at their built-in endpoints, and the Calico Node as annotations on
/// the Kubernetes Node (<see cref="CalicoNodeMapping"/>). Compare-and-swap is the API server's
/// resourceVersion check; deletes carry UID/resourceVersion preconditions; lists page with
/// limit/continue; watches use bookmarks, resume from the last resourceVersion after a lost
/// connection or a server timeout, and report 410 Gone as <see cref="RevisionTooOldException"/>.
/// </summary>
public sealed class KubernetesDatastore : IDatastore
{
    private readonly KubernetesConnection _connection;
    private readonly KubernetesClientOptions _options;
    private readonly KubernetesApiClient _api;
    private readonly ILogger _logger;
    private readonly Random _jitter = new();

    public KubernetesDatastore(KubernetesConnection connection, KubernetesClientOptions? options = null, ILogger? logger = null,
        TimeProvider? timeProvider = null)
    {
        _connection = connection;
        _options = options ?? new KubernetesClientOptions();
        _logger = logger ?? NullLogger.Instance;
        _api = new KubernetesApiClient(connection, _options, timeProvider ?? TimeProvider.System);
    }

    public string Description => $"Kubernetes API at {_connection.Server} ({_connection.Source})";

    public KubernetesConnection Connection => _connection;

    public ValueTask DisposeAsync()
    {
        _api.Dispose();
        return ValueTask.CompletedTask;
    }

    public async Task<T?> GetAsync<T>(ResourceKind<T> kind, string name, string? @namespace = null,
        CancellationToken cancellationToken = default) where T : Resource
    {
        if ((ResourceKind)kind == ResourceKinds.CalicoNodes)
        {
            var node = await GetAsync(ResourceKinds.KubeNodes, name, null, cancellationToken).ConfigureAwait(false);
            return node is null ? null : (T)(Resource)CalicoNodeMapping.FromKubernetes(node);
        }

        var ns = ResourceRules.ScopeNamespace(kind, @namespace, name);
        try
        {
            var bytes = await _api.SendAsync(HttpMethod.Get, ObjectPath(kind, ns, name), null, null, cancellationToken).ConfigureAwait(false);
            return Complete(kind, kind.Deserialize(bytes));
        }
        catch (KubernetesStatusException e) when (e.StatusKind == KubernetesStatusKind.NotFound)
        {
            return null;
        }
    }

    public async Task<ResourceList<T>> ListAsync<T>(ResourceKind<T> kind, ListOptions? options = null,
        CancellationToken cancellationToken = default) where T : Resource
    {
        if ((ResourceKind)kind == ResourceKinds.CalicoNodes)
        {
            var nodes = await ListAsync(ResourceKinds.KubeNodes, options, cancellationToken).ConfigureAwait(false);
            return new ResourceList<T>(nodes.Items.Select(n => (T)(Resource)CalicoNodeMapping.FromKubernetes(n)).ToList(), nodes.Revision);
        }

        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await ListPagesAsync(kind, options, cancellationToken).ConfigureAwait(false);
            }
            catch (RevisionTooOldException) when (attempt < 3)
            {
                // The continue token expired between pages: start the list again.
            }
        }
    }

    private async Task<ResourceList<T>> ListPagesAsync<T>(ResourceKind<T> kind, ListOptions? options, CancellationToken cancellationToken)
        where T : Resource
    {
        var items = new List<T>();
        string? continueToken = null;
        string revision;
        do
        {
            var query = Query(("limit", _options.ListPageSize.ToString(CultureInfo.InvariantCulture)), ("continue", continueToken),
                ("labelSelector", options?.LabelSelector), ("fieldSelector", options?.FieldSelector));
            var bytes = await _api.SendAsync(HttpMethod.Get, CollectionPath(kind, options?.Namespace) + query, null, null, cancellationToken)
                .ConfigureAwait(false);
            using var doc = JsonDocument.Parse(bytes);
            var meta = doc.RootElement.GetProperty("metadata");
            revision = meta.TryGetProperty("resourceVersion", out var rv) ? rv.GetString() ?? "" : "";
            continueToken = meta.TryGetProperty("continue", out var c) && c.GetString() is { Length: > 0 } next ? next : null;
            if (doc.RootElement.TryGetProperty("items", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in list.EnumerateArray())
                {
                    items.Add(Complete(kind, kind.Deserialize(item)));
                }
            }
        }
        while (continueToken is not null);

        return new ResourceList<T>(items, revision);
    }

    public async Task<T> CreateAsync<T>(ResourceKind<T> kind, T resource, CancellationToken cancellationToken = default) where T : Resource
    {
        if ((ResourceKind)kind == ResourceKinds.CalicoNodes)
        {
            return (T)(Resource)await CalicoNodeMapping.CreateAsync(this, (Resources.Calico.CalicoNode)(Resource)resource, cancellationToken).ConfigureAwait(false);
        }

        var name = ResourceRules.RequireName(kind, resource);
        var ns = ResourceRules.ScopeNamespace(kind, resource.Metadata.Namespace, name);
        var copy = kind.Clone(resource);
        copy.Metadata.Namespace = ns;
        copy.Metadata.ResourceVersion = null;
        copy.Metadata.Uid = null;
        copy.Metadata.CreationTimestamp = null;
        try
        {
            var bytes = await _api.SendAsync(HttpMethod.Post, CollectionPath(kind, ns), kind.Serialize(copy), null, cancellationToken).ConfigureAwait(false);
            return Complete(kind, kind.Deserialize(bytes));
        }
        catch (KubernetesStatusException e)
        {
            throw Typed(e, kind, name, ns);
        }
    }

    public async Task<T> UpdateAsync<T>(ResourceKind<T> kind, T resource, CancellationToken cancellationToken = default) where T : Resource
    {
        if ((ResourceKind)kind == ResourceKinds.CalicoNodes)
        {
            return (T)(Resource)await CalicoNodeMapping.UpdateAsync(this, (Resources.Calico.CalicoNode)(Resource)resource, cancellationToken).ConfigureAwait(false);
        }

        return await ReplaceAsync(kind, resource, "", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>CalicoNodeStatus declares a status subresource: its status is written through <c>.../NAME/status</c>.</summary>
    public async Task<T> UpdateStatusAsync<T>(ResourceKind<T> kind, T resource, CancellationToken cancellationToken = default) where T : Resource =>
        (ResourceKind)kind == ResourceKinds.CalicoNodeStatuses
            ? await ReplaceAsync(kind, resource, "/status", cancellationToken).ConfigureAwait(false)
            : await UpdateAsync(kind, resource, cancellationToken).ConfigureAwait(false);

    private async Task<T> ReplaceAsync<T>(ResourceKind<T> kind, T resource, string subresource, CancellationToken cancellationToken) where T : Resource
    {
        var name = ResourceRules.RequireName(kind, resource);
        var ns = ResourceRules.ScopeNamespace(kind, resource.Metadata.Namespace, name);
        ResourceRules.RequireResourceVersion(resource);
        var copy = kind.Clone(resource);
        copy.Metadata.Namespace = ns;
        try
        {
            var bytes = await _api.SendAsync(HttpMethod.Put, ObjectPath(kind, ns, name) + subresource, kind.Serialize(copy), null, cancellationToken).ConfigureAwait(false);
            return Complete(kind, kind.Deserialize(bytes));
        }
        catch (KubernetesStatusException e)
        {
            throw Typed(e, kind, name, ns);
        }
    }

    public async Task<T> DeleteAsync<T>(ResourceKind<T> kind, string name, string? @namespace = null, DeleteOptions? options = null,
        CancellationToken cancellationToken = default) where T : Resource
    {
        if ((ResourceKind)kind == ResourceKinds.CalicoNodes)
        {
            return (T)(Resource)await CalicoNodeMapping.DeleteAsync(this, name, options, cancellationToken).ConfigureAwait(false);
        }

        var ns = ResourceRules.ScopeNamespace(kind, @namespace, name);
        var body = Encoding.UTF8.GetBytes(DeleteBody(options));
        try
        {
            var bytes = await _api.SendAsync(HttpMethod.Delete, ObjectPath(kind, ns, name), body, null, cancellationToken).ConfigureAwait(false);
            using var doc = JsonDocument.Parse(bytes);
            if (doc.RootElement.TryGetProperty("kind", out var k) && k.GetString() == "Status")
            {
                // Some deletions answer with a Status instead of the object; return what we know.
                var stub = kind.Deserialize(Encoding.UTF8.GetBytes("{}"));
                stub.Metadata.Name = name;
                stub.Metadata.Namespace = ns;
                return Complete(kind, stub);
            }

            return Complete(kind, kind.Deserialize(doc.RootElement));
        }
        catch (KubernetesStatusException e)
        {
            throw Typed(e, kind, name, ns);
        }
    }

    public async IAsyncEnumerable<WatchEvent<T>> WatchAsync<T>(ResourceKind<T> kind, WatchOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default) where T : Resource
    {
        if ((ResourceKind)kind == ResourceKinds.CalicoNodes)
        {
            await foreach (var e in WatchAsync(ResourceKinds.KubeNodes, options, cancellationToken).ConfigureAwait(false))
            {
                yield return new WatchEvent<T>(e.Type, e.Object is null ? null : (T)(Resource)CalicoNodeMapping.FromKubernetes(e.Object), e.Revision);
            }

            yield break;
        }

        var after = options?.Revision;
        if (string.IsNullOrEmpty(after))
        {
            // "From now": the revision of an (empty-paged) list.
            var query = Query(("limit", "1"), ("labelSelector", options?.LabelSelector), ("fieldSelector", options?.FieldSelector));
            var bytes = await _api.SendAsync(HttpMethod.Get, CollectionPath(kind, options?.Namespace) + query, null, null, cancellationToken).ConfigureAwait(false);
            using var doc = JsonDocument.Parse(bytes);
            after = doc.RootElement.GetProperty("metadata").GetProperty("resourceVersion").GetString();
        }

        var delay = _options.InitialBackoff;
        while (true)
        {
            // client-go spreads watch timeouts so reconnects of many agents do not align.
            var timeoutSeconds = (int)(_options.WatchTimeout.TotalSeconds * (1 + _jitter.NextDouble()));
            var path = CollectionPath(kind, options?.Namespace) + Query(("watch", "1"), ("resourceVersion", after),
                ("allowWatchBookmarks", "true"), ("timeoutSeconds", timeoutSeconds.ToString(CultureInfo.InvariantCulture)),
                ("labelSelector", options?.LabelSelector), ("fieldSelector", options?.FieldSelector));
            // No line at all (not even a bookmark) for longer than the server-side timeout: the
            // connection is dead without having been closed; drop it and resume.
            var idleLimit = TimeSpan.FromSeconds(timeoutSeconds) + _options.RequestTimeout;
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            idle.CancelAfter(idleLimit);
            var lines = _api.StreamLinesAsync(path, idle.Token).GetAsyncEnumerator(idle.Token);
            Exception? failure = null;
            try
            {
                while (true)
                {
                    string line;
                    try
                    {
                        if (!await lines.MoveNextAsync().ConfigureAwait(false))
                        {
                            break;
                        }

                        line = lines.Current;
                    }
                    catch (Exception e) when (!cancellationToken.IsCancellationRequested &&
                        e is HttpRequestException or IOException or OperationCanceledException or DatastoreUnavailableException)
                    {
                        failure = e;
                        break;
                    }

                    idle.CancelAfter(idleLimit);
                    var watchEvent = ParseEvent(kind, line);
                    delay = _options.InitialBackoff;
                    after = watchEvent.Revision;
                    if (watchEvent.Type != WatchEventType.Bookmark || options?.AllowBookmarks == true)
                    {
                        yield return watchEvent;
                    }
                }
            }
            finally
            {
                await lines.DisposeAsync().ConfigureAwait(false);
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (failure is null)
            {
                continue; // the server ended the watch at its timeout: resume at once
            }

            _logger.LogInformation("Kubernetes watch of {Kind} lost at resourceVersion {Revision} ({Reason}); resuming",
                kind.Kind, after, failure.Message);
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxBackoff.Ticks));
        }
    }

    private static WatchEvent<T> ParseEvent<T>(ResourceKind<T> kind, string line) where T : Resource
    {
        using var doc = JsonDocument.Parse(line);
        var type = doc.RootElement.GetProperty("type").GetString();
        var obj = doc.RootElement.GetProperty("object");
        if (type == "ERROR")
        {
            var code = obj.TryGetProperty("code", out var c) ? c.GetInt32() : 0;
            var message = obj.TryGetProperty("message", out var m) ? m.GetString() : line;
            if (code == 410)
            {
                throw new RevisionTooOldException("", message ?? "410 Gone");
            }

            throw new DatastoreUnavailableException($"Kubernetes watch of {kind.Plural} failed: {message} (code {code})");
        }

        if (type == "BOOKMARK")
        {
            var rv = obj.GetProperty("metadata").GetProperty("resourceVersion").GetString() ?? "";
            return new WatchEvent<T>(WatchEventType.Bookmark, null, rv);
        }

        var item = Complete(kind, kind.Deserialize(obj));
        var eventType = type switch
        {
            "ADDED" => WatchEventType.Added,
            "MODIFIED" => WatchEventType.Modified,
            "DELETED" => WatchEventType.Deleted,
            _ => throw new DatastoreUnavailableException($"Kubernetes watch of {kind.Plural}: unknown event type \"{type}\""),
        };
        return new WatchEvent<T>(eventType, item, item.Metadata.ResourceVersion ?? "");
    }

    /// <summary>Lists omit apiVersion/kind on items; fill them so objects look the same from every backend.</summary>
    private static T Complete<T>(ResourceKind<T> kind, T item) where T : Resource
    {
        item.ApiVersion = kind.ApiVersion;
        item.Kind = kind.Kind;
        return item;
    }

    private static Exception Typed(KubernetesStatusException e, ResourceKind kind, string name, string? ns) => e.StatusKind switch
    {
        KubernetesStatusKind.NotFound => new ResourceNotFoundException(kind, name, ns),
        KubernetesStatusKind.AlreadyExists => new ResourceAlreadyExistsException(kind, name, ns),
        _ => new ResourceConflictException(kind, name, ns, e.ServerMessage),
    };

    private static string DeleteBody(DeleteOptions? options)
    {
        var preconditions = new List<string>();
        if (options?.Uid is { Length: > 0 } uid)
        {
            preconditions.Add($"\"uid\":{JsonEncodedText.Encode(uid).ToString().Quote()}");
        }

        if (options?.ResourceVersion is { Length: > 0 } rv)
        {
            preconditions.Add($"\"resourceVersion\":{JsonEncodedText.Encode(rv).ToString().Quote()}");
        }

        return "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"propagationPolicy\":\"Background\"" +
            (preconditions.Count > 0 ? ",\"preconditions\":{" + string.Join(",", preconditions) + "}" : "") + "}";
    }

    internal static string CollectionPath(ResourceKind kind, string? ns)
    {
        var root = kind.Group.Length == 0 ? $"/api/{kind.Version}" : $"/apis/{kind.Group}/{kind.Version}";
        return kind.Namespaced && !string.IsNullOrEmpty(ns)
            ? $"{root}/namespaces/{Uri.EscapeDataString(ns)}/{kind.Plural}"
            : $"{root}/{kind.Plural}";
    }

    internal static string ObjectPath(ResourceKind kind, string? ns, string name) => CollectionPath(kind, ns) + "/" + Uri.EscapeDataString(name);

    private static string Query(params (string Key, string? Value)[] parameters)
    {
        var parts = parameters.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value!)}").ToList();
        return parts.Count == 0 ? "" : "?" + string.Join("&", parts);
    }
}

internal static class StringQuoting
{
    public static string Quote(this string encoded) => "\"" + encoded + "\"";
}
