using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Tabby.Datastore.Store;
using Tabby.Datastore.Validation;

namespace Tabby.Datastore.Kubernetes;

/// <summary>
/// The HTTP layer of our Kubernetes client: authentication (bearer token, token file, basic, client
/// certificate), client-side rate limiting, per-request timeouts, retries with exponential back-off
/// for 429 (honouring Retry-After) and, on reads, for 5xx and lost connections; and the mapping of
/// metav1.Status failures to datastore exceptions.
/// </summary>
internal sealed class KubernetesApiClient : IDisposable
{
    private static readonly TimeSpan TokenFileRefresh = TimeSpan.FromMinutes(1);
    private readonly KubernetesConnection _connection;
    private readonly KubernetesClientOptions _options;
    private readonly HttpClient _http;
    private readonly TokenBucket _limiter;
    private readonly TimeProvider _time;
    private string? _fileToken;
    private DateTimeOffset _fileTokenRead;

    public KubernetesApiClient(KubernetesConnection connection, KubernetesClientOptions options, TimeProvider time)
    {
        _connection = connection;
        _options = options;
        _time = time;
        _http = new HttpClient(connection.Tls.CreateHandler()) { Timeout = Timeout.InfiniteTimeSpan };
        _limiter = new TokenBucket(options.QueriesPerSecond, options.Burst, time);
    }

    public void Dispose() => _http.Dispose();

    /// <summary>Sends a request and returns the body of a 2xx answer; failures become datastore exceptions.</summary>
    public async Task<byte[]> SendAsync(HttpMethod method, string pathAndQuery, byte[]? body, string? contentType, CancellationToken cancellationToken)
    {
        var delay = _options.InitialBackoff;
        for (var attempt = 1; ; attempt++)
        {
            await _limiter.WaitAsync(cancellationToken).ConfigureAwait(false);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.RequestTimeout);
            using var request = CreateRequest(method, pathAndQuery, body, contentType);
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or IOException ||
                (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // A read can be repeated; a write may or may not have happened, so it is not retried.
                if (method != HttpMethod.Get || attempt >= _options.MaxAttempts)
                {
                    throw new DatastoreUnavailableException($"Kubernetes API {method} {pathAndQuery}: {e.Message}", e);
                }

                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                delay = NextDelay(delay);
                continue;
            }

            using (response)
            {
                var bytes = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return bytes;
                }

                var code = (int)response.StatusCode;
                var retryable = code == 429 || (method == HttpMethod.Get && code is 500 or 502 or 503 or 504);
                if (retryable && attempt < _options.MaxAttempts)
                {
                    var retryAfter = response.Headers.RetryAfter?.Delta;
                    await Task.Delay(retryAfter ?? delay, _time, cancellationToken).ConfigureAwait(false);
                    delay = NextDelay(delay);
                    continue;
                }

                throw MapError(code, bytes, $"{method} {pathAndQuery}");
            }
        }
    }

    /// <summary>Opens a watch stream and yields its lines until the server closes it.</summary>
    public async IAsyncEnumerable<string> StreamLinesAsync(string pathAndQuery, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await _limiter.WaitAsync(cancellationToken).ConfigureAwait(false);
        using var request = CreateRequest(HttpMethod.Get, pathAndQuery, null, null);
        HttpResponseMessage response;
        using (var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            connect.CancelAfter(_options.RequestTimeout);
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, connect.Token).ConfigureAwait(false);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw MapError((int)response.StatusCode, await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false), $"watch {pathAndQuery}");
            }

            using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (line.Length > 0)
                {
                    yield return line;
                }
            }
        }
    }

    private HttpRequestMessage CreateRequest(HttpMethod method, string pathAndQuery, byte[]? body, string? contentType)
    {
        var request = new HttpRequestMessage(method, new Uri(_connection.Server, pathAndQuery));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("tabby", "1.0"));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType ?? "application/json");
        }

        var token = CurrentToken();
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        else if (_connection.Username is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_connection.Username}:{_connection.Password}")));
        }

        return request;
    }

    /// <summary>The bearer token; a token file is re-read every minute because projected tokens rotate.</summary>
    private string? CurrentToken()
    {
        if (_connection.BearerToken is { Length: > 0 } fixedToken)
        {
            return fixedToken;
        }

        if (_connection.BearerTokenFile is null)
        {
            return null;
        }

        var now = _time.GetUtcNow();
        if (_fileToken is null || now - _fileTokenRead > TokenFileRefresh)
        {
            _fileToken = File.ReadAllText(_connection.BearerTokenFile).Trim();
            _fileTokenRead = now;
        }

        return _fileToken;
    }

    private TimeSpan NextDelay(TimeSpan delay) => TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxBackoff.Ticks));

    /// <summary>Turns a metav1.Status failure into the matching datastore exception.</summary>
    internal static Exception MapError(int code, byte[] body, string what)
    {
        string? reason = null, message = null, name = null;
        var causes = new List<FieldError>();
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            reason = root.TryGetProperty("reason", out var r) ? r.GetString() : null;
            message = root.TryGetProperty("message", out var m) ? m.GetString() : null;
            if (root.TryGetProperty("details", out var details))
            {
                name = details.TryGetProperty("name", out var n) ? n.GetString() : null;
                if (details.TryGetProperty("causes", out var list) && list.ValueKind == JsonValueKind.Array)
                {
                    foreach (var cause in list.EnumerateArray())
                    {
                        causes.Add(new FieldError(cause.TryGetProperty("field", out var f) ? f.GetString() ?? "" : "",
                            cause.TryGetProperty("message", out var cm) ? cm.GetString() ?? "" : ""));
                    }
                }
            }
        }
        catch (JsonException)
        {
            message = Encoding.UTF8.GetString(body);
        }

        message ??= $"HTTP {code}";
        return (code, reason) switch
        {
            (404, _) => new KubernetesStatusException(code, reason, message, KubernetesStatusKind.NotFound),
            (409, "AlreadyExists") => new KubernetesStatusException(code, reason, message, KubernetesStatusKind.AlreadyExists),
            (409, _) => new KubernetesStatusException(code, reason, message, KubernetesStatusKind.Conflict),
            (410, _) => new RevisionTooOldException("", message),
            (422, _) => new ResourceInvalidException(name ?? what, causes.Count > 0 ? causes : [new FieldError("", message)]),
            (401, _) => new DatastoreException($"Kubernetes API {what}: unauthorized (check the token or client certificate): {message}"),
            (403, _) => new DatastoreException($"Kubernetes API {what}: forbidden (RBAC): {message}"),
            (400, _) => new DatastoreException($"Kubernetes API {what}: bad request: {message}"),
            _ => new DatastoreUnavailableException($"Kubernetes API {what}: HTTP {code}: {message}"),
        };
    }
}

internal enum KubernetesStatusKind
{
    NotFound,
    AlreadyExists,
    Conflict,
}

/// <summary>A 404/409 from the API server; the datastore turns it into the typed exception for the object.</summary>
internal sealed class KubernetesStatusException(int code, string? reason, string message, KubernetesStatusKind kind)
    : DatastoreException($"HTTP {code} {reason}: {message}")
{
    public KubernetesStatusKind StatusKind { get; } = kind;
    public string ServerMessage { get; } = message;
}
