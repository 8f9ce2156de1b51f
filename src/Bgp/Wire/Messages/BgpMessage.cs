namespace Tabby.Bgp.Wire.Messages;

/// <summary>A decoded BGP message; each type has a matching decoder and encoder (one file per type).</summary>
public abstract class BgpMessage
{
    public abstract MessageType Type { get; }

    /// <summary>Writes the message body (everything after the 19-byte header).</summary>
    internal abstract void WriteBody(ref SpanWriter writer, BgpSessionOptions options);
}
