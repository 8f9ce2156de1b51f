using System.Text.Json.Serialization;

namespace Tabby.Datastore.Etcd;

// The etcd v3 API messages as the grpc-gateway encodes them in JSON: bytes as base64, int64 as
// strings, fields with zero values omitted (so a missing "type" is PUT, a missing "succeeded" is false).

internal sealed class ResponseHeader
{
    [JsonPropertyName("revision")] public long Revision { get; set; }
}

internal sealed class KeyValue
{
    [JsonPropertyName("key")] public byte[] Key { get; set; } = [];
    [JsonPropertyName("create_revision")] public long CreateRevision { get; set; }
    [JsonPropertyName("mod_revision")] public long ModRevision { get; set; }
    [JsonPropertyName("version")] public long Version { get; set; }
    [JsonPropertyName("value")] public byte[]? Value { get; set; }
}

internal sealed class RangeRequest
{
    [JsonPropertyName("key")] public byte[] Key { get; set; } = [];
    [JsonPropertyName("range_end")] public byte[]? RangeEnd { get; set; }
    [JsonPropertyName("limit")] public long? Limit { get; set; }
    [JsonPropertyName("revision")] public long? Revision { get; set; }
    [JsonPropertyName("sort_order")] public string? SortOrder { get; set; }
    [JsonPropertyName("sort_target")] public string? SortTarget { get; set; }
}

internal sealed class RangeResponse
{
    [JsonPropertyName("header")] public ResponseHeader Header { get; set; } = new();
    [JsonPropertyName("kvs")] public List<KeyValue>? Kvs { get; set; }
    [JsonPropertyName("more")] public bool More { get; set; }
    [JsonPropertyName("count")] public long Count { get; set; }
}

internal sealed class PutRequest
{
    [JsonPropertyName("key")] public byte[] Key { get; set; } = [];
    [JsonPropertyName("value")] public byte[] Value { get; set; } = [];
}

internal sealed class DeleteRangeRequest
{
    [JsonPropertyName("key")] public byte[] Key { get; set; } = [];
    [JsonPropertyName("range_end")] public byte[]? RangeEnd { get; set; }
    [JsonPropertyName("prev_kv")] public bool PrevKv { get; set; }
}

internal sealed class DeleteRangeResponse
{
    [JsonPropertyName("header")] public ResponseHeader Header { get; set; } = new();
    [JsonPropertyName("deleted")] public long Deleted { get; set; }
    [JsonPropertyName("prev_kvs")] public List<KeyValue>? PrevKvs { get; set; }
}

/// <summary>A transaction guard: <c>target</c> is VERSION, CREATE, MOD or VALUE; <c>result</c> EQUAL, ...</summary>
internal sealed class Compare
{
    [JsonPropertyName("key")] public byte[] Key { get; set; } = [];
    [JsonPropertyName("target")] public string Target { get; set; } = "MOD";
    [JsonPropertyName("result")] public string Result { get; set; } = "EQUAL";
    [JsonPropertyName("mod_revision")] public long? ModRevision { get; set; }
    [JsonPropertyName("create_revision")] public long? CreateRevision { get; set; }
    [JsonPropertyName("version")] public long? Version { get; set; }
}

internal sealed class RequestOp
{
    [JsonPropertyName("request_range")] public RangeRequest? RequestRange { get; set; }
    [JsonPropertyName("request_put")] public PutRequest? RequestPut { get; set; }
    [JsonPropertyName("request_delete_range")] public DeleteRangeRequest? RequestDeleteRange { get; set; }
}

internal sealed class TxnRequest
{
    [JsonPropertyName("compare")] public List<Compare> Compare { get; set; } = [];
    [JsonPropertyName("success")] public List<RequestOp> Success { get; set; } = [];
    [JsonPropertyName("failure")] public List<RequestOp> Failure { get; set; } = [];
}

internal sealed class ResponseOp
{
    [JsonPropertyName("response_range")] public RangeResponse? ResponseRange { get; set; }
    [JsonPropertyName("response_put")] public RangeResponse? ResponsePut { get; set; }
    [JsonPropertyName("response_delete_range")] public DeleteRangeResponse? ResponseDeleteRange { get; set; }
}

internal sealed class TxnResponse
{
    [JsonPropertyName("header")] public ResponseHeader Header { get; set; } = new();
    [JsonPropertyName("succeeded")] public bool Succeeded { get; set; }
    [JsonPropertyName("responses")] public List<ResponseOp>? Responses { get; set; }
}

internal sealed class CompactionRequest
{
    [JsonPropertyName("revision")] public long Revision { get; set; }
    [JsonPropertyName("physical")] public bool Physical { get; set; }
}

internal sealed class WatchCreateRequest
{
    [JsonPropertyName("key")] public byte[] Key { get; set; } = [];
    [JsonPropertyName("range_end")] public byte[]? RangeEnd { get; set; }
    [JsonPropertyName("start_revision")] public long StartRevision { get; set; }
    [JsonPropertyName("progress_notify")] public bool ProgressNotify { get; set; }
    [JsonPropertyName("prev_kv")] public bool PrevKv { get; set; }
}

internal sealed class WatchRequest
{
    [JsonPropertyName("create_request")] public WatchCreateRequest? CreateRequest { get; set; }
}

internal sealed class WatchEventMessage
{
    /// <summary>Absent for PUT (the zero value), "DELETE" for deletes.</summary>
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("kv")] public KeyValue Kv { get; set; } = new();
    [JsonPropertyName("prev_kv")] public KeyValue? PrevKv { get; set; }
}

internal sealed class WatchResult
{
    [JsonPropertyName("header")] public ResponseHeader Header { get; set; } = new();
    [JsonPropertyName("created")] public bool Created { get; set; }
    [JsonPropertyName("canceled")] public bool Canceled { get; set; }
    [JsonPropertyName("compact_revision")] public long CompactRevision { get; set; }
    [JsonPropertyName("cancel_reason")] public string? CancelReason { get; set; }
    [JsonPropertyName("events")] public List<WatchEventMessage>? Events { get; set; }
}

internal sealed class WatchResponseLine
{
    [JsonPropertyName("result")] public WatchResult? Result { get; set; }
    [JsonPropertyName("error")] public GatewayError? Error { get; set; }
}

/// <summary>An error body of the gateway: gRPC status code and message.</summary>
internal sealed class GatewayError
{
    [JsonPropertyName("error")] public string? Error { get; set; }
    [JsonPropertyName("message")] public string? Message { get; set; }
    [JsonPropertyName("code")] public int Code { get; set; }
}

internal sealed class AuthenticateRequest
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("password")] public string Password { get; set; } = "";
}

internal sealed class AuthenticateResponse
{
    [JsonPropertyName("token")] public string? Token { get; set; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.WriteAsString)]
[JsonSerializable(typeof(RangeRequest))]
[JsonSerializable(typeof(RangeResponse))]
[JsonSerializable(typeof(PutRequest))]
[JsonSerializable(typeof(DeleteRangeRequest))]
[JsonSerializable(typeof(DeleteRangeResponse))]
[JsonSerializable(typeof(TxnRequest))]
[JsonSerializable(typeof(TxnResponse))]
[JsonSerializable(typeof(CompactionRequest))]
[JsonSerializable(typeof(WatchRequest))]
[JsonSerializable(typeof(WatchResponseLine))]
[JsonSerializable(typeof(GatewayError))]
[JsonSerializable(typeof(AuthenticateRequest))]
[JsonSerializable(typeof(AuthenticateResponse))]
internal sealed partial class EtcdJsonContext : JsonSerializerContext
{
}
