using Tabby.Bgp.Wire.Errors;
using Tabby.Bgp.Wire.Formatting;
using Tabby.Bgp.Wire.Messages;
using Tabby.Bgp.Wire.Nlri;

namespace Tabby.Ctl.Bgp;

/// <summary>Readable lines for one decoded message (the text output of <c>tabbyctl bgp decode</c>).</summary>
internal static class BgpTextFormatter
{
    public static IEnumerable<string> Describe(BgpMessage message)
    {
        switch (message)
        {
            case OpenMessage open:
                yield return $"as {open.AsNumber} (my-as field {open.MyAs}), hold time {open.HoldTimeSeconds} s, identifier {open.BgpIdentifierAddress}";
                foreach (var c in open.Capabilities) yield return $"capability {c}";
                break;
            case UpdateMessage update:
                if (update.IsEndOfRib(out var family)) yield return $"end-of-rib {family}";
                if (!update.Withdrawn.IsEmpty) yield return "withdrawn " + Join(update.Withdrawn);
                if (update.MpUnreach is { Data.IsEmpty: false } unreach) yield return $"mp-unreach {unreach.Family} {Join(unreach)}";
                if (update.Attributes is { } attributes)
                    foreach (var line in attributes.ToString().Split("; ")) yield return line;
                if (update.MpReach is { } reach) yield return $"mp-reach {reach.Family} {Join(reach)}";
                if (!update.Nlri.IsEmpty) yield return "nlri " + Join(update.Nlri);
                if (update.Handling != ErrorHandling.None) yield return "handling " + BgpJsonFormatter.HandlingName(update.Handling);
                foreach (var e in update.Errors) yield return $"error {e.CodeName} / {e.SubcodeName}: {e.Description} ({BgpJsonFormatter.HandlingName(e.Handling)})";
                break;
            case NotificationMessage notification:
                yield return $"{notification.Code}/{notification.Subcode} {notification.CodeName} / {notification.SubcodeName}";
                if (notification.ShutdownCommunication is { } text) yield return $"shutdown communication \"{text}\"";
                else if (!notification.Data.IsEmpty) yield return "data " + Convert.ToHexStringLower(notification.Data.Span);
                break;
            case RouteRefreshMessage refresh:
                yield return $"{refresh.Family} {refresh.Subtype}";
                break;
        }
    }

    private static string Join(NlriSection section)
    {
        var parts = new List<string>(section.Count);
        foreach (var entry in section) parts.Add(entry.ToString());
        return string.Join(' ', parts);
    }
}
