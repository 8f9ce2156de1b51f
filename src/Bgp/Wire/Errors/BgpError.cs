using Tabby.Bgp.Wire.Messages;

namespace Tabby.Bgp.Wire.Errors;

/// <summary>
/// One protocol error found in received input: the NOTIFICATION code, subcode and data field RFC
/// 4271 section 6 prescribes, what to do about it (<see cref="Handling"/>, RFC 7606), and a
/// human description naming the offending field.
/// </summary>
public sealed class BgpError
{
    public BgpError(byte code, byte subcode, ReadOnlyMemory<byte> data, ErrorHandling handling, string description)
    {
        Code = code;
        Subcode = subcode;
        Data = data;
        Handling = handling;
        Description = description;
    }

    public byte Code { get; }

    public byte Subcode { get; }

    /// <summary>The NOTIFICATION data field (RFC 4271 section 6 says what each error carries).</summary>
    public ReadOnlyMemory<byte> Data { get; }

    public ErrorHandling Handling { get; }

    /// <summary>What was wrong, naming the field, e.g. "ORIGIN value 3 is not IGP, EGP or INCOMPLETE".</summary>
    public string Description { get; }

    public string CodeName => BgpErrorNames.CodeName(Code);

    public string SubcodeName => BgpErrorNames.SubcodeName(Code, Subcode);

    /// <summary>The NOTIFICATION to send for this error (when <see cref="Handling"/> resets the session).</summary>
    public NotificationMessage ToNotification() => new(Code, Subcode, Data);

    public override string ToString() => $"{CodeName} / {SubcodeName}: {Description} ({Handling})";

    internal static BgpError Header(MessageHeaderErrorSubcode subcode, ReadOnlySpan<byte> data, string description) =>
        new((byte)BgpErrorCode.MessageHeaderError, (byte)subcode, data.ToArray(), ErrorHandling.SessionReset, description);

    internal static BgpError Open(OpenMessageErrorSubcode subcode, ReadOnlySpan<byte> data, string description) =>
        new((byte)BgpErrorCode.OpenMessageError, (byte)subcode, data.ToArray(), ErrorHandling.SessionReset, description);

    internal static BgpError Update(UpdateMessageErrorSubcode subcode, ReadOnlySpan<byte> data, ErrorHandling handling, string description) =>
        new((byte)BgpErrorCode.UpdateMessageError, (byte)subcode, data.ToArray(), handling, description);

    /// <summary>Bad Message Length; the data field is the erroneous length (RFC 4271 section 6.1).</summary>
    public static BgpError BadMessageLength(int length, string description)
    {
        Span<byte> data = stackalloc byte[2];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(data, (ushort)length);
        return Header(MessageHeaderErrorSubcode.BadMessageLength, data, description);
    }

    /// <summary>Bad Peer AS (RFC 4271 section 6.2); the speaker raises it after comparing with its configuration.</summary>
    public static BgpError BadPeerAs(string description) => Open(OpenMessageErrorSubcode.BadPeerAs, default, description);

    /// <summary>Unacceptable Hold Time (RFC 4271 section 6.2).</summary>
    public static BgpError UnacceptableHoldTime(string description) => Open(OpenMessageErrorSubcode.UnacceptableHoldTime, default, description);

    /// <summary>Unsupported Capability; data is the capabilities we require but the peer lacks (RFC 5492 section 5).</summary>
    public static BgpError UnsupportedCapability(ReadOnlySpan<byte> capabilities, string description) =>
        Open(OpenMessageErrorSubcode.UnsupportedCapability, capabilities, description);

    /// <summary>An FSM error for a message that is not expected in <paramref name="subcode"/>'s state (RFC 6608 section 4).</summary>
    public static BgpError Fsm(FsmErrorSubcode subcode, byte messageType, string description) =>
        new((byte)BgpErrorCode.FiniteStateMachineError, (byte)subcode, subcode == FsmErrorSubcode.UnspecifiedError ? ReadOnlyMemory<byte>.Empty : new[] { messageType },
            ErrorHandling.SessionReset, description);

    /// <summary>Hold Timer Expired (RFC 4271 section 6.5).</summary>
    public static BgpError HoldTimerExpired() =>
        new((byte)BgpErrorCode.HoldTimerExpired, 0, ReadOnlyMemory<byte>.Empty, ErrorHandling.SessionReset, "hold timer expired");
}
