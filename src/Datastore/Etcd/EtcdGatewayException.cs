namespace Tabby.Datastore.Etcd;

/// <summary>An error answered by etcd's gateway, with its gRPC status code.</summary>
internal sealed class EtcdGatewayException(int code, string message)
    : Exception($"etcd: {message} (gRPC code {code})")
{
    /// <summary>gRPC OutOfRange: the requested revision has been compacted.</summary>
    public const int OutOfRange = 11;
    public const int Unauthenticated = 16;
    public const int InvalidArgument = 3;

    public int Code { get; } = code;
}
