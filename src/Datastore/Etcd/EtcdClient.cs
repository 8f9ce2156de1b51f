using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Tabby.Datastore.Store;

namespace Tabby.Datastore.Etcd;

/// <summary>
/// A small etcd v3 client over the JSON gateway (gRPC clients cannot be used here): range, txn,
/// delete, compaction and the watch stream. Fails over between endpoints on connection errors.
/// </summary>
internal sealed class EtcdClient : IDisposable
{
    private static readonly EtcdJsonContext Json = EtcdJsonContext.Default;
    private readonly EtcdOptions _options;
    private readonly HttpClient _http;
    private int _endpoint;
    private string? _token;

    public EtcdClient(EtcdOptions options)
    {
        if (options.Endpoints.Count == 0)
        {
            throw new ArgumentException("at least one etcd endpoint is required", nameof(options));
        }

        _options = options;
        _http = new HttpClient((options.Tls ?? new Http.TlsSettings()).CreateHandler()) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public Uri CurrentEndpoint => _options.Endpoints[_endpoint % _options.Endpoints.Count];

    public void Dispose() => _http.Dispose();

    public Task<RangeResponse> RangeAsync(RangeRequest request, CancellationToken cancellationToken) =>
        PostAsync("/v3/kv/range", request, Json.RangeRequest, Json.RangeResponse, cancellationToken);

    public Task<TxnResponse> TxnAsync(TxnRequest request, CancellationToken cancellationToken) =>
        PostAsync("/v3/kv/txn", request, Json.TxnRequest, Json.TxnResponse, cancellationToken);

    public Task<DeleteRangeResponse> DeleteRangeAsync(DeleteRangeRequest request, CancellationToken cancellationToken) =>
        PostAsync("/v3/kv/deleterange", request, Json.DeleteRangeRequest, Json.DeleteRangeResponse, cancellationToken);

    public Task<RangeResponse> CompactAsync(long revision, CancellationToken cancellationToken) =>
        PostAsync("/v3/kv/compaction", new CompactionRequest { Revision = revision, Physical = true }, Json.CompactionRequest, Json.RangeResponse, cancellationToken);

    /// <summary>
    /// One watch connection: yields results until the server or the network ends the stream.
    /// The caller resumes from its last revision.
    /// </summary>
    public async IAsyncEnumerable<WatchResult> WatchAsync(WatchCreateRequest create, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var request = await CreateRequestAsync("/v3/watch",
            JsonSerializer.SerializeToUtf8Bytes(new WatchRequest { CreateRequest = create }, Json.WatchRequest), cancellationToken).ConfigureAwait(false);
        HttpResponseMessage response;
        using (var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            connect.CancelAfter(_options.RequestTimeout);
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, connect.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (IsConnectionFailure(e, cancellationToken))
            {
                NextEndpoint();
                throw new DatastoreUnavailableException($"etcd watch at {request.RequestUri}: {e.Message}", e);
            }
        }

        using (response)
        {
            await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
            using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            using var reader = new StreamReader(stream);
            while (true)
            {
                var line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                if (line is null)
                {
                    yield break;
                }

                if (line.Length == 0)
                {
                    continue;
                }

                var message = JsonSerializer.Deserialize(line, Json.WatchResponseLine)
                    ?? throw new DatastoreUnavailableException("etcd watch: empty message");
                if (message.Error is { } error)
                {
                    throw new EtcdGatewayException(error.Code, error.Message ?? error.Error ?? "watch error");
                }

                if (message.Result is { } result)
                {
                    yield return result;
                }
            }
        }
    }

    private async Task<TResponse> PostAsync<TRequest, TResponse>(string path, TRequest body, JsonTypeInfo<TRequest> requestInfo,
        JsonTypeInfo<TResponse> responseInfo, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(body, requestInfo);
        Exception? last = null;
        for (var attempt = 0; attempt < _options.Endpoints.Count; attempt++)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.RequestTimeout);
            using var request = await CreateRequestAsync(path, payload, timeout.Token).ConfigureAwait(false);
            try
            {
                using var response = await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.Unauthorized && _options.Username is not null)
                {
                    _token = null; // expired token: authenticate again on the next call
                }

                await EnsureSuccessAsync(response, timeout.Token).ConfigureAwait(false);
                var bytes = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
                return JsonSerializer.Deserialize(bytes, responseInfo) ?? throw new DatastoreUnavailableException($"etcd {path}: empty answer");
            }
            catch (Exception e) when (IsConnectionFailure(e, cancellationToken))
            {
                last = e;
                NextEndpoint();
            }
        }

        throw new DatastoreUnavailableException(
            $"etcd {path}: no endpoint answered ({string.Join(", ", _options.Endpoints)}): {last?.Message}", last);
    }

    private async Task<HttpRequestMessage> CreateRequestAsync(string path, byte[] payload, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(CurrentEndpoint, path))
        {
            Content = new ByteArrayContent(payload),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (_options.Username is not null)
        {
            _token ??= await AuthenticateAsync(cancellationToken).ConfigureAwait(false);
            request.Headers.TryAddWithoutValidation("Authorization", _token);
        }

        return request;
    }

    private async Task<string> AuthenticateAsync(CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new AuthenticateRequest { Name = _options.Username!, Password = _options.Password ?? "" }, Json.AuthenticateRequest);
        using var content = new ByteArrayContent(body);
        using var response = await _http.PostAsync(new Uri(CurrentEndpoint, "/v3/auth/authenticate"), content, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        var answer = JsonSerializer.Deserialize(await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false), Json.AuthenticateResponse);
        return answer?.Token ?? throw new DatastoreUnavailableException("etcd authentication returned no token");
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        GatewayError? error = null;
        try
        {
            error = JsonSerializer.Deserialize(text, Json.GatewayError);
        }
        catch (JsonException)
        {
        }

        throw new EtcdGatewayException(error?.Code ?? -1, error?.Message ?? $"HTTP {(int)response.StatusCode}: {text}");
    }

    private static bool IsConnectionFailure(Exception e, CancellationToken callerToken) =>
        e is HttpRequestException or IOException || (e is OperationCanceledException && !callerToken.IsCancellationRequested);

    private void NextEndpoint() => Interlocked.Increment(ref _endpoint);
}
