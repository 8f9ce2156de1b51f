using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tabby.Testing.KubeApi;

/// <summary>
/// An in-process emulator of the Kubernetes API server's REST behaviour, because no kube-apiserver
/// can be installed here. It serves the built-in and CRD resources Tabby uses on 127.0.0.1 and
/// enforces what clients depend on: resourceVersion compare-and-swap (409 Conflict Status),
/// UID/resourceVersion delete preconditions, list paging with continue tokens, label and field
/// selectors, watch streams (ADDED/MODIFIED/DELETED/BOOKMARK) from a resourceVersion, and 410 Gone
/// once a revision leaves the bounded history. Faults (dropped watches, failing requests, bearer
/// tokens) can be injected. Not emulated: admission, schemas, finalizers, server-side apply.
/// </summary>
public sealed class KubeApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly KubeObjectStore _store;
    private readonly Dictionary<(string ApiVersion, string Plural), KubeApiResource> _resources;
    private readonly ConcurrentDictionary<HttpContext, byte> _watchConnections = new();
    private readonly ConcurrentQueue<int> _injectedFailures = new();
    private int _requestCount;

    private KubeApiServer(WebApplication app, KubeObjectStore store, IEnumerable<KubeApiResource> resources)
    {
        _app = app;
        _store = store;
        _resources = resources.ToDictionary(r => (r.ApiVersion, r.Plural));
    }

    /// <summary>http://127.0.0.1:PORT</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>When set, requests must carry <c>Authorization: Bearer &lt;token&gt;</c> (else 401).</summary>
    public string? RequiredBearerToken { get; set; }

    /// <summary>While set, new watch requests are answered 503 (an API server that is down for watches).</summary>
    public bool RefuseWatches { get; set; }

    /// <summary>How often idle watches that asked for bookmarks get one.</summary>
    public TimeSpan BookmarkInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Current global revision (the resourceVersion of the next list).</summary>
    public long Revision => _store.Revision;

    public int RequestCount => _requestCount;

    /// <summary>
    /// Starts the emulator on a free loopback port: plain HTTP, or HTTPS with <paramref name="tls"/>
    /// (server certificate from its CA; client certificates required unless it says otherwise).
    /// </summary>
    public static async Task<KubeApiServer> StartAsync(int historyCapacity = 10_000, IEnumerable<KubeApiResource>? resources = null,
        KubeApiTls? tls = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (tls is not null)
            {
                listen.UseHttps(https =>
                {
                    https.ServerCertificate = tls.Server;
                    if (tls.RequireClientCertificate)
                    {
                        https.ClientCertificateMode = Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.RequireCertificate;
                        https.ClientCertificateValidation = (certificate, _, _) => tls.ValidateClient(certificate);
                    }
                });
            }
        }));
        var app = builder.Build();
        var server = new KubeApiServer(app, new KubeObjectStore(historyCapacity), resources ?? KubeApiResource.Defaults);
        app.Run(server.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        // Kestrel reports the bound address; clients must use 127.0.0.1 (the name in the server certificate).
        server.Url = new UriBuilder(address) { Host = "127.0.0.1" }.Uri;
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        DropWatchConnections();
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Forgets the event history: watches and continues from older revisions get 410 Gone.</summary>
    public void Compact() => _store.Compact();

    /// <summary>Cuts every open watch stream, as a network failure or an API server restart would.</summary>
    public void DropWatchConnections()
    {
        foreach (var context in _watchConnections.Keys)
        {
            context.Abort();
        }
    }

    /// <summary>The next requests answer these HTTP status codes (429 with Retry-After: 0, 500, 503 ...).</summary>
    public void FailNextRequests(params int[] statusCodes)
    {
        foreach (var code in statusCodes)
        {
            _injectedFailures.Enqueue(code);
        }
    }

    /// <summary>Writes an object directly (test setup), bypassing HTTP.</summary>
    public JsonObject Seed(string apiVersion, string plural, JsonObject obj)
    {
        var r = _resources[(apiVersion, plural)];
        var ns = r.Namespaced ? obj["metadata"]?["namespace"]?.GetValue<string>() ?? "default" : null;
        if (ns is not null)
        {
            obj["metadata"]!["namespace"] = ns;
        }

        return _store.Create(r, ns, obj);
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requestCount);
        try
        {
            if (RequiredBearerToken is not null &&
                context.Request.Headers.Authorization.ToString() != "Bearer " + RequiredBearerToken)
            {
                throw new KubeStatusException(401, "Unauthorized", "Unauthorized");
            }

            if (_injectedFailures.TryDequeue(out var failure))
            {
                if (failure == 429)
                {
                    context.Response.Headers.RetryAfter = "0";
                }

                throw new KubeStatusException(failure, failure == 429 ? "TooManyRequests" : "InternalError", $"injected failure {failure}");
            }

            var (resource, ns, name, subresource) = Route(context.Request.Path.Value ?? "");
            var query = context.Request.Query;
            if (subresource is not null)
            {
                if (context.Request.Method is not ("GET" or "PUT"))
                {
                    throw new KubeStatusException(405, "MethodNotAllowed", $"{context.Request.Method} is not supported on {context.Request.Path}");
                }

                await WriteJsonAsync(context, 200, context.Request.Method == "GET"
                    ? _store.Get(resource, ns, name!)
                    : ReplaceStatus(resource, ns, name!, await ReadObjectAsync(context).ConfigureAwait(false))).ConfigureAwait(false);
                return;
            }

            switch (context.Request.Method)
            {
                case "GET" when name is not null:
                    await WriteJsonAsync(context, 200, _store.Get(resource, ns, name)).ConfigureAwait(false);
                    break;
                case "GET" when query["watch"] is var w && (w == "1" || w == "true"):
                    if (RefuseWatches)
                    {
                        throw new KubeStatusException(503, "ServiceUnavailable", "watches are refused for now");
                    }

                    await WatchAsync(context, resource, ns).ConfigureAwait(false);
                    break;
                case "GET":
                    await WriteJsonAsync(context, 200, List(context, resource, ns)).ConfigureAwait(false);
                    break;
                case "POST" when name is null:
                    await WriteJsonAsync(context, 201, Create(resource, ns, await ReadObjectAsync(context).ConfigureAwait(false))).ConfigureAwait(false);
                    break;
                case "PUT" when name is not null:
                    await WriteJsonAsync(context, 200, Replace(resource, ns, name, await ReadObjectAsync(context).ConfigureAwait(false))).ConfigureAwait(false);
                    break;
                case "PATCH" when name is not null:
                    await WriteJsonAsync(context, 200, Patch(context, resource, ns, name, await ReadObjectAsync(context).ConfigureAwait(false))).ConfigureAwait(false);
                    break;
                case "DELETE" when name is not null:
                    await WriteJsonAsync(context, 200, await DeleteAsync(context, resource, ns, name).ConfigureAwait(false)).ConfigureAwait(false);
                    break;
                default:
                    throw new KubeStatusException(405, "MethodNotAllowed", $"{context.Request.Method} is not supported on {context.Request.Path}");
            }
        }
        catch (KubeStatusException e)
        {
            if (!context.Response.HasStarted)
            {
                await WriteJsonAsync(context, e.Code, e.ToStatus()).ConfigureAwait(false);
            }
        }
        catch (JsonException e)
        {
            if (!context.Response.HasStarted)
            {
                await WriteJsonAsync(context, 400, KubeStatusException.BadRequest("malformed JSON: " + e.Message).ToStatus()).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or KeyNotFoundException or NullReferenceException)
        {
            // An emulator bug or a request it cannot handle: say what happened instead of an empty 500.
            if (!context.Response.HasStarted)
            {
                await WriteJsonAsync(context, 500, new KubeStatusException(500, "InternalError", $"emulator: {e}").ToStatus()).ConfigureAwait(false);
            }
        }
    }

    /// <summary>/api/v1/[namespaces/NS/]PLURAL[/NAME[/status]] or /apis/GROUP/VERSION/[namespaces/NS/]PLURAL[/NAME[/status]].</summary>
    private (KubeApiResource Resource, string? Namespace, string? Name, string? Subresource) Route(string path)
    {
        var segments = path.Trim('/').Split('/');
        string apiVersion;
        int rest;
        if (segments.Length >= 3 && segments[0] == "api")
        {
            apiVersion = segments[1];
            rest = 2;
        }
        else if (segments.Length >= 4 && segments[0] == "apis")
        {
            apiVersion = segments[1] + "/" + segments[2];
            rest = 3;
        }
        else
        {
            throw new KubeStatusException(404, "NotFound", $"the server could not find the requested resource ({path})");
        }

        var tail = segments[rest..];
        string? ns = null;
        if (tail.Length >= 3 && tail[0] == "namespaces")
        {
            ns = tail[1];
            tail = tail[2..];
        }

        string? subresource = null;
        if (tail.Length == 3 && tail[2] == "status" && _resources.TryGetValue((apiVersion, tail[0]), out var withStatus) && withStatus.HasStatusSubresource)
        {
            subresource = "status";
            tail = tail[..2];
        }

        if (tail.Length is < 1 or > 2 || !_resources.TryGetValue((apiVersion, tail[0]), out var resource))
        {
            throw new KubeStatusException(404, "NotFound", $"the server could not find the requested resource ({path})");
        }

        if (resource.Namespaced != (ns is not null) && !(resource.Namespaced && tail.Length == 1))
        {
            throw new KubeStatusException(404, "NotFound", $"the server could not find the requested resource ({path})");
        }

        return (resource, ns, tail.Length == 2 ? tail[1] : null, subresource);
    }

    private JsonObject List(HttpContext context, KubeApiResource resource, string? ns)
    {
        var query = context.Request.Query;
        var filter = KubeSelectors.Compile(query["labelSelector"], query["fieldSelector"]);
        var limit = int.TryParse(query["limit"], out var l) ? l : 0;
        string? after = null;
        long? listRevision = null;
        if (query["continue"].ToString() is { Length: > 0 } token)
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(token)).Split('|', 2);
            listRevision = long.Parse(decoded[0], CultureInfo.InvariantCulture);
            after = decoded[1];
            if (listRevision < _store.CompactedThrough)
            {
                throw KubeStatusException.Gone("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.");
            }
        }

        var (items, revision, next) = _store.List(resource, ns, filter, limit, after);
        var rv = listRevision ?? revision;
        var metadata = new JsonObject { ["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture) };
        if (next is not null)
        {
            metadata["continue"] = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{rv}|{next}"));
        }

        return new JsonObject
        {
            ["apiVersion"] = resource.ApiVersion,
            ["kind"] = resource.Kind + "List",
            ["metadata"] = metadata,
            ["items"] = new JsonArray(items.Select(i => (JsonNode)i).ToArray()),
        };
    }

    private JsonObject Create(KubeApiResource resource, string? ns, JsonObject obj)
    {
        var meta = obj["metadata"] as JsonObject ?? throw KubeStatusException.Invalid(resource, "", "metadata: Required value");
        var name = meta["name"]?.GetValue<string>();
        if (string.IsNullOrEmpty(name))
        {
            throw KubeStatusException.Invalid(resource, "", "metadata.name: Required value: name or generateName is required");
        }

        if (meta["resourceVersion"] is not null)
        {
            throw KubeStatusException.Invalid(resource, name, "metadata.resourceVersion: Invalid value: resourceVersion should not be set on objects to be created");
        }

        CheckNamespace(resource, ns, meta, name);
        CheckTypeMeta(resource, obj, name);
        return _store.Create(resource, ns, obj);
    }

    private JsonObject Replace(KubeApiResource resource, string? ns, string name, JsonObject obj)
    {
        var meta = obj["metadata"] as JsonObject ?? throw KubeStatusException.Invalid(resource, name, "metadata: Required value");
        if (meta["name"]?.GetValue<string>() != name)
        {
            throw KubeStatusException.BadRequest($"the name of the object ({meta["name"]}) does not match the name on the URL ({name})");
        }

        CheckNamespace(resource, ns, meta, name);
        CheckTypeMeta(resource, obj, name);
        return _store.Update(resource, ns, name, current =>
        {
            if (resource.HasStatusSubresource)
            {
                obj["status"] = current["status"]?.DeepClone(); // the main resource never changes the status
            }

            return obj;
        });
    }

    /// <summary>PUT .../status: only the status changes; metadata.resourceVersion is still a precondition.</summary>
    private JsonObject ReplaceStatus(KubeApiResource resource, string? ns, string name, JsonObject obj)
    {
        if (obj["metadata"]?["name"]?.GetValue<string>() != name)
        {
            throw KubeStatusException.BadRequest($"the name of the object ({obj["metadata"]?["name"]}) does not match the name on the URL ({name})");
        }

        return _store.Update(resource, ns, name, current =>
        {
            current["status"] = obj["status"]?.DeepClone();
            current["metadata"]!["resourceVersion"] = obj["metadata"]!["resourceVersion"]?.DeepClone();
            return current;
        });
    }

    /// <summary>JSON merge patch (RFC 7386); a resourceVersion in the patch makes it conditional.</summary>
    private JsonObject Patch(HttpContext context, KubeApiResource resource, string? ns, string name, JsonObject patch)
    {
        if (context.Request.ContentType?.StartsWith("application/merge-patch+json", StringComparison.Ordinal) != true)
        {
            throw new KubeStatusException(415, "UnsupportedMediaType", $"the emulator supports merge patches only, not {context.Request.ContentType}");
        }

        return _store.Update(resource, ns, name, current =>
        {
            var patchedVersion = patch["metadata"]?["resourceVersion"]?.GetValue<string>();
            MergePatch(current, patch);
            current["metadata"]!["resourceVersion"] = patchedVersion; // only a version given in the patch is a precondition
            return current;
        });
    }

    private async Task<JsonObject> DeleteAsync(HttpContext context, KubeApiResource resource, string? ns, string name)
    {
        string? uid = null, rv = null;
        if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            var options = await ReadObjectAsync(context).ConfigureAwait(false);
            uid = options["preconditions"]?["uid"]?.GetValue<string>();
            rv = options["preconditions"]?["resourceVersion"]?.GetValue<string>();
        }

        return _store.Delete(resource, ns, name, uid, rv);
    }

    private async Task WatchAsync(HttpContext context, KubeApiResource resource, string? ns)
    {
        var query = context.Request.Query;
        var filter = KubeSelectors.Compile(query["labelSelector"], query["fieldSelector"]);
        var bookmarks = query["allowWatchBookmarks"] == "true" || query["allowWatchBookmarks"] == "1";
        var rvText = query["resourceVersion"].ToString();
        long? from = string.IsNullOrEmpty(rvText) || rvText == "0" ? null : long.Parse(rvText, CultureInfo.InvariantCulture);
        var timeout = int.TryParse(query["timeoutSeconds"], out var t) ? TimeSpan.FromSeconds(t) : TimeSpan.FromMinutes(30);

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        KubeObjectStore.Watcher watcher;
        try
        {
            watcher = _store.Watch(resource, ns, from);
        }
        catch (KubeStatusException e) when (e.Code == 410)
        {
            // Like the real server: the watch opens, then carries one ERROR event with a 410 Status.
            await WriteLineAsync(context, new JsonObject { ["type"] = "ERROR", ["object"] = e.ToStatus() }).ConfigureAwait(false);
            return;
        }

        _watchConnections[context] = 0;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        deadline.CancelAfter(timeout);
        try
        {
            await context.Response.Body.FlushAsync(deadline.Token).ConfigureAwait(false);
            var lastBookmark = DateTime.UtcNow;
            while (!deadline.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
                wait.CancelAfter(BookmarkInterval);
                KubeObjectStore.StoredEvent e;
                try
                {
                    e = await watcher.Events.Reader.ReadAsync(wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!deadline.IsCancellationRequested)
                {
                    // Read the revision before checking the queue: every event up to it was queued first.
                    var observed = watcher.ObservedRevision;
                    if (bookmarks && watcher.Events.Reader.Count == 0 && DateTime.UtcNow - lastBookmark >= BookmarkInterval)
                    {
                        lastBookmark = DateTime.UtcNow;
                        await WriteLineAsync(context, new JsonObject
                        {
                            ["type"] = "BOOKMARK",
                            ["object"] = new JsonObject
                            {
                                ["apiVersion"] = resource.ApiVersion,
                                ["kind"] = resource.Kind,
                                ["metadata"] = new JsonObject { ["resourceVersion"] = observed.ToString(CultureInfo.InvariantCulture) },
                            },
                        }).ConfigureAwait(false);
                    }

                    continue;
                }

                var type = Classify(e, filter);
                if (type is not null)
                {
                    await WriteLineAsync(context, new JsonObject { ["type"] = type, ["object"] = e.Object.DeepClone() }).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            _watchConnections.TryRemove(context, out _);
            _store.Unwatch(watcher);
        }
    }

    /// <summary>Filtered watches: entering the selection is ADDED, leaving it DELETED.</summary>
    private static string? Classify(KubeObjectStore.StoredEvent e, Func<JsonObject, bool> filter)
    {
        var now = filter(e.Object);
        if (e.Type != "MODIFIED")
        {
            return now ? e.Type : null;
        }

        var before = e.Previous is not null && filter(e.Previous);
        return (before, now) switch
        {
            (true, true) => "MODIFIED",
            (false, true) => "ADDED",
            (true, false) => "DELETED",
            _ => null,
        };
    }

    private static void CheckNamespace(KubeApiResource resource, string? ns, JsonObject meta, string name)
    {
        if (resource.Namespaced && ns is null)
        {
            throw KubeStatusException.BadRequest("a namespace is required in the path for namespaced resources");
        }

        var bodyNs = meta["namespace"]?.GetValue<string>();
        if (!resource.Namespaced)
        {
            meta.Remove("namespace");
        }
        else if (bodyNs is not null && bodyNs != ns)
        {
            throw KubeStatusException.BadRequest($"the namespace of the provided object ({bodyNs}) does not match the namespace sent on the request ({ns})");
        }
        else
        {
            meta["namespace"] = ns;
        }

        _ = name;
    }

    private static void CheckTypeMeta(KubeApiResource resource, JsonObject obj, string name)
    {
        var kind = obj["kind"]?.GetValue<string>();
        var apiVersion = obj["apiVersion"]?.GetValue<string>();
        if ((kind is not null && kind != resource.Kind) || (apiVersion is not null && apiVersion != resource.ApiVersion))
        {
            throw KubeStatusException.BadRequest($"{name}: {apiVersion}/{kind} sent to the {resource.ApiVersion} {resource.Plural} endpoint");
        }
    }

    private static void MergePatch(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch.ToList())
        {
            if (value is null)
            {
                target.Remove(key);
            }
            else if (value is JsonObject patchObject && target[key] is JsonObject targetObject)
            {
                MergePatch(targetObject, patchObject);
            }
            else
            {
                target[key] = value.DeepClone();
            }
        }
    }

    private static async Task<JsonObject> ReadObjectAsync(HttpContext context)
    {
        var node = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        return node as JsonObject ?? throw KubeStatusException.BadRequest("the request body must be a JSON object");
    }

    private static async Task WriteJsonAsync(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteLineAsync(HttpContext context, JsonObject line)
    {
        await context.Response.WriteAsync(line.ToJsonString() + "\n", context.RequestAborted).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }
}
