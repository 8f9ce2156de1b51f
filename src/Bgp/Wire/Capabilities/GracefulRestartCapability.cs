using System.Buffers.Binary;
using System.Text.Json;

namespace Tabby.Bgp.Wire.Capabilities;

/// <summary>One address family in the graceful restart capability (RFC 4724 section 3).</summary>
public readonly record struct GracefulRestartFamily(AfiSafi Family, bool ForwardingStatePreserved);

/// <summary>Graceful restart (RFC 4724 section 3, with the N bit of RFC 8538 section 2).</summary>
public sealed class GracefulRestartCapability : Capability
{
    public GracefulRestartCapability(bool restartState, bool notification, ushort restartTimeSeconds, IReadOnlyList<GracefulRestartFamily> families)
        : base((byte)CapabilityCode.GracefulRestart)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(restartTimeSeconds, (ushort)0x0FFF);
        RestartState = restartState;
        Notification = notification;
        RestartTimeSeconds = restartTimeSeconds;
        Families = families;
    }

    /// <summary>R bit: the sender has restarted (RFC 4724 section 3).</summary>
    public bool RestartState { get; }

    /// <summary>N bit: graceful restart also covers NOTIFICATION (RFC 8538 section 2).</summary>
    public bool Notification { get; }

    /// <summary>12-bit restart time in seconds.</summary>
    public ushort RestartTimeSeconds { get; }

    public IReadOnlyList<GracefulRestartFamily> Families { get; }

    public override void WriteValue(ref SpanWriter writer)
    {
        writer.WriteUInt16((ushort)((RestartState ? 0x8000 : 0) | (Notification ? 0x4000 : 0) | RestartTimeSeconds));
        foreach (var f in Families)
        {
            writer.WriteUInt16((ushort)f.Family.Afi);
            writer.WriteByte((byte)f.Family.Safi);
            writer.WriteByte(f.ForwardingStatePreserved ? (byte)0x80 : (byte)0);
        }
    }

    public override void WriteJsonFields(Utf8JsonWriter json)
    {
        json.WriteBoolean("restartState", RestartState);
        json.WriteBoolean("notification", Notification);
        json.WriteNumber("restartTime", RestartTimeSeconds);
        json.WriteStartArray("families");
        foreach (var f in Families)
        {
            json.WriteStartObject();
            json.WriteString("family", f.Family.ToString());
            json.WriteBoolean("forwardingStatePreserved", f.ForwardingStatePreserved);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    public override string ToString() =>
        $"graceful-restart time {RestartTimeSeconds}{(RestartState ? " restarted" : "")}{(Notification ? " notification" : "")} [{string.Join(", ", Families.Select(f => f.Family + (f.ForwardingStatePreserved ? " (forwarding)" : "")))}]";

    /// <summary>Flags+time (2) then (AFI 2, SAFI 1, flags 1) per family (RFC 4724 section 3).</summary>
    internal static Capability? Decode(ReadOnlySpan<byte> value)
    {
        if (value.Length < 2 || (value.Length - 2) % 4 != 0) return null;
        ushort head = BinaryPrimitives.ReadUInt16BigEndian(value);
        var families = new GracefulRestartFamily[(value.Length - 2) / 4];
        for (int i = 0; i < families.Length; i++)
        {
            var item = value.Slice(2 + 4 * i, 4);
            families[i] = new GracefulRestartFamily(new AfiSafi((Afi)BinaryPrimitives.ReadUInt16BigEndian(item), (Safi)item[2]), (item[3] & 0x80) != 0);
        }

        return new GracefulRestartCapability((head & 0x8000) != 0, (head & 0x4000) != 0, (ushort)(head & 0x0FFF), families);
    }
}
