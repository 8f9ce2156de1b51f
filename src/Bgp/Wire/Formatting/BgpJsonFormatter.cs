using System.Text.Json;
using Tabby.Bgp.Wire.Attributes;
using Tabby.Bgp.Wire.Errors;
using Tabby.Bgp.Wire.Messages;
using Tabby.Bgp.Wire.Nlri;

namespace Tabby.Bgp.Wire.Formatting;

/// <summary>Writes decoded messages and errors as JSON for humans and tools (tabbyctl bgp decode, debug logs).</summary>
public static class BgpJsonFormatter
{
    public static void WriteMessage(Utf8JsonWriter json, BgpMessage message, int length)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(message);
        json.WriteStartObject();
        json.WriteString("type", TypeName(message.Type));
        json.WriteNumber("length", length);
        switch (message)
        {
            case OpenMessage open:
                WriteOpen(json, open);
                break;
            case UpdateMessage update:
                WriteUpdate(json, update);
                break;
            case NotificationMessage notification:
                WriteNotification(json, notification);
                break;
            case RouteRefreshMessage refresh:
                json.WriteString("family", refresh.Family.ToString());
                json.WriteString("subtype", refresh.Subtype switch
                {
                    RouteRefreshSubtype.Request => "request",
                    RouteRefreshSubtype.BeginningOfRouteRefresh => "begin",
                    RouteRefreshSubtype.EndOfRouteRefresh => "end",
                    _ => $"unknown-{(byte)refresh.Subtype}",
                });
                break;
        }

        json.WriteEndObject();
    }

    public static string TypeName(MessageType type) => type switch
    {
        MessageType.Open => "OPEN",
        MessageType.Update => "UPDATE",
        MessageType.Notification => "NOTIFICATION",
        MessageType.Keepalive => "KEEPALIVE",
        MessageType.RouteRefresh => "ROUTE-REFRESH",
        _ => $"TYPE-{(byte)type}",
    };

    private static void WriteOpen(Utf8JsonWriter json, OpenMessage open)
    {
        json.WriteNumber("version", open.Version);
        json.WriteNumber("myAs", open.MyAs);
        json.WriteNumber("as", open.AsNumber);
        json.WriteNumber("holdTime", open.HoldTimeSeconds);
        json.WriteString("bgpIdentifier", open.BgpIdentifierAddress.ToString());
        if (open.UseExtendedParameters) json.WriteBoolean("extendedParameters", true);
        json.WriteStartArray("capabilities");
        foreach (var c in open.Capabilities)
        {
            json.WriteStartObject();
            json.WriteNumber("code", c.Code);
            json.WriteString("name", c.Name);
            c.WriteJsonFields(json);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteUpdate(Utf8JsonWriter json, UpdateMessage update)
    {
        if (update.IsEndOfRib(out var eorFamily)) json.WriteString("endOfRib", eorFamily.ToString());
        if (!update.Withdrawn.IsEmpty) WriteSection(json, "withdrawn", update.Withdrawn);
        if (update.MpUnreach is { } unreach)
        {
            json.WriteStartObject("mpUnreach");
            json.WriteString("family", unreach.Family.ToString());
            WriteSection(json, "withdrawn", unreach);
            json.WriteEndObject();
        }

        if (update.Attributes is { } attributes)
        {
            json.WriteStartObject("attributes");
            AttributeTable.WriteJson(attributes, json);
            json.WriteEndObject();
        }

        if (update.MpReach is { } reach)
        {
            json.WriteStartObject("mpReach");
            json.WriteString("family", reach.Family.ToString());
            if (!reach.Family.IsUnicastIp) json.WriteString("nlriHex", Convert.ToHexStringLower(reach.Data.Span));
            WriteSection(json, "nlri", reach);
            json.WriteEndObject();
        }

        if (!update.Nlri.IsEmpty) WriteSection(json, "nlri", update.Nlri);
        if (update.Handling != ErrorHandling.None) json.WriteString("handling", HandlingName(update.Handling));
        if (update.Errors.Count > 0)
        {
            json.WriteStartArray("errors");
            foreach (var e in update.Errors) WriteErrorObject(json, e);
            json.WriteEndArray();
        }
    }

    private static void WriteSection(Utf8JsonWriter json, string name, NlriSection section)
    {
        json.WriteStartArray(name);
        foreach (var entry in section)
        {
            if (section.HasPathId)
            {
                json.WriteStartObject();
                json.WriteString("prefix", entry.Prefix.ToString());
                json.WriteNumber("pathId", entry.PathId);
                json.WriteEndObject();
            }
            else
            {
                json.WriteStringValue(entry.Prefix.ToString());
            }
        }

        json.WriteEndArray();
    }

    private static void WriteNotification(Utf8JsonWriter json, NotificationMessage n)
    {
        json.WriteNumber("code", n.Code);
        json.WriteNumber("subcode", n.Subcode);
        json.WriteString("codeName", n.CodeName);
        json.WriteString("subcodeName", n.SubcodeName);
        if (!n.Data.IsEmpty) json.WriteString("data", Convert.ToHexStringLower(n.Data.Span));
        if (n.ShutdownCommunication is { } text) json.WriteString("shutdownCommunication", text);
    }

    /// <summary>An error with the NOTIFICATION it calls for (RFC 4271 section 6) and its RFC 7606 handling.</summary>
    public static void WriteErrorObject(Utf8JsonWriter json, BgpError error)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(error);
        json.WriteStartObject();
        json.WriteNumber("code", error.Code);
        json.WriteNumber("subcode", error.Subcode);
        json.WriteString("codeName", error.CodeName);
        json.WriteString("subcodeName", error.SubcodeName);
        json.WriteString("data", Convert.ToHexStringLower(error.Data.Span));
        json.WriteString("handling", HandlingName(error.Handling));
        json.WriteString("description", error.Description);
        if (error.Handling == ErrorHandling.SessionReset)
            json.WriteString("notification", Convert.ToHexStringLower(BgpMessageWriter.ToBytes(error.ToNotification())));
        json.WriteEndObject();
    }

    public static string HandlingName(ErrorHandling handling) => handling switch
    {
        ErrorHandling.AttributeDiscard => "attribute-discard",
        ErrorHandling.TreatAsWithdraw => "treat-as-withdraw",
        ErrorHandling.AfiSafiDisable => "afi-safi-disable",
        ErrorHandling.SessionReset => "session-reset",
        _ => "none",
    };
}
