using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Tabby.Testing.KubeApi;
using Xunit;

namespace Tabby.Datastore.Tests.Kubernetes;

/// <summary>The emulator answers like the API server on the wire (checked with a plain HTTP client).</summary>
public sealed class KubeApiEmulatorTests : IAsyncLifetime
{
    private KubeApiServer _server = null!;
    private HttpClient _http = null!;
    private const string Pools = "/apis/crd.projectcalico.org/v1/ippools";

    public async Task InitializeAsync()
    {
        _server = await KubeApiServer.StartAsync(historyCapacity: 5);
        _http = new HttpClient { BaseAddress = _server.Url };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    private async Task<(HttpStatusCode Code, JsonObject Body)> SendAsync(HttpMethod method, string path, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await _http.SendAsync(request);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    [Fact]
    public async Task Conflicts_and_preconditions_return_status_objects()
    {
        var (code, created) = await SendAsync(HttpMethod.Post, Pools, """{"metadata":{"name":"a"},"spec":{"cidr":"198.18.0.0/16"}}""");
        Assert.Equal(HttpStatusCode.Created, code);
        var rv = created["metadata"]!["resourceVersion"]!.GetValue<string>();
        var uid = created["metadata"]!["uid"]!.GetValue<string>();

        (code, var status) = await SendAsync(HttpMethod.Post, Pools, """{"metadata":{"name":"a"}}""");
        Assert.Equal((HttpStatusCode.Conflict, "AlreadyExists"), (code, status["reason"]!.GetValue<string>()));

        (code, _) = await SendAsync(HttpMethod.Put, Pools + "/a", $$$"""{"metadata":{"name":"a","resourceVersion":"{{{rv}}}"},"spec":{"cidr":"198.18.0.0/16","disabled":true}}""");
        Assert.Equal(HttpStatusCode.OK, code);
        (code, status) = await SendAsync(HttpMethod.Put, Pools + "/a", $$$"""{"metadata":{"name":"a","resourceVersion":"{{{rv}}}"},"spec":{}}""");
        Assert.Equal((HttpStatusCode.Conflict, "Conflict", "Status"), (code, status["reason"]!.GetValue<string>(), status["kind"]!.GetValue<string>()));
        Assert.Contains("the object has been modified", status["message"]!.GetValue<string>(), StringComparison.Ordinal);

        (code, status) = await SendAsync(HttpMethod.Delete, Pools + "/a", """{"preconditions":{"uid":"someone-else"}}""");
        Assert.Equal(HttpStatusCode.Conflict, code);
        Assert.Contains("Precondition failed: UID in precondition: someone-else", status["message"]!.GetValue<string>(), StringComparison.Ordinal);
        (code, _) = await SendAsync(HttpMethod.Delete, Pools + "/a", $$$"""{"preconditions":{"uid":"{{{uid}}}"}}""");
        Assert.Equal(HttpStatusCode.OK, code);
        (code, status) = await SendAsync(HttpMethod.Get, Pools + "/a");
        Assert.Equal((HttpStatusCode.NotFound, "NotFound"), (code, status["reason"]!.GetValue<string>()));
        (code, status) = await SendAsync(HttpMethod.Post, Pools, """{"metadata":{"name":"b","resourceVersion":"5"}}""");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
    }

    [Fact]
    public async Task Paging_selectors_and_gone()
    {
        for (var i = 0; i < 7; i++)
        {
            var even = i % 2 == 0 ? "yes" : "no";
            await SendAsync(HttpMethod.Post, Pools, "{\"metadata\":{\"name\":\"p" + i + "\",\"labels\":{\"even\":\"" + even + "\"}}}");
        }

        var (_, page) = await SendAsync(HttpMethod.Get, Pools + "?limit=3");
        Assert.Equal(3, page["items"]!.AsArray().Count);
        var token = page["metadata"]!["continue"]!.GetValue<string>();
        (_, page) = await SendAsync(HttpMethod.Get, Pools + "?limit=10&continue=" + Uri.EscapeDataString(token));
        Assert.Equal(4, page["items"]!.AsArray().Count);
        (_, page) = await SendAsync(HttpMethod.Get, Pools + "?labelSelector=" + Uri.EscapeDataString("even=yes"));
        Assert.Equal(4, page["items"]!.AsArray().Count);

        // The history holds 5 events: a watch from the first revision is gone (in-stream ERROR 410).
        var first = 1001;
        var text = await _http.GetStringAsync($"{Pools}?watch=1&resourceVersion={first}");
        var error = JsonNode.Parse(text.Trim())!;
        Assert.Equal("ERROR", error["type"]!.GetValue<string>());
        Assert.Equal(410, error["object"]!["code"]!.GetValue<int>());
        await SendAsync(HttpMethod.Post, Pools, """{"metadata":{"name":"later"}}""");
        _server.Compact();
        (var code, _) = await SendAsync(HttpMethod.Get, Pools + "?limit=1&continue=" + Uri.EscapeDataString(token));
        Assert.Equal(HttpStatusCode.Gone, code);
    }
}
