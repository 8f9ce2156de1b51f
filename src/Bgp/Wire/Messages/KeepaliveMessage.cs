namespace Tabby.Bgp.Wire.Messages;

/// <summary>KEEPALIVE: the header alone, exactly 19 bytes (RFC 4271 section 4.4).</summary>
public sealed class KeepaliveMessage : BgpMessage
{
    public static readonly KeepaliveMessage Instance = new();

    private KeepaliveMessage() { }

    public override MessageType Type => MessageType.Keepalive;

    internal override void WriteBody(ref SpanWriter writer, BgpSessionOptions options) { }

    public override string ToString() => "KEEPALIVE";
}
